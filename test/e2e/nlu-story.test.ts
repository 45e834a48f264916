import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { DIALOG_TTL_MS } from '../../src/conversation/dialog-state.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { buttonsOf, ConsoleClient, textOf, type FeedItem } from '../support/console-client.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { hasButton, idle, inputValues, notes, openConfirmCard, routeLine, travelStory, turn } from '../support/nlu-console-kit.ts';

/** Understanding requests through the whole service, offline NLU: console → inbox → resolver → form → outbox → console. */
let tdb: TestDb;
let app: App;
let cc: ConsoleClient;
const clock = fixedClock(new Date('2026-11-23T02:00:00Z')); // Monday 10:00 in Asia/Shanghai

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock, env: { LOG_LEVEL: 'error' } });
  cc = new ConsoleClient(app);
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  const stuck = await app.db.db.selectFrom('outbox_jobs').select(['kind', 'status', 'attempts', 'last_error']).where('status', '!=', 'done').execute();
  const inbound = await app.db.db.selectFrom('inbox_events').select(['status', 'attempts', 'error']).where('status', '!=', 'done').execute();
  console.error('jobs not done:', JSON.stringify(stuck), 'inbound not done:', JSON.stringify(inbound));
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

const fieldsOf = (m: FeedItem): Record<string, string> =>
  Object.fromEntries((m.card?.blocks ?? []).flatMap((b) => (b.type === 'fields' ? b.fields.map((f) => [f.label.split(' ')[0] ?? '', f.value]) : [])));
const draftOf = async (user: string): Promise<unknown> =>
  (await app.db.db.selectFrom('dialog_sessions').select('state').where('user_id', '=', user).executeTakeFirst())?.state ?? null;

describe('NLU story (offline): one sentence to a submitted request', () => {
  it('fills two missing fields over two turns, corrects the card in place, warns over 20000 and submits on "确认"', async () => {
    expect(await travelStory(app, cc, 'zhangsan')).toBe('TRV-202611-0001');
  });

  it('in English: English questions and card; a bare "2500" keeps English; amount and date corrections in place; "submit"', async () => {
    const t1 = await turn(cc, 'lisi', 'claim my trip to Shanghai last week');
    await t1.text(/^How much did the trip cost in total\?$/);
    expect((await t1.text(/^OK, starting/)).text).toBe('OK, starting a travel expense.');
    await (await turn(cc, 'lisi', '2500')).text(/^What was the purpose of the trip\?$/);
    const card = await (await turn(cc, 'lisi', 'client visit')).waitFor(openConfirmCard);
    expect(card.card?.title).toBe('Travel expense · confirm');
    expect(inputValues(card)).toMatchObject({ destination: 'Shanghai', amount: '2500.00', purpose: 'client visit', start_date: '2026-11-16' });
    expect(routeLine(card)).toBe('Approval route: Manager approval（管理员）');

    const amount = await (await turn(cc, 'lisi', 'change the amount to 3000')).waitFor((m) => m.id === card.id && m.revision > card.revision);
    expect(inputValues(amount).amount).toBe('3000.00');
    const date = await (await turn(cc, 'lisi', 'change the date to yesterday')).waitFor((m) => m.id === card.id && m.revision > amount.revision);
    expect(inputValues(date)).toMatchObject({ amount: '3000.00', start_date: '2026-11-22' });

    const done = await turn(cc, 'lisi', 'submit');
    const said = await done.text(/^Submitted as TRV-\d{6}-\d{4}\./);
    const number = /TRV-\d{6}-\d{4}/.exec(said.text ?? '')?.[0] ?? '';
    expect(textOf((await done.waitFor((m) => m.id === card.id && !hasButton('dialog.submit')(m))).card)).toContain(`Submitted as ${number}`);
    const req = await app.db.db.selectFrom('requests').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
    expect(req.fields).toEqual({ period: '2026-11', destination: 'Shanghai', amount: '3000.00', purpose: 'client visit', start_date: '2026-11-22' });
    expect(req.requester_id).toBe('lisi');
  });

  it('"算了" cancels: the draft is cleared and its card closes in place (its Submit button is gone)', async () => {
    const card = await (await turn(cc, 'wangwu', '报销上周去北京出差的差旅费，2000元，事由参加培训')).waitFor(openConfirmCard);
    expect(inputValues(card)).toMatchObject({ destination: '北京', amount: '2000.00', purpose: '参加培训' });
    const t = await turn(cc, 'wangwu', '算了');
    await t.text(/^好的，已取消这次申请。$/);
    const closed = await t.waitFor((m) => m.id === card.id && m.revision > card.revision);
    expect(notes(closed)).toEqual(['已取消']);
    expect(buttonsOf(closed.card)).toHaveLength(0);
    expect(await draftOf('wangwu')).toBeNull();
    expect((await cc.click('wangwu', card.id, 'dialog.submit')).status).toBe(409); // the old view: card.outdated
    expect(await app.db.db.selectFrom('requests').select('id').where('requester_id', '=', 'wangwu').execute()).toHaveLength(0);
  });

  it('a different request mid-dialog switches intent: says so, closes the old card, shows the new one', async () => {
    const travel = await (await turn(cc, 'wangwu', '报销上周去北京出差的差旅费，2000元，事由参加培训')).waitFor(openConfirmCard);
    const t = await turn(cc, 'wangwu', '我要申请采购5台显示器，预算一万五');
    await t.text(/^好的，先放下「差旅报销」，改为填写「采购申请」。$/);
    const purchase = await t.waitFor((m) => openConfirmCard(m) && m.id !== travel.id);
    expect(purchase.card?.title).toBe('采购申请 · 确认');
    expect(inputValues(purchase)).toMatchObject({ item: '显示器', quantity: '5', amount: '15000.00' });
    // wangwu is the only finance approver: that step has nobody else, and the preview says so (never skipped silently).
    expect(routeLine(purchase)).toMatch(/^审批流程: ⚠ 「财务审批」没有可审批的人/);
    const old = await t.waitFor((m) => m.id === travel.id);
    expect(notes(old)).toEqual(['已取消']);
    expect(await draftOf('wangwu')).toMatchObject({ intent: 'purchase_request', stage: 'confirming' });
    await (await turn(cc, 'wangwu', '算了')).text(/已取消/);
  });

  it('an idle draft expires after DIALOG_TTL_MS: the bot says so, the old card closes, a new request starts cleanly', async () => {
    const card = await (await turn(cc, 'admin', '报销上周去上海出差的差旅费，3000元，事由培训')).waitFor(openConfirmCard);
    clock.advance(DIALOG_TTL_MS + 60_000);
    const t = await turn(cc, 'admin', '确认');
    await t.text(/^上次未提交的申请草稿已过期，我们重新开始吧。$/);
    const closed = await t.waitFor((m) => m.id === card.id && m.revision > card.revision);
    expect(notes(closed)).toEqual(['草稿已过期，未提交']);
    await idle(app, cc, 'admin');
    expect(t.all().some((m) => /已提交/.test(m.text ?? ''))).toBe(false);
    expect(await app.db.db.selectFrom('requests').select('id').where('requester_id', '=', 'admin').execute()).toHaveLength(0);
    const again = await turn(cc, 'admin', '报销上周去上海出差的差旅费');
    await again.text(/^一共花了多少钱？$/);
    await idle(app, cc, 'admin');
    expect(again.all().some((m) => /过期/.test(m.text ?? ''))).toBe(false);
    await (await turn(cc, 'admin', '算了')).text(/已取消/);
  });

  it('status questions list the user\'s requests with their stage: approval step and approver, ERP posted, paid', async () => {
    // A: 6560 → manager then finance; lisi approves, so it waits for finance (王五).
    const a = await submitInOneGo('zhangsan', '报销上周去北京出差的差旅费6560元，事由拜访客户');
    await approve('lisi', a);
    // B: 800 → manager only; approved, the sandbox document is created, then posted and paid by finance.
    const b = await submitInOneGo('zhangsan', '报销上周去天津出差的差旅费800元，事由参加展会');
    await approve('lisi', b);
    const op = await cc.waitFor('wangwu', (m) => hasButton('erp.post')(m) && textOf(m.card).includes(b));
    expect((await cc.click('wangwu', op.id, 'erp.post')).status).toBe(200);
    const pay = await cc.waitFor('wangwu', (m) => m.id === op.id && hasButton('erp.pay')(m));
    expect((await cc.click('wangwu', pay.id, 'erp.pay', { bank_ref: 'ICBC-1' })).status).toBe(200);
    await cc.waitFor('zhangsan', (m) => m.kind === 'card' && (m.card?.title ?? '').includes(b) && textOf(m.card).includes('已付款'));
    // C: a purchase request still with the manager.
    const c = await submitInOneGo('zhangsan', '我要申请采购5台显示器，预算一万五');

    const zh = await (await turn(cc, 'zhangsan', '我的单子现在都到哪了')).waitFor((m) => m.kind === 'card' && m.card?.key === 'status');
    const stages = fieldsOf(zh);
    expect(stages[a]).toBe('审批中：财务审批（王五）');
    expect(stages[b]).toBe('已付款');
    expect(stages[c]).toBe('审批中：直属上级审批（李四）');
    expect(stages['TRV-202611-0001']).toBe('审批中：直属上级审批（李四）');

    // zhangsan has one purchase request: naming the kind picks it out, so the answer is about that one.
    const en = await (await turn(cc, 'zhangsan', 'where is my purchase request')).waitFor((m) => m.kind === 'card' && m.card?.key === 'status');
    expect(en.card?.title).toBe(`${c} Purchase request`);
    expect(fieldsOf(en)).toMatchObject({ Stage: 'Pending: Manager approval', With: '李四' });
  });

  it('chit-chat and "none" get the help card, in the language written in', async () => {
    const zh = await (await turn(cc, 'zhangsan', '今天天气怎么样')).waitFor((m) => m.kind === 'card' && m.card?.key === 'help');
    expect(zh.card?.title).toBe('我可以帮你发起这些申请');
    expect(buttonsOf(zh.card).map((b) => b.actionId)).toContain('start.travel_expense');
    const en = await (await turn(cc, 'zhangsan', 'hello there, what can you do')).waitFor((m) => m.kind === 'card' && m.card?.key === 'help');
    expect(en.card?.title).toBe('I can help you with these requests');
    expect(await draftOf('zhangsan')).toBeNull();
  });
});

/** One complete sentence → card → "提交"; returns the request number. */
async function submitInOneGo(user: string, sentence: string): Promise<string> {
  const card = await (await turn(cc, user, sentence)).waitFor(openConfirmCard);
  expect(notes(card)).toEqual([]);
  const said = await (await turn(cc, user, '提交')).text(/^已提交，单号 /);
  return /[A-Z]+-\d{6}-\d{4}/.exec(said.text ?? '')?.[0] ?? '';
}

async function approve(approver: string, number: string): Promise<void> {
  const task = await cc.waitFor(approver, (m) => hasButton('approve')(m) && (m.card?.title ?? '').includes(number));
  expect((await cc.click(approver, task.id, 'approve')).status).toBe(200);
  await cc.waitFor(approver, (m) => m.id === task.id && !hasButton('approve')(m));
}
