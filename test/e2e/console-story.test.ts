import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { buttonsOf, ConsoleClient, textOf, timelineItem, type FeedItem } from '../support/console-client.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

type TestClock = ReturnType<typeof fixedClock>;

/** One app on its own database with its own clock; `ctx` is what the story helpers below act on. */
interface Ctx { tdb: TestDb; app: App; cc: ConsoleClient; clock: TestClock }
const ctx = {} as Ctx;
let cc: ConsoleClient;
let app: App;

async function boot(start: string): Promise<Ctx> {
  const tdb = await createTestDb();
  const clock = fixedClock(new Date(start));
  const a = await startApp({ db: tdb.handle, clock });
  return { tdb, app: a, cc: new ConsoleClient(a), clock };
}
/** Boots an app for the describe block it is called in and points the helpers at it. */
function useApp(start: string): void {
  let mine: Ctx | undefined;
  beforeAll(async () => {
    mine = await boot(start);
    Object.assign(ctx, mine);
    ({ cc, app } = mine);
  });
  afterEach(async (t) => {
    if (t.task.result?.state !== 'fail' || !mine) return;
    const stuck = await mine.app.db.db.selectFrom('outbox_jobs').select(['kind', 'status', 'attempts', 'last_error']).where('status', '!=', 'done').execute();
    console.error('jobs not done:', JSON.stringify(stuck, null, 1));
  });
  afterAll(async () => {
    await mine?.app.stop();
    await mine?.tdb.drop();
  });
}

const hasButton = (id: string) => (m: FeedItem): boolean => m.kind === 'card' && buttonsOf(m.card).some((b) => b.actionId === id);

/** zhangsan fills a travel expense over several turns and submits the confirmation card; returns the request number. */
async function submitTravel(amount: string, purpose = '拜访客户'): Promise<string> {
  expect((await cc.say('zhangsan', '/new travel_expense')).status).toBe(202);
  await cc.waitForText('zhangsan', /去了哪里|Where/);
  await cc.say('zhangsan', '北京');
  await cc.waitForText('zhangsan', /多少钱|How much/);
  await cc.say('zhangsan', amount);
  await cc.waitForText('zhangsan', /事由|purpose/);
  await cc.say('zhangsan', purpose);
  const confirm = await cc.waitFor('zhangsan', (m) => hasButton('dialog.submit')(m) && textOf(m.card).includes(purpose));
  const res = await cc.click('zhangsan', confirm.id, 'dialog.submit', { purpose: `${purpose}（已核对）` });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const number = /TRV-\d{6}-\d{4}/.exec(res.body.toast?.text ?? '')?.[0];
  expect(number).toBeDefined();
  return number ?? '';
}

const taskCard = (user: string, number: string): Promise<FeedItem> =>
  cc.waitFor(user, (m) => hasButton('approve')(m) && (m.card?.title ?? '').includes(number));
const requesterCard = (number: string, pred: (m: FeedItem) => boolean = () => true): Promise<FeedItem> =>
  cc.waitFor('zhangsan', (m) => m.kind === 'card' && (m.card?.title ?? '').includes(number) && !hasButton('dialog.submit')(m) && pred(m));
const timelineDetails = (m: FeedItem): string[] => (m.card?.blocks ?? []).flatMap((b) => (b.type === 'timeline' ? b.items.map((i) => i.detail ?? '') : []));

const HOUR = 3_600_000;

/**
 * What the requester's card must show when the story runs with the clock at `start` (UTC): every time on
 * it is the injected clock's at that step, in the tenant's zone (Asia/Shanghai), never the machine's or
 * the database's. Steps: submit at start, lisi approves 1 h later, wangwu 1 h after that, the document is
 * posted a day later and paid 30 min after that. The expected strings are written out, not computed.
 */
interface PaidStory { start: string; number: string; submitted: string; lisi: string; wangwu: string; posted: string; paid: string }
const STORIES: PaidStory[] = [
  { start: '2026-11-23T02:00:00Z', number: 'TRV-202611-0001', submitted: '2026-11-23 10:00', lisi: '2026-11-23 11:00', wangwu: '2026-11-23 12:00', posted: '2026-11-24 12:00', paid: '2026-11-24 12:30' },
  // Far ahead, and the local day and month turn over between the steps (23:30 local on the last of February).
  { start: '2031-02-28T15:30:00Z', number: 'TRV-203102-0001', submitted: '2031-02-28 23:30', lisi: '2031-03-01 00:30', wangwu: '2031-03-01 01:30', posted: '2031-03-02 01:30', paid: '2031-03-02 02:00' },
  // Far behind, across a new year in the tenant's zone (UTC is still in 2019 when the approvals land in 2020).
  { start: '2019-12-31T15:45:00Z', number: 'TRV-201912-0001', submitted: '2019-12-31 23:45', lisi: '2020-01-01 00:45', wangwu: '2020-01-01 01:45', posted: '2020-01-02 01:45', paid: '2020-01-02 02:15' },
];

/** The first request of a fresh app: routed over 5000 to finance, one sandbox document, posted and paid. */
async function paidStory(s: PaidStory): Promise<void> {
  const { clock } = ctx;
  const t0 = new Date(s.start).getTime();
  const number = await submitTravel('6560');
  expect(number).toBe(s.number);
  const first = await requesterCard(number);
  expect(timelineItem(first.card, '提交申请')?.detail).toBe(`张三 · ${s.submitted}`);

  const lisiCard = await taskCard('lisi', number);
  expect(textOf(lisiCard.card)).toContain('6,560.00');
  clock.set(new Date(t0 + HOUR));
  expect((await cc.click('lisi', lisiCard.id, 'approve', { comment: '同意' })).status).toBe(200);
  // lisi's own card updates in place: same message, higher revision, no buttons left.
  const lisiDone = await cc.waitFor('lisi', (m) => m.id === lisiCard.id && m.revision > lisiCard.revision);
  expect(buttonsOf(lisiDone.card)).toHaveLength(0);

  const wangwuCard = await taskCard('wangwu', number);
  clock.set(new Date(t0 + 2 * HOUR));
  expect((await cc.click('wangwu', wangwuCard.id, 'approve')).status).toBe(200);

  const opCard = await cc.waitFor('wangwu', (m) => hasButton('erp.post')(m) && textOf(m.card).includes(number));
  const approved = await requesterCard(number, (m) => m.id === first.id && timelineItem(m.card, 'ERP 单据已生成')?.status === 'done');
  expect(timelineItem(approved.card, 'ERP 单据已生成')?.detail).toMatch(/^sandbox SBX-\d{6}$/);
  expect(timelineDetails(approved)).toEqual(expect.arrayContaining([`李四 同意 · ${s.lisi} “同意”`, `王五 同意 · ${s.wangwu}`]));
  expect(approved.revision).toBeGreaterThan(first.revision);
  const docs = await app.db.db.selectFrom('sandbox_erp_documents').selectAll().execute();
  expect(docs).toHaveLength(1);
  expect(docs[0]?.amount).toBe('6560.00');
  expect(await app.db.db.selectFrom('erp_documents').selectAll().execute()).toHaveLength(1);

  const postedAt = new Date(t0 + 26 * HOUR);
  clock.set(postedAt);
  expect((await cc.click('wangwu', opCard.id, 'erp.post')).status).toBe(200);
  const posted = await requesterCard(number, (m) => m.id === first.id && timelineItem(m.card, '已入账')?.status === 'done');
  expect(timelineItem(posted.card, '已入账')?.detail).toBe(s.posted);
  const payCard = await cc.waitFor('wangwu', (m) => m.id === opCard.id && hasButton('erp.pay')(m) && !hasButton('erp.post')(m));
  const paidAt = new Date(t0 + 26.5 * HOUR);
  clock.set(paidAt);
  expect((await cc.click('wangwu', payCard.id, 'erp.pay', { bank_ref: 'ICBC-20261123-0042' })).status).toBe(200);
  const paid = await requesterCard(number, (m) => m.id === first.id && timelineItem(m.card, '已付款')?.status === 'done');
  expect(timelineItem(paid.card, '已付款')?.detail).toBe(`¥6,560.00 · ${s.paid} · 流水号 ICBC-20261123-0042`);
  expect(paid.card?.tone).toBe('purple');
  // Still exactly one ERP document after every sync, and every business time on the rows is the clock's.
  const ledger = await app.db.db.selectFrom('sandbox_erp_documents').select(['posted_at', 'paid_at']).execute();
  expect(ledger).toEqual([{ posted_at: postedAt, paid_at: paidAt }]);
  expect(await app.db.db.selectFrom('erp_documents').select(['posted_at', 'paid_at']).execute()).toEqual([{ posted_at: postedAt, paid_at: paidAt }]);
  const req = await app.db.db.selectFrom('requests').select(['submitted_at', 'decided_at', 'created_at']).where('number', '=', number).executeTakeFirstOrThrow();
  expect(req).toEqual({ submitted_at: new Date(t0), created_at: new Date(t0), decided_at: new Date(t0 + 2 * HOUR) });
  const acted = await app.db.db.selectFrom('approval_tasks').select(['approver_id', 'acted_at', 'created_at']).orderBy('created_at').execute();
  expect(acted).toEqual([
    { approver_id: 'lisi', created_at: new Date(t0), acted_at: new Date(t0 + HOUR) },
    { approver_id: 'wangwu', created_at: new Date(t0 + HOUR), acted_at: new Date(t0 + 2 * HOUR) },
  ]);
}

describe.each(STORIES.slice(1))('console story with the clock far from today ($start)', (s) => {
  useApp(s.start);
  it('posted, paid, decided and submitted times on the cards and rows are the injected clock\'s', async () => {
    await paidStory(s);
  });
});

describe('console story: travel expense from chat to paid', () => {
  useApp(STORIES[0]?.start ?? '');
  it('routes over 5000 to finance, creates the sandbox document once, and shows posted and paid', async () => {
    await paidStory(STORIES[0] as PaidStory);
  });

  it('reject with a reason, then edit and resubmit in the same thread, then approve', async () => {
    const number = await submitTravel('1200');
    const lisiCard = await taskCard('lisi', number);
    const noReason = await cc.click('lisi', lisiCard.id, 'reject', { comment: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error?.code).toBe('workflow.reason_required');
    expect((await cc.click('lisi', lisiCard.id, 'reject', { comment: '缺少发票' })).status).toBe(200);

    const rejected = await requesterCard(number, (m) => hasButton('resubmit')(m));
    expect(textOf(rejected.card)).toContain('缺少发票');
    await cc.waitForText('zhangsan', /被驳回.*缺少发票/);
    expect((await cc.click('zhangsan', rejected.id, 'resubmit')).status).toBe(200);
    const edit = await cc.waitFor('zhangsan', (m) => hasButton('dialog.submit')(m) && textOf(m.card).includes('1200.00'));
    const resubmit = await cc.click('zhangsan', edit.id, 'dialog.submit', { amount: '1350', purpose: '拜访客户，已附发票' });
    expect(resubmit.status).toBe(200);
    expect(resubmit.body.toast?.text).toContain(number);

    const again = await cc.waitFor('lisi', (m) => m.id === lisiCard.id && hasButton('approve')(m) && textOf(m.card).includes('1,350.00'));
    expect(again.revision).toBeGreaterThan(lisiCard.revision + 1);
    // Approve pressed on the view lisi saw before the resubmit (1,200.00): refused, the page must refresh.
    const stale = await cc.click('lisi', lisiCard.id, 'approve', {}, undefined, lisiCard.revision);
    expect(stale.status).toBe(409);
    expect(stale.body.error?.code).toBe('card.outdated');
    expect((await app.db.db.selectFrom('requests').select('status').where('number', '=', number).executeTakeFirstOrThrow()).status).toBe('pending');
    expect((await cc.click('lisi', again.id, 'approve', {}, undefined, again.revision)).status).toBe(200);
    const done = await requesterCard(number, (m) => m.id === rejected.id && textOf(m.card).includes('第 2 次提交') && m.card?.subtitle === '已通过');
    expect(done).toBeDefined();
    const req = await app.db.db.selectFrom('requests').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
    expect(req.revision).toBe(2);
    expect(req.status).toBe('approved');
  });

  it('withdraw stops the approval and updates the approver card', async () => {
    const number = await submitTravel('800');
    const lisiCard = await taskCard('lisi', number);
    const mine = await requesterCard(number, hasButton('withdraw'));
    expect((await cc.click('lisi', mine.id, 'withdraw')).status).toBe(404); // not lisi's message
    expect((await cc.click('zhangsan', mine.id, 'withdraw')).status).toBe(200);
    await cc.waitFor('lisi', (m) => m.id === lisiCard.id && !hasButton('approve')(m));
    const late = await cc.click('lisi', lisiCard.id, 'approve');
    expect(late.status).toBe(409);
    expect(late.body.error?.code).toBe('card.outdated');
  });

  it('transfer hands the task to someone else, who approves', async () => {
    const number = await submitTravel('900');
    const lisiCard = await taskCard('lisi', number);
    expect((await cc.click('lisi', lisiCard.id, 'transfer', {})).status).toBe(400);
    const nobody = await cc.click('lisi', lisiCard.id, 'transfer', { transfer_to: 'nobody-such' });
    expect([nobody.status, nobody.body.error?.code]).toEqual([400, 'workflow.invalid_transfer']);
    expect((await cc.click('lisi', lisiCard.id, 'transfer', { transfer_to: 'admin', comment: '请管理员审批' })).status).toBe(200);
    const adminCard = await taskCard('admin', number);
    // Comments from the requester reach the current approvers (and leave the task open).
    const mine = await requesterCard(number, hasButton('comment'));
    expect((await cc.click('zhangsan', mine.id, 'comment', { comment: '发票已补交' })).status).toBe(200);
    await cc.waitForText('admin', /张三 评论了.*发票已补交/);
    expect((await cc.click('lisi', lisiCard.id, 'approve')).status).toBe(409);
    expect((await cc.click('admin', adminCard.id, 'approve')).status).toBe(200);
    await requesterCard(number, (m) => m.card?.subtitle === '已通过');
  });

  it('a click by someone who is not the approver is refused with 403 and audited, nothing changes', async () => {
    const number = await submitTravel('700');
    const lisiCard = await taskCard('lisi', number);
    // wangwu replays lisi's button through the API: the console only accepts actions on cards delivered to the clicker.
    expect((await cc.click('wangwu', lisiCard.id, 'approve')).status).toBe(404);
    const req = await app.db.db.selectFrom('requests').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
    const task = await app.db.db.selectFrom('approval_tasks').selectAll().where('request_id', '=', req.id).executeTakeFirstOrThrow();
    // A forged action that reaches the engine (e.g. a platform callback with another user's task id) is refused there.
    const out = await app.approvals.act('default', req.id, { type: 'approve', actor: 'wangwu', taskId: task.id }, 'card');
    expect(out.ok).toBe(false);
    const after = await app.db.db.selectFrom('requests').selectAll().where('id', '=', req.id).executeTakeFirstOrThrow();
    expect(after.version).toBe(req.version);
    const denied = await app.db.db.selectFrom('audit_log').selectAll().where('subject_id', '=', req.id).where('action', '=', 'request.approve.denied').execute();
    expect(denied).toHaveLength(1);
    expect(denied[0]?.actor).toBe('wangwu');
  });
});
