import type { Clock } from '../../src/core/clock.ts';
import { fenToMoney, moneyToFen } from '../../src/core/money.ts';
import { ErpRefusal, WrongState } from './rest-adapter-ledger.ts';

/**
 * Documents people make in the ERP behind the fake adapter, approved in chat: the contract's `/originated` feed and
 * the originated rules of `POST /documents/by-id/{id}/decide` (docs/erp-rest-contract.openapi.yaml, schemas
 * OriginatedDocument and OriginatedState, the decide operation's description). Tests act as the ERP's users: the
 * owner makes, pulls back, edits, resubmits and deletes a document; an ERP approver approves it in the ERP.
 */
export type OriginState = 'draft' | 'waiting' | 'approved' | 'rejected' | 'cancelled' | 'deleted';

export interface OriginLine { item: string; quantity: string; amount: string; unit?: string }
export interface OriginPerson { id: string; name: string; email?: string }
export interface OriginDecision { decision: 'approve' | 'reject'; reason: string | null; approver: { id?: string; name: string } | null; at: string; via: 'adapter' | 'erp' }

export interface OriginDoc {
  id: string;
  number: string;
  doc_kind: string;
  state: OriginState;
  owner: OriginPerson;
  title: string;
  lines: OriginLine[];
  currency: string;
  date: string | null;
  party: string | null;
  reject_reason: string | null;
  version: string;
  changed_at: string;
  /** Not part of the answer: every decision, in order (who, why, through the adapter or in the ERP itself). */
  decisions: OriginDecision[];
  /** Not part of the answer: how many times the owner submitted it. */
  submissions: number;
  seq: number;
}

export interface OriginInput {
  docKind?: string;
  owner: OriginPerson;
  title: string;
  lines: OriginLine[];
  currency?: string;
  date?: string;
  party?: string;
}

export type OriginEdit = Partial<Pick<OriginDoc, 'title' | 'lines' | 'date' | 'party'>>;

const total = (lines: OriginLine[]): string => fenToMoney(lines.reduce((s, l) => s + moneyToFen(l.amount), 0n));

export class FakeOriginBook {
  private readonly docs = new Map<string, OriginDoc>();
  private nextId = 1;
  private seq = 0;

  constructor(private readonly clock: Clock, private readonly linkBase: string) {}

  get all(): OriginDoc[] { return [...this.docs.values()]; }
  find(id: string): OriginDoc | undefined { return this.docs.get(id); }

  /** The owner makes a document and submits it: it waits for a decision. */
  create(o: OriginInput): OriginDoc {
    if (!o.lines.length) throw new ErpRefusal('a document needs at least one line');
    const n = this.nextId++;
    const doc: OriginDoc = {
      id: String(2n * 10n ** 18n + BigInt(n)), number: `PR-${String(n).padStart(6, '0')}`, doc_kind: o.docKind ?? 'purchase_requisition',
      state: 'waiting', owner: { ...o.owner }, title: o.title, lines: o.lines.map((l) => ({ ...l })), currency: o.currency ?? 'CNY',
      date: o.date ?? null, party: o.party ?? null, reject_reason: null, version: '', changed_at: '', decisions: [], submissions: 1, seq: 0,
    };
    this.docs.set(doc.id, doc);
    return this.touch(doc);
  }

  /** The owner pulls a waiting document back to draft. */
  withdraw(id: string): OriginDoc {
    const doc = this.need(id);
    this.expect(doc, ['waiting'], 'pull back');
    doc.state = 'draft';
    return this.touch(doc);
  }

  /** The document is edited: by its owner in draft or after a rejection, or changed in the ERP while it waits. */
  edit(id: string, change: OriginEdit): OriginDoc {
    const doc = this.need(id);
    this.expect(doc, ['draft', 'rejected', 'waiting'], 'edit');
    if (change.lines && !change.lines.length) throw new ErpRefusal('a document needs at least one line');
    Object.assign(doc, change.lines ? { ...change, lines: change.lines.map((l) => ({ ...l })) } : change);
    return this.touch(doc);
  }

  /** The owner submits a draft or rejected document again: it waits for a decision again, as a new version. */
  resubmit(id: string): OriginDoc {
    const doc = this.need(id);
    this.expect(doc, ['draft', 'rejected'], 'resubmit');
    doc.state = 'waiting';
    doc.submissions += 1;
    return this.touch(doc);
  }

  /** The owner deletes it (anything not yet approved). */
  remove(id: string): OriginDoc {
    const doc = this.need(id);
    this.expect(doc, ['draft', 'waiting', 'rejected', 'cancelled'], 'delete');
    doc.state = 'deleted';
    return this.touch(doc);
  }

  /** Someone with the right decides in the ERP's own client, not through the adapter. */
  decideInErp(id: string, decision: 'approve' | 'reject', approver: { id?: string; name: string }, reason?: string): OriginDoc {
    const doc = this.need(id);
    this.expect(doc, ['waiting'], decision);
    return this.apply(doc, decision, reason ?? null, approver, 'erp');
  }

  /** The contract's decide for an originated document: same way again is unchanged, not waiting is 409. */
  decide(id: string, decision: 'approve' | 'reject', reason: string | undefined, approver: { id?: string; name: string } | undefined): OriginDoc {
    const doc = this.need(id);
    const already: OriginState[] = decision === 'approve' ? ['approved'] : ['rejected', 'cancelled'];
    if (already.includes(doc.state)) return doc;
    this.expect(doc, ['waiting'], decision);
    if (decision === 'reject' && !reason?.trim()) throw new ErpRefusal('a rejection needs a reason for the owner');
    return this.apply(doc, decision, reason ?? null, approver ?? null, 'adapter');
  }

  /** Changed after `cursor` (a sequence number), oldest first, deleted ones included once more. */
  changes(cursor: number, limit: number): { docs: OriginDoc[]; next: number; hasMore: boolean } {
    const after = this.all.filter((d) => d.seq > cursor).sort((a, b) => a.seq - b.seq);
    const docs = after.slice(0, limit);
    return { docs, next: docs.at(-1)?.seq ?? cursor, hasMore: after.length > limit };
  }

  /** The contract's OriginatedDocument. */
  json(d: OriginDoc): Record<string, unknown> {
    return {
      id: d.id, number: d.number, doc_kind: d.doc_kind, state: d.state, owner: { email: null, ...d.owner }, title: d.title,
      lines: d.lines.map((l) => ({ unit: null, ...l })), total: total(d.lines), currency: d.currency, date: d.date, party: d.party,
      link: `${this.linkBase}/purchase-requisitions/${d.id}`, version: d.version, changed_at: d.changed_at, reject_reason: d.reject_reason,
    };
  }

  /** The Document view (by-id and decide answers): external_key null; a draft reads as rejected (back with its owner). */
  documentJson(d: OriginDoc): Record<string, unknown> {
    const status = d.state === 'waiting' ? 'submitted' : d.state === 'draft' ? 'rejected' : d.state;
    return {
      id: d.id, number: d.number, external_key: null, doc_kind: d.doc_kind, status, erp_status: d.state.toUpperCase(),
      amount: { total: total(d.lines), paid: null, currency: d.currency }, posted_at: null, paid_at: null, bank_ref: null, voucher: null,
      version: d.version, updated_at: d.changed_at,
    };
  }

  private apply(doc: OriginDoc, decision: 'approve' | 'reject', reason: string | null, approver: { id?: string; name: string } | null, via: 'adapter' | 'erp'): OriginDoc {
    doc.state = decision === 'approve' ? 'approved' : 'rejected';
    // A rejection goes back to the owner with its reason; an approval keeps the last rejection's reason on file.
    if (decision === 'reject') doc.reject_reason = reason;
    doc.decisions.push({ decision, reason, approver: approver ? { ...approver } : null, at: this.clock.now().toISOString(), via });
    return this.touch(doc);
  }

  private expect(doc: OriginDoc, from: OriginState[], what: string): void {
    if (!from.includes(doc.state)) throw new WrongState(`document ${doc.number} is ${doc.state}; cannot ${what}`);
  }

  /** Unknown or deleted: not there (the adapter's 404). */
  private need(id: string): OriginDoc {
    const doc = this.docs.get(id);
    if (!doc || doc.state === 'deleted') throw new Missing(`no document ${id}`);
    return doc;
  }

  private touch(doc: OriginDoc): OriginDoc {
    doc.seq = ++this.seq;
    doc.version = `o${doc.seq}`;
    doc.changed_at = this.clock.now().toISOString();
    return doc;
  }
}

/** A document the ERP does not have (any more): HTTP 404. */
export class Missing extends Error {}
