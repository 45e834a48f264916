import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalServiceError } from '../../src/core/errors.ts';
import type { ErpDocRef, ExternalKey, StatusChange } from '../../src/erp/erp-connector.ts';
import { erpContract } from '../contract/erp-contract.ts';
import { POSTED, startKingdeeRig, type KingdeeRig } from '../fakes/kingdee-rig.ts';

/** The Kingdee K3 Cloud connector against the loopback fake: the contract every connector passes, then K3's own cases. */
erpContract('kingdee', async () => {
  const rig = await startKingdeeRig();
  const { fake, connector } = rig;
  return {
    connector,
    kinds: [
      { docKind: 'expense_reimbursement', payload: (amount, tag) => ({ amount, currency: 'CNY', description: `contract ${tag}`, party: 'E001', item: 'FYXM01', date: '2026-03-02' }) },
      { docKind: 'payment_request', payload: (amount, tag) => ({ amount, currency: 'CNY', description: `contract ${tag}`, party: 'S001' }) },
      { docKind: 'purchase_requisition', payload: (amount, tag) => ({ amount, currency: 'CNY', description: `contract ${tag}`, party: 'S001', item: 'M001', quantity: '2' }) },
      { docKind: 'purchase_order', payload: (amount, tag) => ({ amount, currency: 'CNY', description: `contract ${tag}`, party: 'S001', item: 'M001', quantity: '2' }) },
    ],
    invalid: { docKind: 'expense_reimbursement', payload: { amount: '12.00', currency: 'CNY', description: 'nobody', party: 'E999' } },
    erpSide: {
      post: async (ref) => { fake.finance.post(ref.formId, ref.id, { field: POSTED.field, value: `记-${ref.id}`, dateField: POSTED.date_field }); },
      pay: async (ref, amount, bankRef) => { fake.finance.pay(ref.formId, ref.id, { amount, bankRef }); },
    },
    outage: () => fake.outage(),
    loseNextAnswer: () => fake.loseNextAnswer('Save'),
    close: () => rig.close(),
  };
});

let n = 0;
const keyOf = (label: string): ExternalKey => ({ namespace: 'approval:k3', key: `${label}-${++n}:r1` });
const expense = (amount: string, party = 'E001') => ({ amount, currency: 'CNY', description: 'taxi', party, date: '2026-03-02' });

async function failure(p: Promise<unknown>): Promise<ExternalServiceError> {
  const e: unknown = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof ExternalServiceError)) throw new Error(`expected an ExternalServiceError, got ${String(e)}`);
  return e;
}

async function drainAll(rig: KingdeeRig, cursor: string | null, limit = 50): Promise<{ changes: StatusChange[]; cursor: string; pages: number }> {
  const changes: StatusChange[] = [];
  let cur = cursor;
  let pages = 0;
  for (; pages < 100; pages++) {
    const page = await rig.connector.listChanges(cur, { limit });
    changes.push(...page.changes);
    cur = page.nextCursor;
    if (!page.hasMore) break;
  }
  return { changes, cursor: cur ?? '', pages: pages + 1 };
}

describe('Kingdee connector against the fake K3 Cloud', () => {
  let rig: KingdeeRig;
  beforeAll(async () => { rig = await startKingdeeRig(); });
  afterAll(() => rig.close());

  const saves = (): number => rig.fake.calls.filter((c) => c.service.endsWith('.Save')).length;
  const billsWithKey = (k: ExternalKey) => rig.fake.ledger.bills.filter((b) => b.header.get('f_bot_extkey') === `${k.namespace}:${k.key}`);

  it('Save → Submit → Audit, each step read back; our key and the payload land on the bill K3 keeps', async () => {
    const key = keyOf('flow');
    const res = await rig.connector.createDocument({ docKind: 'expense_reimbursement', externalKey: key, payload: expense('356.40'), autoApprove: true });
    expect(res).toMatchObject({ created: true, snapshot: { status: 'approved', amounts: { total: '356.40', paid: '0.00', currency: 'CNY' } } });
    expect(res.ref.number).toMatch(/^FYBX/);
    const [bill] = billsWithKey(key);
    expect(bill?.status).toBe('C');
    expect((bill?.header.get('fproposerid') as { number: string }).number).toBe('E001');
    expect(bill?.header.get('fcausa')).toBe('taxi');
    const ops = rig.fake.calls.filter((c) => /\.(Save|Submit|Audit)$/.test(c.service)).slice(-3).map((c) => c.service.split('.').pop());
    expect(ops).toEqual(['Save', 'Submit', 'Audit']);
  });

  it('a missing required field is K3\'s own refusal (FieldName and Message), not retried and nothing saved', async () => {
    const key = keyOf('required');
    const before = saves();
    const e = await failure(rig.connector.createDocument({ docKind: 'expense_reimbursement', externalKey: key, payload: { amount: '10.00', currency: 'CNY', description: 'no party' }, autoApprove: true }));
    expect(e).toMatchObject({ code: 'erp.validation', retryable: false });
    expect(e.message).toContain('“申请人”是必填项');
    expect((e.details?.errors as { fieldName: string }[]).map((x) => x.fieldName)).toContain('FProposerID');
    expect(saves()).toBe(before + 1);
    expect(billsWithKey(key)).toHaveLength(0);
  });

  it('a payload key without a mapping is refused before anything is sent', async () => {
    const before = saves();
    const e = await failure(rig.connector.createDocument({ docKind: 'expense_reimbursement', externalKey: keyOf('unmapped'), payload: { ...expense('5.00'), project: 'P-1' } }));
    expect(e).toMatchObject({ code: 'erp.validation', retryable: false });
    expect(e.message).toContain('"project"');
    expect(saves()).toBe(before);
  });

  it('after a lost Save answer (a timeout), the retry looks the key up first: exactly one bill, carried on to audited', async () => {
    const { connector } = rig.connectorWith({ timeoutMs: 300 });
    const key = keyOf('lost');
    rig.fake.loseNextAnswer('Save', 'hang');
    const e = await failure(connector.createDocument({ docKind: 'expense_reimbursement', externalKey: key, payload: expense('77.70'), autoApprove: true }));
    expect(e).toMatchObject({ code: 'erp.result_unknown', retryable: true });
    expect(billsWithKey(key).map((b) => b.status)).toEqual(['A']);
    const before = saves();
    const retry = await connector.createDocument({ docKind: 'expense_reimbursement', externalKey: key, payload: expense('77.70'), autoApprove: true });
    expect(retry).toMatchObject({ created: false, snapshot: { status: 'approved' } });
    expect(saves()).toBe(before);
    expect(billsWithKey(key)).toHaveLength(1);
  });

  it('a lost Audit answer is result unknown; the retry finds the bill audited and does not audit again', async () => {
    const key = keyOf('lost-audit');
    rig.fake.loseNextAnswer('Audit');
    expect(await failure(rig.connector.createDocument({ docKind: 'expense_reimbursement', externalKey: key, payload: expense('12.30'), autoApprove: true })))
      .toMatchObject({ code: 'erp.result_unknown', retryable: true });
    const audits = rig.fake.calls.filter((c) => c.service.endsWith('.Audit')).length;
    expect((await rig.connector.createDocument({ docKind: 'expense_reimbursement', externalKey: key, payload: expense('12.30'), autoApprove: true })).snapshot.status).toBe('approved');
    expect(rig.fake.calls.filter((c) => c.service.endsWith('.Audit')).length).toBe(audits);
    expect(billsWithKey(key)).toHaveLength(1);
  });

  it('submit, approve (Audit) and reverse (UnAudit) move the bill and say where it is; wrong states are refused with K3\'s words', async () => {
    const c = rig.connector;
    const { ref, snapshot } = await c.createDocument({ docKind: 'expense_reimbursement', externalKey: keyOf('manual'), payload: expense('200.00') });
    expect(snapshot.status).toBe('saved');
    const refused = await rig.connectorWith({}).client.operate('audit', ref.formId, [ref.id]);
    expect(refused.isSuccess).toBe(false);
    expect(refused.errors[0]?.message).toContain('只有审核中的数据才允许审核');
    expect((await c.submit(ref)).status).toBe('submitted');
    expect((await c.approve(ref)).status).toBe('approved');
    expect((await c.submit(ref)).status).toBe('approved');
    expect((await c.reverse(ref, { reason: 'withdrawn' })).status).toBe('rejected');
    expect((await c.approve(ref)).status).toBe('approved');
    rig.fake.finance.pay(ref.formId, ref.id, { amount: '200.00', bankRef: 'B-200' });
    const e = await failure(c.reverse(ref, { reason: 'too late' }));
    expect(e).toMatchObject({ code: 'erp.not_allowed_in_state', retryable: false });
    expect(e.message).toContain('已生成下游单据');
    expect((await c.getStatus(ref)).status).toBe('paid');
  });

  it('reverse with delete: a submitted bill is pulled back (CancelAssign) and deleted; it is cancelled and gone', async () => {
    const c = rig.connector;
    const { ref } = await c.createDocument({ docKind: 'payment_request', externalKey: keyOf('delete'), payload: { amount: '45.00', currency: 'CNY', party: 'S001' }, autoSubmit: true });
    expect((await c.getStatus(ref)).status).toBe('submitted');
    const gone = await c.reverse(ref, { reason: 'rejected in chat', deleteIfPossible: true });
    expect(gone.status).toBe('cancelled');
    expect(await failure(c.getStatus(ref))).toMatchObject({ code: 'erp.not_found' });
  });

  it('payment: partly paid, then paid once the bank confirms; the feed reports a bank status change the bill never shows', async () => {
    const c = rig.connector;
    const { ref } = await c.createDocument({ docKind: 'expense_reimbursement', externalKey: keyOf('pay'), payload: expense('1000.00'), autoApprove: true });
    const start = await drainAll(rig, null);
    rig.fake.finance.pay(ref.formId, ref.id, { amount: '400.00', bankRef: 'SER-1' });
    expect(await c.getStatus(ref)).toMatchObject({ status: 'partially_paid', amounts: { paid: '400.00', total: '1000.00' }, payment: { bankRef: 'SER-1' } });
    const pending = rig.fake.finance.pay(ref.formId, ref.id, { amount: '600.00', bankRef: 'SER-2', bankStatus: 'A' });
    expect(await c.getStatus(ref)).toMatchObject({ status: 'partially_paid', amounts: { paid: '400.00' } });
    // Ten minutes on, another bill changes: the feed's overlap window no longer reaches back to this bill's last change.
    rig.fake.ledger.advance(10 * 60_000);
    await c.createDocument({ docKind: 'expense_reimbursement', externalKey: keyOf('later'), payload: expense('1.00') });
    const mid = await drainAll(rig, start.cursor);
    rig.fake.finance.setBankStatus(pending.no, 'C');
    const paid = await c.getStatus(ref);
    expect(paid).toMatchObject({ status: 'paid', amounts: { paid: '1000.00' }, payment: { bankRef: 'SER-2' } });
    const feed = await drainAll(rig, mid.cursor);
    expect(feed.changes.filter((x) => x.ref.id === ref.id).map((x) => x.snapshot.versionStamp)).toContain(paid.versionStamp);
  });

  it('the feed pages with its limit and reads every bill of ours once, across forms', async () => {
    const refs: ErpDocRef[] = [];
    for (let i = 0; i < 5; i++) {
      refs.push((await rig.connector.createDocument({ docKind: i % 2 ? 'payment_request' : 'expense_reimbursement', externalKey: keyOf('page'), payload: i % 2 ? { amount: '9.00', currency: 'CNY', party: 'S001' } : expense('8.00') })).ref);
    }
    const all = await drainAll(rig, null, 2);
    expect(all.pages).toBeGreaterThan(3);
    for (const r of refs) expect(all.changes.filter((x) => x.ref.id === r.id && x.ref.formId === r.formId)).toHaveLength(1);
    const filters = rig.fake.calls.filter((x) => x.service.endsWith('ExecuteBillQuery')).map((x) => String((x.body as { data: { FilterString: string } }).data.FilterString));
    expect(filters.some((f) => /FModifyDate > '.+' OR \(FModifyDate = '.+' AND FID > \d+\)/.test(f))).toBe(true);
  });
});
