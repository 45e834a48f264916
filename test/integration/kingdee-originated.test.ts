import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalServiceError, ValidationError } from '../../src/core/errors.ts';
import type { MasterRecord } from '../../src/erp/master-data-port.ts';
import type { OriginatedDoc } from '../../src/erp/originated-port.ts';
import { kingdeeKind } from '../../src/erp/connectors/kingdee/index.ts';
import { kingdeeSettingsSchema } from '../../src/erp/connectors/kingdee/settings.ts';
import { K3_USERS } from '../fakes/kingdee-erp-user.ts';
import { startKingdeeRig, type KingdeeRig } from '../fakes/kingdee-rig.ts';

/** Bills made in K3 by its own users come to chat (ApprovalInbox) and the decision goes back; base data is read incrementally. */
const ER = 'ER_ExpReimbursement';
const REQ = 'PUR_Requisition';

const expenseModel = (causa: string, amounts: number[]) => ({
  FDate: '2026-03-02', FCausa: causa, FProposerID: { FSTAFFNUMBER: 'E001' }, FCONTACTUNIT: { FNumber: 'E001' },
  FCurrencyID: { FNUMBER: 'PRE001' }, FBillTypeID: { FNUMBER: 'FYBXD001_SYS' }, FCONTACTUNITTYPE: 'BD_Empinfo',
  FEntity: amounts.map((a) => ({ FExpID: { FNUMBER: 'FYXM01' }, FTaxSubmitAmt: a })),
});
const requisitionModel = (note: string, qty: number, amount: number) => ({
  FApplicationDate: '2026-03-03', FNote: note, FApplicantId: { FStaffNumber: 'E002' }, FCurrencyId: { FNumber: 'PRE001' },
  FBillTypeID: { FNUMBER: 'CGSQD01_SYS' },
  FEntity: [{ FMaterialId: { FNumber: 'M001' }, FReqQty: qty, FReqAmount: amount, FSuggestSupplierId: { FNumber: 'S001' } }],
});

async function failure(p: Promise<unknown>): Promise<Error> {
  const e: unknown = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof Error)) throw new Error('expected a failure');
  return e;
}

async function drain(rig: KingdeeRig, cursor: string | null, limit = 50): Promise<{ docs: OriginatedDoc[]; cursor: string }> {
  const docs: OriginatedDoc[] = [];
  let cur = cursor;
  for (let i = 0; i < 50; i++) {
    const page = await rig.connector.approvals.listOriginated(cur, { limit });
    docs.push(...page.docs);
    cur = page.nextCursor;
    if (!page.hasMore) break;
  }
  return { docs, cursor: cur ?? '' };
}

const ops = (rig: KingdeeRig, from: number): string[] => rig.fake.calls.slice(from).map((c) => c.service.split('.').pop() ?? '').filter((s) => s !== 'ExecuteBillQuery');

describe('Kingdee ERP-originated approvals against the fake K3 Cloud', () => {
  let rig: KingdeeRig;
  beforeAll(async () => { rig = await startKingdeeRig(); });
  afterAll(() => rig.close());

  it('a bill submitted in K3 waits in chat with its lines, total and maker; approve audits it; a rejected one goes back with the reason; its resubmission is news from the old cursor', async () => {
    const inbox = rig.connector.approvals;
    expect(inbox.docKinds()).toEqual(['expense_reimbursement', 'payment_request', 'purchase_requisition', 'purchase_order']);
    // A bill the service made itself (our key on it) is never brought back.
    await rig.connector.createDocument({ docKind: 'expense_reimbursement', externalKey: { namespace: 'approval:default', key: 'R-1:r1' }, payload: { amount: '10.00', currency: 'CNY', description: 'ours', party: 'E001', date: '2026-03-02' }, autoSubmit: true });
    const er = rig.fake.erpUsers.create(K3_USERS.wang!, ER, expenseModel('北京出差', [356.4, 120]));
    const req = rig.fake.erpUsers.create(K3_USERS.zhao!, REQ, requisitionModel('办公椅两把', 2, 1200));
    const first = await drain(rig, null);
    expect(first.docs.map((d) => d.ref.number)).toEqual([er.no, req.no]);
    const doc = first.docs[0] as OriginatedDoc;
    expect(doc).toMatchObject({
      ref: { erp: 'kingdee', docKind: 'expense_reimbursement', formId: ER, id: String(er.id), number: er.no, externalKey: `origin:${ER}:${er.id}` },
      state: 'waiting', owner: { erpId: '100101', name: '王五' }, title: '北京出差', total: '476.40', currency: 'CNY', date: '2026-03-02',
      lines: [{ item: '差旅费', quantity: '1', amount: '356.40' }, { item: '差旅费', quantity: '1', amount: '120.00' }],
    });
    expect(doc.link).toBeUndefined();
    expect(doc.changedAt).toBe(new Date(`${er.modified}+08:00`).toISOString());
    expect(first.docs[1]).toMatchObject({ state: 'waiting', owner: { name: '赵六' }, title: '办公椅', party: '上海办公用品有限公司', total: '1200.00', lines: [{ item: '办公椅', quantity: '2', amount: '1200.00' }] });

    const before = rig.fake.calls.length;
    const approved = await inbox.decide(doc.ref, { decision: 'approve', approver: { name: '李经理' } });
    expect(approved.state).toBe('approved');
    expect(rig.fake.ledger.find(ER, String(er.id))?.status).toBe('C');
    expect(ops(rig, before)).toEqual(['Audit']);
    // Approving again is success without another Audit.
    const again = rig.fake.calls.length;
    expect((await inbox.decide(doc.ref, { decision: 'approve' })).state).toBe('approved');
    expect(ops(rig, again)).toEqual([]);

    const reqRef = (first.docs[1] as OriginatedDoc).ref;
    const r0 = rig.fake.calls.length;
    const rejected = await inbox.decide(reqRef, { decision: 'reject', reason: '请补充报价单' });
    expect(ops(rig, r0)).toEqual(['CancelAssign', 'Save']); // back to its maker first: K3 does not save a submitted bill
    expect(rejected).toMatchObject({ state: 'draft', rejectReason: '请补充报价单' });
    const bill = rig.fake.ledger.find(REQ, String(req.id));
    expect(bill?.status).toBe('A');
    expect(bill?.header.get('fnote')).toBe('请补充报价单');
    expect(bill?.lines).toHaveLength(1); // the remark-only Save kept the lines
    // A retried reject finds the reason on the bill and changes nothing.
    const r1 = rig.fake.calls.length;
    expect((await inbox.decide(reqRef, { decision: 'reject', reason: '请补充报价单' })).state).toBe('draft');
    expect(ops(rig, r1)).toEqual([]);

    // The maker edits and resubmits in K3: from the old cursor it is waiting again with a new version.
    rig.fake.ledger.advance(300_000);
    rig.fake.erpUsers.edit(REQ, req.id, { FNote: '已附报价单', FEntity: [{ FMaterialId: { FNumber: 'M001' }, FReqQty: 3, FReqAmount: 1650, FSuggestSupplierId: { FNumber: 'S001' } }] });
    rig.fake.erpUsers.submit(REQ, req.id);
    const next = await drain(rig, first.cursor);
    const resubmitted = next.docs.find((d) => d.ref.id === String(req.id));
    expect(resubmitted).toMatchObject({ state: 'waiting', total: '1650.00', lines: [{ quantity: '3', amount: '1650.00' }] });
    expect(resubmitted?.rejectReason).toBeUndefined();
    expect(resubmitted?.versionStamp).not.toBe((first.docs[1] as OriginatedDoc).versionStamp);
    expect(next.docs.some((d) => d.ref.id === String(er.id) && d.versionStamp === doc.versionStamp)).toBe(false);
    expect((await inbox.decide(reqRef, { decision: 'approve' })).state).toBe('approved');
    expect(rig.fake.ledger.find(REQ, String(req.id))?.status).toBe('C');
  });

  it('refusals: Audit of a bill that was never submitted is K3\'s own refusal; a reject needs a reason; cancelled and deleted bills', async () => {
    const inbox = rig.connector.approvals;
    const draft = rig.fake.erpUsers.create(K3_USERS.wang!, ER, expenseModel('未提交', [50]), { submit: false });
    const ref = { erp: 'kingdee', docKind: 'expense_reimbursement' as const, formId: ER, id: String(draft.id), number: draft.no, externalKey: `origin:${ER}:${draft.id}` };
    expect(await inbox.readOriginated(ref)).toMatchObject({ state: 'draft' });
    const e = await failure(inbox.decide(ref, { decision: 'approve' }));
    expect(e).toBeInstanceOf(ExternalServiceError);
    expect(e).toMatchObject({ code: 'erp.not_allowed_in_state', retryable: false });
    expect(e.message).toContain('只有审核中的数据才允许审核');
    expect(rig.fake.ledger.find(ER, String(draft.id))?.status).toBe('A');

    const calls = rig.fake.calls.length;
    const noReason = await failure(inbox.decide(ref, { decision: 'reject', reason: '  ' }));
    expect(noReason).toBeInstanceOf(ValidationError);
    expect(rig.fake.calls.length).toBe(calls);

    // Approved in K3 itself, then rejected from chat: UnAudit (C → D 重新审核), then the reason.
    const audited = rig.fake.erpUsers.create(K3_USERS.zhao!, ER, expenseModel('已审核', [80]));
    rig.fake.ledger.operate('Audit', ER, { Ids: String(audited.id) });
    const aRef = { ...ref, id: String(audited.id), number: audited.no };
    const c0 = rig.fake.calls.length;
    expect(await inbox.decide(aRef, { decision: 'reject', reason: '金额有误' })).toMatchObject({ state: 'draft', rejectReason: '金额有误' });
    expect(ops(rig, c0)).toEqual(['UnAudit', 'Save']);
    expect(rig.fake.ledger.find(ER, String(audited.id))).toMatchObject({ status: 'D' });
    expect(rig.fake.ledger.find(ER, String(audited.id))?.header.get('fremarks')).toBe('金额有误');

    const cancelled = rig.fake.erpUsers.create(K3_USERS.wang!, ER, expenseModel('作废', [10]), { submit: false });
    rig.fake.erpUsers.cancel(ER, cancelled.id);
    const cRef = { ...ref, id: String(cancelled.id), number: cancelled.no };
    expect(await inbox.readOriginated(cRef)).toMatchObject({ state: 'cancelled' });
    expect(await failure(inbox.decide(cRef, { decision: 'approve' }))).toMatchObject({ code: 'erp.not_allowed_in_state' });

    const gone = rig.fake.erpUsers.create(K3_USERS.wang!, ER, expenseModel('删除', [10]), { submit: false });
    rig.fake.erpUsers.delete(ER, gone.id);
    const gRef = { ...ref, id: String(gone.id), number: gone.no };
    expect(await inbox.readOriginated(gRef)).toBeNull();
    expect(await failure(inbox.decide(gRef, { decision: 'approve' }))).toMatchObject({ code: 'erp.not_found' });
  });

  it('pages by bill (a bill\'s lines never split), the applicant as owner, a link from the template, and a bad cursor', async () => {
    const { connector } = rig.connectorWith({}, { originated: { owner: 'applicant', link_template: 'https://erp.example.com/k3cloud/html5/index.aspx?formId={formId}&pkid={id}', forms: { expense_reimbursement: {} } } });
    const inbox = connector.approvals;
    expect(inbox.docKinds()).toEqual(['expense_reimbursement']);
    const pages: OriginatedDoc[][] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const page = await inbox.listOriginated(cursor, { limit: 1 });
      pages.push(page.docs);
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    const all = pages.flat();
    expect(pages.every((p) => p.length <= 1)).toBe(true);
    expect(new Set(all.map((d) => d.ref.id)).size).toBe(all.length);
    const twoLines = all.find((d) => d.title === '北京出差');
    expect(twoLines?.lines).toHaveLength(2);
    const zhangsan = rig.fake.ledger.master.employee?.find((e) => e.number === 'E001');
    expect(twoLines?.owner).toEqual({ erpId: String(zhangsan?.id), name: '张三' });
    expect(twoLines?.link).toBe(`https://erp.example.com/k3cloud/html5/index.aspx?formId=${ER}&pkid=${twoLines?.ref.id}`);
    await expect(inbox.listOriginated('not-a-cursor')).rejects.toMatchObject({ code: 'erp.cursor_invalid' });
  });

  it('K3 down: listing and deciding are erp.unavailable, and nothing moved', async () => {
    const bill = rig.fake.erpUsers.create(K3_USERS.wang!, ER, expenseModel('停机', [20]));
    const ref = { erp: 'kingdee', docKind: 'expense_reimbursement' as const, formId: ER, id: String(bill.id), number: bill.no, externalKey: `origin:${ER}:${bill.id}` };
    const restore = await rig.fake.outage();
    try {
      expect(await failure(rig.connector.approvals.listOriginated(null))).toMatchObject({ code: 'erp.unavailable', retryable: true });
      expect(await failure(rig.connector.approvals.decide(ref, { decision: 'approve' }))).toMatchObject({ code: 'erp.unavailable', retryable: true });
    } finally {
      await restore();
    }
    expect(rig.fake.ledger.find(ER, String(bill.id))?.status).toBe('B');
    expect((await rig.connector.approvals.decide(ref, { decision: 'approve' })).state).toBe('approved');
  });
});

describe('Kingdee master data against the fake K3 Cloud', () => {
  let rig: KingdeeRig;
  beforeAll(async () => { rig = await startKingdeeRig(); });
  afterAll(() => rig.close());

  async function all(kind: Parameters<KingdeeRig['connector']['masterData']['listMaster']>[0], cursor: string | null, limit = 2): Promise<{ records: MasterRecord[]; cursor: string }> {
    const records: MasterRecord[] = [];
    let cur = cursor;
    for (let i = 0; i < 50; i++) {
      const page = await rig.connector.masterData.listMaster(kind, cur, { limit });
      records.push(...page.records);
      cur = page.nextCursor;
      if (!page.hasMore) break;
    }
    return { records, cursor: cur ?? '' };
  }

  it('kinds, a first full read, then an added and a renamed supplier from the cursor; a forbidden one is inactive', async () => {
    expect(rig.connector.masterData.kinds()).toEqual(['supplier', 'customer', 'department', 'expense_category', 'account', 'warehouse', 'material', 'employee']);
    const first = await all('supplier', null);
    expect(first.records).toEqual([expect.objectContaining({ kind: 'supplier', code: 'S001', name: '上海办公用品有限公司', active: true })]);
    const s001 = first.records[0] as MasterRecord;

    const m = rig.fake.ledger.masterData;
    rig.fake.ledger.advance(600_000);
    const added = m.add('supplier', { number: 'S002', name: '苏州五金', attrs: { FShortName: '苏五' } });
    m.add('supplier', { number: 'S003', name: '杭州纸业' });
    m.rename('supplier', 'S001', '上海办公用品集团');
    const second = await all('supplier', first.cursor);
    const byCode = new Map(second.records.map((r) => [r.code, r]));
    expect(byCode.get('S001')).toMatchObject({ erpId: s001.erpId, name: '上海办公用品集团', active: true });
    expect(byCode.get('S001')?.versionStamp).not.toBe(s001.versionStamp);
    expect(byCode.get('S002')).toMatchObject({ erpId: String(added.id), name: '苏州五金', aliases: ['苏五'], active: true });
    expect(byCode.has('S003')).toBe(true);

    // The overlap window re-reads what changed just before the cursor: repeats keep their version stamp (the service skips them).
    const repeat = await all('supplier', second.cursor);
    for (const r of repeat.records) expect(r.versionStamp).toBe(byCode.get(r.code)?.versionStamp);

    rig.fake.ledger.advance(600_000);
    m.rename('supplier', 'S003', '杭州纸业有限公司');
    const third = await all('supplier', repeat.cursor);
    const changed = (rs: MasterRecord[], seen: Map<string | undefined, MasterRecord>) => rs.filter((r) => seen.get(r.code)?.versionStamp !== r.versionStamp).map((r) => r.code);
    expect(changed(third.records, byCode)).toEqual(['S003']);
    rig.fake.ledger.advance(600_000);
    m.forbid('supplier', 'S002'); // stamps FForbidDate only: seen through it, long after S002's last modify date
    const fourth = await all('supplier', third.cursor);
    expect(fourth.records.filter((r) => r.code === 'S002')).toEqual([expect.objectContaining({ active: false })]);
    expect(fourth.records.map((r) => r.code)).toEqual(['S002', 'S003']); // S001 is outside the window now

    // A forbidden supplier can no longer be put on a bill.
    expect(() => rig.fake.erpUsers.create(K3_USERS.wang!, REQ, { ...requisitionModel('x', 1, 1), FEntity: [{ FMaterialId: { FNumber: 'M001' }, FReqQty: 1, FSuggestSupplierId: { FNumber: 'S002' } }] })).toThrow(/不存在或未审核/);
  });

  it('material model and unit, employees, an unknown kind, the instance\'s kinds, and an outage', async () => {
    expect((await all('material', null)).records[0]).toMatchObject({ code: 'M001', name: '办公椅', attrs: { model: 'BG-01', unit: '把' } });
    const employees = (await all('employee', null, 500)).records;
    expect(employees.map((e) => e.name)).toEqual(['张三', '李四']);
    expect(employees[0]?.attrs).toBeUndefined();
    await expect(rig.connector.masterData.listMaster('project', null)).rejects.toMatchObject({ code: 'erp.validation' });

    const instance = { ...rig.instance, masterData: { kinds: ['supplier' as const], intervalMs: 60_000 } };
    const c = kingdeeKind.create(instance, kingdeeSettingsSchema.parse(instance.settings), { clock: rig.clock, logger: pino({ level: 'silent' }) });
    expect(c.masterData?.kinds()).toEqual(['supplier']);

    const restore = await rig.fake.outage();
    try {
      expect(await failure(rig.connector.masterData.listMaster('supplier', null))).toMatchObject({ code: 'erp.unavailable' });
    } finally {
      await restore();
    }
  });
});
