import type { Clock } from '../../src/core/clock.ts';
import { compareMoney, fenToMoney, moneyToFen } from '../../src/core/money.ts';

/**
 * The ERP behind the fake adapter (test/fakes/rest-adapter.ts): documents in memory with the contract's shape
 * (docs/erp-rest-contract.openapi.yaml, schema Document), a change sequence for `/changes`, and the accountant's
 * moves (post, pay) that a real ERP's users make in the ERP itself.
 */
export type Status = 'submitted' | 'approved' | 'rejected' | 'posted' | 'partially_paid' | 'paid' | 'cancelled';

export interface FakeDocument {
  id: string;
  number: string;
  external_key: string | null;
  doc_kind: string;
  status: Status;
  erp_status: string;
  amount: { total: string; paid: string | null; currency: string };
  posted_at: string | null;
  paid_at: string | null;
  bank_ref: string | null;
  voucher: string | null;
  version: string;
  updated_at: string;
  /** Not part of the answer: what was sent, for tests. */
  payload: Record<string, string>;
  /** Not part of the answer: the change sequence number of the last change. */
  seq: number;
}

/** A refusal the ERP itself makes (HTTP 422 with its message). */
export class ErpRefusal extends Error {}
/** A move the document's state does not allow (HTTP 409). */
export class WrongState extends Error {}

export class FakeLedger {
  private readonly byKey = new Map<string, FakeDocument>();
  private readonly byId = new Map<string, FakeDocument>();
  private nextId = 1;
  private seq = 0;
  private vouchers = 0;

  constructor(private readonly clock: Clock, private readonly parties: ReadonlySet<string>) {}

  get all(): FakeDocument[] { return [...this.byId.values()]; }
  findKey(key: string): FakeDocument | undefined { return this.byKey.get(key); }
  findId(id: string): FakeDocument | undefined { return this.byId.get(id); }

  /** Creates once per key; `created` false when the key had a document (the body is then ignored, as the contract says). */
  create(key: string, docKind: string, payload: Record<string, string>, autoApprove: boolean): { doc: FakeDocument; created: boolean } {
    const existing = this.byKey.get(key);
    if (existing) return { doc: existing, created: false };
    const amount = payload.amount ?? '';
    if (compareMoney(amount, '0') <= 0) throw new ErpRefusal(`amount must be positive, got ${amount}`);
    if (payload.party !== undefined && !this.parties.has(payload.party)) throw new ErpRefusal(`party "${payload.party}" does not exist in the ERP`);
    const n = this.nextId++;
    const status: Status = autoApprove ? 'approved' : 'submitted';
    const doc: FakeDocument = {
      id: String(10n ** 18n + BigInt(n)), number: `RA-${String(n).padStart(6, '0')}`, external_key: key, doc_kind: docKind, status,
      erp_status: status.toUpperCase(), amount: { total: fenToMoney(moneyToFen(amount)), paid: null, currency: payload.currency ?? 'CNY' },
      posted_at: null, paid_at: null, bank_ref: null, voucher: null, version: '', updated_at: '', payload, seq: 0,
    };
    this.byKey.set(key, doc);
    this.byId.set(doc.id, doc);
    this.touch(doc);
    return { doc, created: true };
  }

  /** The accountant posts an approved document. */
  post(id: string): FakeDocument {
    const doc = this.need(id);
    if (doc.status !== 'approved') throw new WrongState(`document ${doc.number} is ${doc.status}; only an approved one can be posted`);
    doc.status = 'posted';
    doc.erp_status = 'POSTED';
    doc.posted_at = this.clock.now().toISOString();
    doc.voucher = `V-${String(++this.vouchers).padStart(5, '0')}`;
    return this.touch(doc);
  }

  /** The accountant pays (part of) a posted document; Pay before Post is refused. */
  pay(id: string, amount: string, bankRef: string): FakeDocument {
    const doc = this.need(id);
    if (doc.status !== 'posted' && doc.status !== 'partially_paid') throw new WrongState(`document ${doc.number} is ${doc.status}; post it before paying`);
    const paid = moneyToFen(doc.amount.paid ?? '0') + moneyToFen(amount);
    if (paid > moneyToFen(doc.amount.total)) throw new ErpRefusal(`paying ${amount} would exceed the total ${doc.amount.total}`);
    doc.amount.paid = fenToMoney(paid);
    doc.status = paid === moneyToFen(doc.amount.total) ? 'paid' : 'partially_paid';
    doc.erp_status = doc.status.toUpperCase();
    doc.paid_at = this.clock.now().toISOString();
    doc.bank_ref = bankRef;
    return this.touch(doc);
  }

  /** POST /documents/by-id/{id}/decide, as the contract describes it. */
  decide(id: string, decision: 'approve' | 'reject'): FakeDocument {
    const doc = this.need(id);
    const already = decision === 'approve' ? ['approved', 'posted', 'partially_paid', 'paid'] : ['rejected', 'cancelled'];
    if (already.includes(doc.status)) return doc;
    const from = decision === 'approve' ? ['submitted'] : ['submitted', 'approved'];
    if (!from.includes(doc.status)) throw new WrongState(`document ${doc.number} is ${doc.status}; cannot ${decision}`);
    doc.status = decision === 'approve' ? 'approved' : 'rejected';
    doc.erp_status = doc.status.toUpperCase();
    return this.touch(doc);
  }

  /** Documents changed after `cursor` (a sequence number), oldest first. */
  changes(cursor: number, limit: number): { docs: FakeDocument[]; next: number; hasMore: boolean } {
    const after = this.all.filter((d) => d.seq > cursor).sort((a, b) => a.seq - b.seq);
    const docs = after.slice(0, limit);
    return { docs, next: docs.at(-1)?.seq ?? cursor, hasMore: after.length > limit };
  }

  private need(id: string): FakeDocument {
    const doc = this.byId.get(id);
    if (!doc) throw new Error(`no document ${id}`);
    return doc;
  }

  private touch(doc: FakeDocument): FakeDocument {
    doc.seq = ++this.seq;
    doc.version = `v${doc.seq}`;
    doc.updated_at = this.clock.now().toISOString();
    return doc;
  }
}

/** The document as the contract's answer has it (without the fake's bookkeeping). */
export function documentJson(d: FakeDocument): Record<string, unknown> {
  const { payload: _p, seq: _s, ...rest } = d;
  return { ...rest, amount: { ...d.amount } };
}
