import { ExternalServiceError } from '../../src/core/errors.ts';
import type { DocKind, ErpDocRef } from '../../src/erp/erp-connector.ts';
import type { ApprovalInbox, OriginatedDecision, OriginatedDoc, OriginatedPage, OriginatedState } from '../../src/erp/originated-port.ts';

/**
 * An ERP's approval side held in memory, for the service's own tests (the real connectors are tested against
 * Tryton, the Kingdee fake and the REST fake). It keeps the rules every connector promises (originated-port.ts):
 * only a waiting document can be decided; deciding it again the same way is success; a reject needs a reason and
 * returns the document to its owner (rejected, reason kept); every change bumps the version; the feed returns
 * documents changed after the cursor in change order; a deleted document reads as null.
 */
export class MemoryApprovalInbox implements ApprovalInbox {
  private seq = 0;
  private readonly docs = new Map<string, OriginatedDoc & { seq: number }>();
  readonly decisions: { id: string; decision: string; reason?: string; approver?: { erpId?: string; name: string } }[] = [];
  down = false;

  docKinds(): DocKind[] { return ['purchase_requisition']; }

  /** An ERP user makes and submits a document (state waiting). */
  submit(id: string, owner: { erpId: string; name: string }, lines: { item: string; quantity: string; amount: string }[], title = 'Office supplies'): void {
    const total = lines.reduce((s, l) => s + Math.round(Number(l.amount) * 100), 0);
    this.put({
      ref: { erp: 'mem', docKind: 'purchase_requisition', formId: 'purchase.requisition', id, number: `REQ-${id}`, externalKey: `origin:purchase.requisition:${id}` },
      state: 'waiting', owner, title, lines, total: (total / 100).toFixed(2), currency: 'CNY', versionStamp: '', changedAt: '', raw: {},
    });
  }

  /** The owner (or anyone in the ERP) moves the document. */
  setState(id: string, state: OriginatedState): void { this.put({ ...this.get(id), state }); }
  edit(id: string, lines: { item: string; quantity: string; amount: string }[]): void {
    const total = lines.reduce((s, l) => s + Math.round(Number(l.amount) * 100), 0);
    this.put({ ...this.get(id), lines, total: (total / 100).toFixed(2) });
  }
  remove(id: string): void { this.docs.delete(id); }
  state(id: string): OriginatedDoc | undefined { return this.docs.get(id); }

  async listOriginated(cursor: string | null, opts?: { limit?: number }): Promise<OriginatedPage> {
    this.check();
    const after = cursor === null ? 0 : Number(cursor);
    const limit = opts?.limit ?? 100;
    const changed = [...this.docs.values()].filter((d) => d.seq > after).sort((a, b) => a.seq - b.seq);
    const page = changed.slice(0, limit);
    return { docs: page.map(strip), nextCursor: String(page.at(-1)?.seq ?? after), hasMore: changed.length > limit };
  }

  async readOriginated(ref: ErpDocRef): Promise<OriginatedDoc | null> {
    this.check();
    const d = this.docs.get(ref.id);
    return d ? strip(d) : null;
  }

  async decide(ref: ErpDocRef, d: OriginatedDecision): Promise<OriginatedDoc> {
    this.check();
    const doc = this.docs.get(ref.id);
    if (!doc) throw new ExternalServiceError('erp', 'erp.not_found', `no document ${ref.id}`, { retryable: false });
    const target: OriginatedState = d.decision === 'approve' ? 'approved' : 'rejected';
    if (doc.state === target) return strip(doc);
    if (doc.state !== 'waiting') throw new ExternalServiceError('erp', 'erp.not_allowed_in_state', `document ${ref.id} is ${doc.state}, not waiting`, { retryable: false });
    if (d.decision === 'reject' && !d.reason?.trim()) throw new ExternalServiceError('erp', 'erp.validation', 'a rejection needs a reason', { retryable: false });
    this.decisions.push({ id: ref.id, decision: d.decision, ...(d.reason ? { reason: d.reason } : {}), ...(d.approver ? { approver: d.approver } : {}) });
    this.put({ ...doc, state: target, ...(d.reason ? { rejectReason: d.reason } : {}) });
    return strip(this.docs.get(ref.id)!);
  }

  private get(id: string): OriginatedDoc {
    const d = this.docs.get(id);
    if (!d) throw new Error(`no document ${id}`);
    return strip(d);
  }

  private put(d: OriginatedDoc): void {
    const seq = ++this.seq;
    this.docs.set(d.ref.id, { ...d, versionStamp: `v${seq}`, changedAt: new Date(Date.UTC(2026, 11, 1, 0, 0, seq)).toISOString(), seq });
  }

  private check(): void {
    if (this.down) throw new ExternalServiceError('erp', 'erp.unavailable', 'ERP answered 503', { retryable: true });
  }
}

function strip(d: OriginatedDoc & { seq?: number }): OriginatedDoc {
  const { seq: _seq, ...doc } = d;
  return structuredClone(doc);
}
