import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { MasterDataSource } from './master-data-port.ts';
import type { ApprovalInbox } from './originated-port.ts';

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

/**
 * A document as the ERP reports it now. Times are ISO 8601 in UTC, money decimal strings (two places).
 * `status` is canonical: a connector maps its ERP's states and codes (configurable where they differ by
 * deployment) onto submitted, approved, rejected, posted, partially_paid, paid, cancelled.
 */
export interface StatusSnapshot {
  ref: ErpDocRef;
  status: CanonicalStatus;
  /** The ERP's own fields the status was read from (kept on the document row for support). */
  raw: Record<string, unknown>;
  /** total: the document's amount; paid: what has been paid so far (partly paid: 0 < paid < total). */
  amounts?: { total: string; paid?: string; currency?: string };
  changedAt?: string;
  /** Paid or partly paid: when the last payment was made and with which bank reference. */
  payment?: { at: string; bankRef?: string };
  postedAt?: string;
  /** The posting's own number where the ERP has one (voucher, journal entry, move). */
  voucher?: string;
  /** Changes whenever the document changes (a write date, a version number): repeats of one stamp are skipped. */
  versionStamp: string;
}

/**
 * What to create, rendered from the intent's `erp.payload` templates. Keys every connector understands:
 * `amount` (decimal string, compared to the cent), `currency` (ISO 4217, default CNY), `description`,
 * `party` (the payee, supplier or employee as the ERP names it), `date` (YYYY-MM-DD), `item`, `quantity`.
 * A connector maps them (and any other key) onto its own fields with its instance's `settings`.
 */
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

/**
 * A push the ERP (or its adapter) sent, after the service checked its signature, time window and event id:
 * which documents changed. The service reads each one back with getStatus: a push says "look", the ERP's
 * answer is the truth (a forged or stale body cannot move a document).
 */
export interface PushNotice {
  eventId: string;
  documents: { id?: string; externalKey?: string; docKind?: DocKind }[];
}

/**
 * Errors every connector throws (ExternalServiceError, src/core/errors.ts), so the service and the outbox treat
 * all ERPs alike:
 * - `erp.unavailable` retryable: no answer, timeout, 5xx, "locked" after the connector's own retries;
 * - `erp.result_unknown` retryable: a write was sent and its answer lost (the next attempt looks up by key first);
 * - `erp.validation` not retryable: the ERP refused the data; `message` carries the ERP's own words;
 * - `erp.auth` not retryable: credentials refused (fix the instance file or the secret, then replay);
 * - `erp.not_found` not retryable: no such document; `erp.not_allowed_in_state` not retryable: wrong state;
 * - `erp.rpc_error` not retryable: anything else the ERP answered that makes no sense.
 */
export const ERP_ERROR_CODES = [
  'erp.unavailable', 'erp.result_unknown', 'erp.validation', 'erp.auth', 'erp.not_found', 'erp.not_allowed_in_state', 'erp.rpc_error',
] as const;

export interface ErpConnector {
  /** The instance id (its YAML file's `id`, or `sandbox`/`sandbox-<tenant>`). */
  readonly id: string;
  /** The kind: sandbox, tryton, kingdee, rest. */
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
  /**
   * Changes since an opaque cursor (null = from the beginning), reading create and write times, re-reading an
   * overlap window, at most `limit` a page (`hasMore` when the page was full).
   */
  listChanges(cursor: string | null, opts?: { limit?: number }): Promise<ChangePage>;
  /** Reads a verified push body (kinds with `push` other than 'none'); a body it cannot read is a ValidationError. */
  parsePush?(body: unknown): PushNotice;
  /** Present when documents made in this ERP come to chat for approval (originated-port.ts). */
  readonly approvals?: ApprovalInbox;
  /** Present when this ERP shares master data (master-data-port.ts). */
  readonly masterData?: MasterDataSource;
  /** Ends sessions and timers at shutdown (best effort). */
  close?(): Promise<void>;
}
