import type { FakeLedger, FakeOp } from './kingdee-bills.ts';
import type { FakeBill } from './kingdee-forms.ts';

/**
 * People working in K3 itself (its own client, not the WebAPI): they make bills, submit them for approval, pull them
 * back (撤销), edit them after a rejection and resubmit, cancel (作废) or delete them. Every step goes through the
 * fake ledger's own rules (required fields, which states allow what), so a test cannot do what K3 would refuse.
 */
export interface K3User { id: number; name: string }

export const K3_USERS: Record<string, K3User> = {
  wang: { id: 100101, name: '王五' },
  zhao: { id: 100102, name: '赵六' },
  /** The same person as the chat directory's 张三 (matched by name). */
  zhang: { id: 100103, name: '张三' },
};

export class FakeErpUsers {
  constructor(private readonly ledger: FakeLedger) {}

  private fail(what: string, errors: { Message: string }[]): never {
    throw new Error(`fake K3 refused ${what}: ${errors.map((e) => e.Message).join('; ')}`);
  }

  private bill(formId: string, id: number): FakeBill {
    const b = this.ledger.find(formId, String(id));
    if (!b) throw new Error(`fake K3: no ${formId} bill ${id}`);
    return b;
  }

  /** Saves a bill as `user` (status A 创建) and, unless `submit: false`, submits it (B 审核中). */
  create(user: K3User, formId: string, model: Record<string, unknown>, o: { submit?: boolean } = {}): FakeBill {
    const r = this.ledger.save(formId, { Model: { FID: 0, ...model }, IsVerifyBaseDataField: true }, user);
    if ('errors' in r) this.fail('Save', r.errors);
    if (o.submit !== false) this.op('Submit', formId, r.bill.id);
    return r.bill;
  }

  /** Edits a bill with its maker (Z/A/D): the model's fields replace the bill's; its entry, when given, replaces the lines. */
  edit(formId: string, id: number, model: Record<string, unknown>): FakeBill {
    const r = this.ledger.save(formId, { Model: { FID: id, ...model }, IsVerifyBaseDataField: true, IsDeleteEntry: true });
    if ('errors' in r) this.fail('Save', r.errors);
    return r.bill;
  }

  submit(formId: string, id: number): FakeBill { return this.op('Submit', formId, id); }
  /** 撤销: the maker takes a submitted bill back (B → A). */
  pullBack(formId: string, id: number): FakeBill { return this.op('CancelAssign', formId, id); }
  delete(formId: string, id: number): void { this.op('Delete', formId, id); }

  /** 作废 (FCancelStatus B), K3's Cancel operation; allowed here only for bills not audited. */
  cancel(formId: string, id: number): FakeBill {
    const b = this.bill(formId, id);
    if (b.status === 'C') throw new Error(`fake K3 refused Cancel: ${b.no} is audited`);
    b.cancel = 'B';
    b.modified = this.ledger.tick();
    return b;
  }

  private op(op: FakeOp, formId: string, id: number): FakeBill {
    const r = this.ledger.operate(op, formId, { Ids: String(id) });
    if (r.errors.length) this.fail(op, r.errors);
    return r.done[0] ?? this.bill(formId, id);
  }
}
