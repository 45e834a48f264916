import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { buttonsOf, ConsoleClient, type FeedItem } from '../support/console-client.ts';
import { inputValues, openConfirmCard, turn } from '../support/nlu-console-kit.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

/**
 * Asking about a request, through the console with the offline resolver: a travel claim paid in the sandbox
 * ledger, then a question in each language that names it (by where the trip went, or by its amount) is
 * answered about that request: paid, how much, when. A question that names no single request lists each
 * with its stage. A kind that is ruled out ("不是差旅费") does not win over the one that follows, though the
 * rest of the sentence still mentions the trip.
 */
let tdb: TestDb;
let app: App;
let cc: ConsoleClient;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock: fixedClock(new Date('2026-11-23T02:00:00Z')), env: { LOG_LEVEL: 'error' } });
  cc = new ConsoleClient(app);
});
afterEach(async (t) => {
  if (t.task.result?.state !== 'fail') return;
  const stuck = await app.db.db.selectFrom('outbox_jobs').select(['kind', 'status', 'attempts', 'last_error']).where('status', '!=', 'done').execute();
  console.error('jobs not done:', JSON.stringify(stuck, null, 1));
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

const hasButton = (id: string) => (m: FeedItem): boolean => m.kind === 'card' && buttonsOf(m.card).some((b) => b.actionId === id);
const isStatus = (m: FeedItem): boolean => m.kind === 'card' && m.card?.key === 'status';
const fields = (m: FeedItem): Record<string, string> =>
  Object.fromEntries((m.card?.blocks ?? []).flatMap((b) => (b.type === 'fields' ? b.fields.map((f) => [f.label, f.value]) : [])));

async function payInSandbox(requestId: string, number: string): Promise<string> {
  const card = await cc.waitFor('lisi', (m) => hasButton('approve')(m) && (m.card?.title ?? '').includes(number));
  expect((await cc.click('lisi', card.id, 'approve')).status).toBe(200);
  const doc = await until(() => app.db.db.selectFrom('erp_documents').selectAll().where('request_id', '=', requestId).executeTakeFirst(), (d) => d?.erp_id != null);
  const op = await cc.waitFor('wangwu', (m) => m.card?.key === `erpdoc:${doc?.id ?? ''}` && hasButton('erp.post')(m));
  expect((await cc.click('wangwu', op.id, 'erp.post')).status).toBe(200);
  const pay = await cc.waitFor('wangwu', (m) => m.id === op.id && hasButton('erp.pay')(m));
  expect((await cc.click('wangwu', pay.id, 'erp.pay', { bank_ref: 'CMB-77120' })).status).toBe(200);
  await until(() => app.db.db.selectFrom('requests').select('erp_status').where('id', '=', requestId).executeTakeFirst(), (r) => r?.erp_status === 'paid');
  return doc?.number ?? '';
}

describe('the status answer names the request asked about', () => {
  it('a paid travel claim: asked in Chinese and in English, the answer is that claim, paid, the amount and the date; a vague question lists both', async () => {
    const paid = await submitDirect(app, 'travel_expense', 'zhangsan', { period: '2026-11', destination: '杭州', amount: '3260.00', purpose: '客户培训' });
    const other = await submitDirect(app, 'travel_expense', 'zhangsan', { period: '2026-11', destination: '西宁', amount: '1880.00', purpose: '设备巡检' });
    const erpNumber = await payInSandbox(paid.id, paid.number);

    const zh = await (await turn(cc, 'zhangsan', '去杭州那趟出差的报销，钱打给我了没')).waitFor(isStatus);
    expect(zh.card?.title).toBe(`${paid.number} 差旅报销`);
    expect(fields(zh)).toMatchObject({ 状态: '已付款', 金额: '¥3,260.00', 'ERP 单号': erpNumber, 入账: '已入账 · 2026-11-23 10:00', 付款: '已付款 ¥3,260.00 · 2026-11-23 10:00' });

    const en = await (await turn(cc, 'zhangsan', 'has the 3,260 travel claim been paid out yet?')).waitFor(isStatus);
    expect(en.card?.title).toBe(`${paid.number} Travel expense`);
    expect(fields(en)).toMatchObject({ Stage: 'Paid', Amount: '¥3,260.00', Paid: 'paid ¥3,260.00 · 2026-11-23 10:00' });

    // Names neither trip: both claims, each with its stage.
    const list = await (await turn(cc, 'zhangsan', '我的差旅报销现在都到哪一步了')).waitFor(isStatus);
    expect(list.card?.title).toBe('我的申请');
    const rows = Object.entries(fields(list));
    expect(rows.map(([label]) => label.split(' ')[0]).sort()).toEqual([paid.number, other.number].sort());
    expect(rows.find(([label]) => label.startsWith(other.number))?.[1]).toMatch(/^审批中：直属上级审批/);
    expect(rows.find(([label]) => label.startsWith(paid.number))?.[1]).toBe('已付款');
  });

  it('the pending one, asked by its number: who holds it, nothing posted or paid yet', async () => {
    const [pending] = (await app.db.db.selectFrom('requests').select(['number']).where('status', '=', 'pending').where('intent_key', '=', 'travel_expense').execute());
    const card = await (await turn(cc, 'zhangsan', `${pending?.number ?? ''} 现在在谁那里？`)).waitFor(isStatus);
    expect(card.card?.title).toBe(`${pending?.number} 差旅报销`);
    expect(fields(card)).toMatchObject({ 状态: expect.stringMatching(/^审批中：直属上级审批/), 当前处理人: '李四', 金额: '¥1,880.00' });
    expect(fields(card)).not.toHaveProperty('付款');
  });

  it('a kind ruled out, then the right one: the draft is an expense claim with its amount, in both languages', async () => {
    const zh = await (await turn(cc, 'wangwu', '不是差旅费，算普通报销，出差路上的地铁票 42')).waitFor(openConfirmCard);
    expect(zh.card?.title).toBe('费用报销 · 确认');
    expect(inputValues(zh).amount).toBe('42.00');
    const en = await (await turn(cc, 'lisi', 'not a travel claim but a plain expense: the taxi during the trip, 27 yuan')).waitFor(openConfirmCard);
    expect(en.card?.title).toBe('Expense claim · confirm');
    expect(inputValues(en)).toMatchObject({ amount: '27.00', category: 'transport' });
  });
});
