import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';

/**
 * The ERP port (what the service expects of it: docs/erp.md). One small interface every adapter implements:
 * idempotent create from an approved request, submit/approve, reverse on rejection, status reads,
 * change feeds for polling, optional push parsing. Ids are strings and money decimal strings.
 */
export type DocKind =
  | 'expense_reimbursement' | 'payment_request' | 'purchase_requisition' | 'purchase_order' | 'payable'
  | 'journal_voucher' | 'material_requisition' | 'contract';

export type CanonicalStatus =
  | 'draft' | 'saved' | 'submitted' | 'approved' | 'rejected' | 'posted' | 'partially_paid' | 'paid' | 'cancelled' | 'unknown';

/** Bot-owned identity of the business object: request id + revision. */
export interface ExternalKey { namespace: string; key: string }

export function externalKeyString(k: ExternalKey): string {
  return `${k.namespace}:${k.key}`;
}

export interface ErpDocRef {
  erp: string;
  docKind: DocKind;
  formId: string;
  id: string;
  number?: string;
  externalKey: string;
}

export interface StatusSnapshot {
  ref: ErpDocRef;
  status: CanonicalStatus;
  raw: Record<string, unknown>;
  amounts?: { total: string; paid?: string; currency?: string };
  changedAt?: string;
  /** Paid documents: when and with which bank reference. */
  payment?: { at: string; bankRef?: string };
  postedAt?: string;
  versionStamp?: string;
}

export interface CreateDocumentInput {
  docKind: DocKind;
  externalKey: ExternalKey;
  payload: Record<string, string>;
  autoSubmit?: boolean;
  autoApprove?: boolean;
}

export interface CreateResult { ref: ErpDocRef; created: boolean; snapshot: StatusSnapshot }

export interface StatusChange {
  ref: ErpDocRef;
  from?: CanonicalStatus;
  to: CanonicalStatus;
  at: string;
  source: 'poll' | 'push';
  eventId?: string;
  snapshot: StatusSnapshot;
}

export interface ChangePage { changes: StatusChange[]; nextCursor: string; hasMore: boolean }

export interface Capabilities {
  idempotency: 'server-key' | 'lookup-only';
  push: 'native' | 'plugin' | 'none';
  canUnapprove: boolean;
  canDeleteAfterReject: boolean;
  approvalMode: 'bot-is-source' | 'erp-workflow';
}

/** A move an operator made on a ledger: the document after it, and whether this call made the change. */
export interface LedgerMove { snapshot: StatusSnapshot; changed: boolean }

/**
 * Optional capability: a ledger this service keeps in its own database (the sandbox), which operators post
 * and pay from a card in the chat. Real ERPs post and pay in the ERP itself; their connectors leave it out.
 * A move runs in the caller's transaction, so it commits with whatever the click writes there.
 */
export interface OperatorLedger {
  /** Posts an approved document; `changed` is false when it already was posted. */
  post(ref: ErpDocRef, trx: Kysely<Database>): Promise<LedgerMove>;
  /** Pays the full amount with a bank reference; `changed` is false when it already was paid. */
  pay(ref: ErpDocRef, bankRef: string, trx: Kysely<Database>): Promise<LedgerMove>;
}

export interface ErpConnector {
  readonly id: string;
  readonly erp: string;
  capabilities(): Capabilities;
  /** Present when operators move this connector's documents from the chat (see OperatorLedger). */
  readonly ledger?: OperatorLedger;
  /** Idempotent: an existing document for the key is returned (created: false), never duplicated. */
  createDocument(input: CreateDocumentInput, opts?: { signal?: AbortSignal }): Promise<CreateResult>;
  findByExternalKey(docKind: DocKind, key: ExternalKey): Promise<ErpDocRef | null>;
  /** "Already in that state" counts as success. */
  submit(ref: ErpDocRef): Promise<StatusSnapshot>;
  approve(ref: ErpDocRef, opts?: { comment?: string }): Promise<StatusSnapshot>;
  /** Rejection: un-audit (and delete when asked and possible) so the document can be edited. */
  reverse(ref: ErpDocRef, opts: { reason: string; deleteIfPossible?: boolean }): Promise<StatusSnapshot>;
  getStatus(ref: ErpDocRef): Promise<StatusSnapshot>;
  /** Changes since an opaque cursor (null = from now on). */
  listChanges(cursor: string | null, opts?: { limit?: number }): Promise<ChangePage>;
}
