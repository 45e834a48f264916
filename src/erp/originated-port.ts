import type { DocKind, ErpDocRef } from './erp-connector.ts';

/**
 * ERP-originated approvals (docs/erp.md): a document made and submitted in the ERP (a purchase requisition in
 * Tryton, a bill in Kingdee) waits for approval in chat. The connector lists such documents, reads one back and
 * sends the decision: approve (audit) or reject (un-audit / back to draft, with the reason, so its owner edits and
 * resubmits it in the ERP). Connectors offer it as `ErpConnector.approvals`.
 */
export type OriginatedState = 'draft' | 'waiting' | 'approved' | 'rejected' | 'cancelled' | 'deleted';

export interface OriginatedLine {
  item: string;
  /** Decimal string. */
  quantity: string;
  /** The line's amount (quantity × unit price), decimal string with two places. */
  amount: string;
  unit?: string;
}

export interface OriginatedDoc {
  /** `externalKey` is `origin:<formId>:<id>` (the ERP's, not ours). */
  ref: ErpDocRef;
  state: OriginatedState;
  /** The person who made the document, as the ERP knows them (employee or party id, name, email when it has one). */
  owner: { erpId: string; name: string; email?: string };
  title: string;
  lines: OriginatedLine[];
  /** Decimal string, two places. */
  total: string;
  currency: string;
  /** YYYY-MM-DD: the date the document asks for (supply date, bill date), when it has one. */
  date?: string;
  /** A supplier or counterparty named on the document, when it has one. */
  party?: string;
  /** Where a person opens the document in the ERP's own client (http(s) or the client's own scheme). */
  link?: string;
  /** Changes whenever the document changes (write date, version): a repeat is skipped. */
  versionStamp: string;
  /** ISO 8601 UTC. */
  changedAt: string;
  /** The reason of the last rejection, where the ERP shows one (a note, a comment field). */
  rejectReason?: string;
  raw: Record<string, unknown>;
}

export interface OriginatedPage { docs: OriginatedDoc[]; nextCursor: string; hasMore: boolean }

export interface OriginatedDecision {
  decision: 'approve' | 'reject';
  /** Required for a reject: written where the document's owner sees it. */
  reason?: string;
  /** The person who decided, as the ERP knows them when they are mapped (erp_person_links), for the ERP's own record. */
  approver?: { erpId?: string; name: string };
}

export interface ApprovalInbox {
  /** The document kinds this connector brings to chat (from its instance settings). */
  docKinds(): DocKind[];
  /**
   * Originated documents of those kinds changed since an opaque cursor (null = from the beginning), in any state
   * (a document that left `waiting` is news too), at most `limit` a page (`hasMore` when the page was full).
   */
  listOriginated(cursor: string | null, opts?: { limit?: number }): Promise<OriginatedPage>;
  /** One document as it is now; `null` when it no longer exists. */
  readOriginated(ref: ErpDocRef): Promise<OriginatedDoc | null>;
  /**
   * Approve or reject. Already in the decided state counts as success. Not waiting any more (the owner pulled it
   * back) is `erp.not_allowed_in_state`. Returns the document after the decision, read back.
   */
  decide(ref: ErpDocRef, d: OriginatedDecision): Promise<OriginatedDoc>;
}
