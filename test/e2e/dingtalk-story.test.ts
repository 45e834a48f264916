import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { startFakeDingtalkServer, type FakeDingtalkServer } from '../fakes/dingtalk-server.ts';
import { DingtalkDriver, dtHasButton, type DingtalkCard } from '../support/platform-dingtalk.ts';
import { dingtalkBot, secrets, waitUntil, writePlatformEnv } from '../support/platform-env.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

const PEOPLE = ['zhangsan', 'lisi', 'wangwu', 'zhaoliu', 'admin'];
let tdb: TestDb;
let fake: FakeDingtalkServer;
let app: App;
let dt: DingtalkDriver;

beforeAll(async () => {
  tdb = await createTestDb();
  fake = await startFakeDingtalkServer();
  app = await startApp({ db: tdb.handle, env: writePlatformEnv([dingtalkBot(fake.url)], { dingtalk: PEOPLE }), secrets });
  await fake.waitForConnections(1);
  dt = new DingtalkDriver(fake);
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  const stuck = await app.db.db.selectFrom('outbox_jobs').select(['kind', 'status', 'attempts', 'last_error']).where('status', '!=', 'done').execute();
  console.error('jobs not done:', JSON.stringify(stuck, null, 1));
});
afterAll(async () => {
  await app.stop();
  await fake.close();
  await tdb.drop();
});

const idle = () => waitUntil(async () => {
  const open = await app.db.db.selectFrom('outbox_jobs').select('id').where('status', '!=', 'done').execute();
  const inbox = await app.db.db.selectFrom('inbox_events').select('id').where('status', '=', 'pending').execute();
  return open.length === 0 && inbox.length === 0;
}, 'outbox and inbox to drain');
const latestRequest = () => app.db.db.selectFrom('requests').selectAll().where('requester_id', '=', 'zhangsan').orderBy('created_at', 'desc').executeTakeFirst();

/** zhangsan chats a travel expense into a confirmation card (template card) and submits its form; returns the request. */
async function submitTravel(amount: string) {
  const seen = new Set(dt.cardsTo('zhangsan').map((c) => c.outTrackId));
  const before = (await latestRequest())?.id;
  await dt.say('zhangsan', '/new travel_expense');
  await dt.waitForText('zhangsan', /去了哪里/);
  await dt.say('zhangsan', '上海');
  await dt.waitForText('zhangsan', /多少钱/);
  await dt.say('zhangsan', amount);
  await dt.waitForText('zhangsan', /事由/);
  await dt.say('zhangsan', '参加展会');
  const confirm = await dt.waitForCard('zhangsan', (c) => !seen.has(c.outTrackId) && dtHasButton('dialog.submit')(c) && c.text.includes(amount), 'the confirmation card');
  // The fake received the card create: createAndDeliver with the form template, STREAM callbacks, to the user's robot chat.
  expect(fake.cards.get(confirm.outTrackId)?.body).toMatchObject({ cardTemplateId: 'tpl-form.schema', callbackType: 'STREAM', openSpaceId: 'dtv1.card//IM_ROBOT.staff_zhangsan' });
  await dt.click('zhangsan', confirm, 'dialog.submit', { purpose: '参加展会（已核对）' });
  const req = await waitUntil(async () => { const r = await latestRequest(); return r && r.id !== before ? r : undefined; }, 'the request');
  expect(req.fields).toMatchObject({ destination: '上海', purpose: '参加展会（已核对）' });
  return req;
}

const taskCard = (user: string, number: string): Promise<DingtalkCard> =>
  dt.waitForCard(user, (c) => dtHasButton('approve')(c) && c.title.includes(number), `${number} task card`);

describe('dingtalk story: Stream in, template cards out, real dingtalk-stream client against the fake gateway', () => {
  it('chat → confirmation card form submit → manager, then any-of finance; every card updated by PUT /v1.0/card/instances', async () => {
    const req = await submitTravel('7200');
    const lisi = await taskCard('lisi', req.number);
    // The approver card carries a comment input, so it uses the form template; buttons call back over Stream.
    expect(fake.cards.get(lisi.outTrackId)?.body).toMatchObject({ cardTemplateId: 'tpl-form.schema', callbackType: 'STREAM', openSpaceId: 'dtv1.card//IM_ROBOT.staff_lisi' });
    await dt.click('lisi', lisi, 'approve', { comment: '同意' });
    const wangwu = await taskCard('wangwu', req.number);
    const zhaoliu = await taskCard('zhaoliu', req.number);
    await dt.click('wangwu', wangwu, 'approve');
    const done = (id: string) => (c: DingtalkCard) => c.outTrackId === id && !dtHasButton('approve')(c) && c.subtitle === '已通过';
    await dt.waitForCard('wangwu', done(wangwu.outTrackId), 'wangwu card approved');
    await dt.waitForCard('zhaoliu', done(zhaoliu.outTrackId), 'zhaoliu card approved');
    await dt.waitForCard('lisi', done(lisi.outTrackId), 'lisi card approved');
    await waitUntil(() => dt.cardsTo('zhangsan').some((c) => c.title.includes(req.number) && c.subtitle === '已通过' && c.updates > 0), 'requester card approved');
    expect(dt.cardsTo('zhangsan').filter((c) => c.title.includes(req.number))).toHaveLength(1);
    const puts = fake.requests.filter((r) => r.method === 'PUT' && r.path === '/v1.0/card/instances' && (r.body as { outTrackId?: string }).outTrackId === zhaoliu.outTrackId);
    expect(puts.length).toBeGreaterThan(0);
    expect(dt.cardsTo('zhaoliu').find((c) => c.outTrackId === zhaoliu.outTrackId)?.text).toContain('已由他人处理');
  });

  it('a redelivered robot message (same msgId) and a replayed card callback (same frame id) have one effect', async () => {
    await idle();
    const textsBefore = dt.textsTo('admin').length;
    await Promise.all([dt.say('admin', '/new travel_expense', 'msgReplayed1'), dt.say('admin', '/new travel_expense', 'msgReplayed1')]);
    await dt.say('admin', '/new travel_expense', 'msgReplayed1');
    await dt.waitForText('admin', /去了哪里/);
    await idle();
    expect(dt.textsTo('admin').slice(textsBefore).sort()).toEqual(['好的，开始填写「差旅报销」。', '这次出差去了哪里？']);
    await dt.say('admin', '/cancel');

    const req = await submitTravel('300');
    const lisi = await taskCard('lisi', req.number);
    await dt.click('lisi', lisi, 'approve', {}, 'frame-replayed-1');
    await dt.click('lisi', lisi, 'approve', {}, 'frame-replayed-1');
    await idle();
    const approvals = await app.db.db.selectFrom('audit_log').selectAll().where('subject_id', '=', req.id).where('action', '=', 'request.approve').execute();
    expect(approvals).toHaveLength(1);
    expect(await app.db.db.selectFrom('inbox_events').select('id').where('event_id', '=', 'frame-replayed-1').execute()).toHaveLength(1);
  });

  it('a click by someone who is not the approver is refused and audited; nothing changes; the clicker sees why on their own copy', async () => {
    const req = await submitTravel('700');
    const lisi = await taskCard('lisi', req.number);
    await idle();
    const before = await app.db.db.selectFrom('requests').selectAll().where('id', '=', req.id).executeTakeFirstOrThrow();
    const publicBefore = { ...fake.cards.get(lisi.outTrackId)?.params };
    const answer = await dt.click('wangwu', lisi, 'approve');
    // DingTalk has no toast: the refusal is wangwu's private data on this card, nobody else's copy changes.
    expect(answer).toMatchObject({ userPrivateData: { cardParamMap: { notice: expect.stringMatching(/审批人|approver/), notice_tone: 'error' } }, cardUpdateOptions: { updatePrivateDataByKey: true } });
    expect(answer['cardData']).toBeUndefined();
    expect(dt.privateOf('wangwu', lisi)).toMatchObject({ notice: expect.stringMatching(/审批人|approver/), notice_tone: 'error' });
    expect(dt.privateOf('lisi', lisi)).toEqual({});
    expect(fake.cards.get(lisi.outTrackId)?.params).toEqual(publicBefore);
    const after = await app.db.db.selectFrom('requests').selectAll().where('id', '=', req.id).executeTakeFirstOrThrow();
    expect(after.version).toBe(before.version);
    const denied = await app.db.db.selectFrom('audit_log').selectAll().where('subject_id', '=', req.id).where('action', '=', 'request.approve.denied').execute();
    expect(denied.map((d) => d.actor)).toEqual(['wangwu']);
    // Someone not in the directory at all is refused too, and told so.
    expect(await dt.click('mallory', lisi, 'approve')).toMatchObject({ userPrivateData: { cardParamMap: { notice_tone: 'error' } } });
    expect(dt.privateOf('mallory', lisi)['notice']).toMatch(/通讯录|directory/);
    const unknown = await app.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'card.denied').execute();
    expect(unknown.map((r) => r.actor)).toContain('dingtalk:staff_mallory');
  });

  it('reject: without a reason it is refused with a note to the approver; with one the request is rejected and every card says so', async () => {
    const req = await submitTravel('800');
    const lisi = await taskCard('lisi', req.number);
    await dt.click('lisi', lisi, 'reject', { comment: '   ' });
    expect(dt.privateOf('lisi', lisi)).toMatchObject({ notice: expect.stringMatching(/原因|reason/), notice_tone: expect.stringMatching(/warning|error/) });
    expect((await app.db.db.selectFrom('requests').select('status').where('id', '=', req.id).executeTakeFirstOrThrow()).status).toBe('pending');
    await dt.click('lisi', lisi, 'reject', { comment: '预算不足，请拆单' });
    await waitUntil(async () => (await app.db.db.selectFrom('requests').select('status').where('id', '=', req.id).executeTakeFirstOrThrow()).status === 'rejected', 'request rejected');
    expect(dt.privateOf('lisi', lisi)['notice_tone']).toBe('success');
    await dt.waitForCard('lisi', (c) => c.outTrackId === lisi.outTrackId && !dtHasButton('approve')(c) && c.text.includes('你已驳回'), 'lisi card rejected');
    const mine = await dt.waitForCard('zhangsan', (c) => c.title.includes(req.number) && dtHasButton('resubmit')(c), 'requester card rejected, with resubmit');
    expect(mine.text).toContain('预算不足，请拆单');
  });

  it('transfer: without a person it is refused with a note; to a colleague, the colleague gets the task', async () => {
    const req = await submitTravel('650');
    const lisi = await taskCard('lisi', req.number);
    await dt.click('lisi', lisi, 'transfer', { transfer_to: '' });
    expect(dt.privateOf('lisi', lisi)).toMatchObject({ notice: expect.stringMatching(/转交|transfer/i), notice_tone: 'warning' });
    await dt.click('lisi', lisi, 'transfer', { transfer_to: 'zhaoliu', comment: '我出差，请赵六审' });
    const zhaoliu = await taskCard('zhaoliu', req.number);
    await dt.waitForCard('lisi', (c) => c.outTrackId === lisi.outTrackId && !dtHasButton('approve')(c) && c.text.includes('你已转交'), 'lisi card transferred');
    await dt.click('zhaoliu', zhaoliu, 'approve');
    expect(dt.privateOf('zhaoliu', zhaoliu)['notice_tone']).toBe('success');
    // 650 needs no finance step: zhaoliu's approval of the transferred step approves the request.
    await waitUntil(() => dt.cardsTo('zhangsan').some((c) => c.title.includes(req.number) && c.subtitle === '已通过'), 'requester card approved after the transfer');
    const tasks = await app.db.db.selectFrom('approval_tasks').select(['approver_id', 'status', 'transferred_from']).where('request_id', '=', req.id).orderBy('created_at').execute();
    expect(tasks).toEqual([{ approver_id: 'lisi', status: 'transferred', transferred_from: null }, { approver_id: 'zhaoliu', status: 'approved', transferred_from: 'lisi' }]);
  });

  it('comment: the approver and the requester comment from their cards; an empty comment gets a note, not silence', async () => {
    const req = await submitTravel('420');
    const lisi = await taskCard('lisi', req.number);
    await dt.click('lisi', lisi, 'comment', { comment: '' });
    expect(dt.privateOf('lisi', lisi)).toMatchObject({ notice_tone: 'warning' });
    await dt.click('lisi', lisi, 'comment', { comment: '请补充酒店发票' });
    expect(dt.privateOf('lisi', lisi)).toMatchObject({ notice_tone: 'success' });
    const mine = await dt.waitForCard('zhangsan', (c) => c.title.includes(req.number) && dtHasButton('withdraw')(c), 'requester card');
    await dt.click('zhangsan', mine, 'comment', { comment: '发票已补，见附件' });
    await idle();
    const comments = await app.db.db.selectFrom('audit_log').select(['actor']).where('subject_id', '=', req.id).where('action', '=', 'request.comment').execute();
    expect(comments.map((c) => c.actor).sort()).toEqual(['lisi', 'zhangsan']);
  });

  it('cancel: the requester withdraws a pending request; an open confirmation card is cancelled', async () => {
    const req = await submitTravel('510');
    const lisi = await taskCard('lisi', req.number);
    const mine = await dt.waitForCard('zhangsan', (c) => c.title.includes(req.number) && dtHasButton('withdraw')(c), 'requester card');
    await dt.click('zhangsan', mine, 'withdraw');
    await waitUntil(async () => (await app.db.db.selectFrom('requests').select('status').where('id', '=', req.id).executeTakeFirstOrThrow()).status === 'withdrawn', 'request withdrawn');
    await dt.waitForCard('lisi', (c) => c.outTrackId === lisi.outTrackId && !dtHasButton('approve')(c), 'lisi card no longer actionable');

    await idle();
    const seen = new Set(dt.cardsTo('zhangsan').map((c) => c.outTrackId));
    // An expense claim: its confirmation form has a pre-selected SELECT (category) and a DATE (today).
    await dt.say('zhangsan', '报销上周五加班的晚饭钱，48元');
    const confirm = await dt.waitForCard('zhangsan', (c) => !seen.has(c.outTrackId) && dtHasButton('dialog.cancel')(c), 'a confirmation card');
    const form = JSON.parse(fake.cards.get(confirm.outTrackId)?.params['form'] ?? '{}') as { fields: { name: string; type: string; defaultValue?: unknown }[] };
    expect(form.fields.find((f) => f.name === 'category')).toMatchObject({ type: 'SELECT', defaultValue: { index: 0, value: 'meal' } });
    expect(form.fields.find((f) => f.name === 'date')).toMatchObject({ type: 'DATE', defaultValue: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    await dt.click('zhangsan', confirm, 'dialog.cancel');
    await dt.waitForCard('zhangsan', (c) => c.outTrackId === confirm.outTrackId && !dtHasButton('dialog.submit')(c) && c.text.includes('已取消'), 'confirmation card cancelled');
  });

  it('throttling (403 QpsLimitForAppkeyAndApi) is waited out and retried; every card still arrives', async () => {
    const req = await submitTravel('900');
    const lisi = await taskCard('lisi', req.number);
    await idle();
    const from = fake.requests.length;
    const robotBefore = fake.robotMessages.length;
    const updatesBefore = new Map([...fake.cards.values()].map((c) => [c.outTrackId, c.updates.length]));
    const started = Date.now();
    fake.throttleNext(3);
    await dt.click('lisi', lisi, 'approve');
    await dt.waitForCard('lisi', (c) => c.outTrackId === lisi.outTrackId && c.subtitle === '已通过', 'lisi card approved after throttling');
    await waitUntil(() => dt.cardsTo('zhangsan').some((c) => c.title.includes(req.number) && c.subtitle === '已通过'), 'requester card approved after throttling');
    await idle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const calls = fake.requests.slice(from).filter((r) => r.path.startsWith('/v1.0/card/') || r.path.startsWith('/v1.0/robot/')).length;
    const updated = [...fake.cards.values()].reduce((n, c) => n + c.updates.length - (updatesBefore.get(c.outTrackId) ?? 0), 0);
    const created = [...fake.cards.values()].filter((c) => !updatesBefore.has(c.outTrackId)).length;
    const texts = fake.robotMessages.length - robotBefore;
    expect(updated).toBeGreaterThan(0);
    expect(calls).toBe(updated + created + texts + 3);
    expect(await app.db.db.selectFrom('outbox_jobs').select(['kind', 'attempts']).where('status', '!=', 'done').execute()).toEqual([]);
  });

  it('every card, update, robot message and callback answer of this story passed the strict fake', async () => {
    await idle();
    const updates = [...fake.cards.values()].reduce((n, c) => n + c.updates.length, 0);
    const answers = fake.acks.filter((a) => a.data.includes('cardParamMap')).length;
    console.info(`dingtalk story: ${fake.cards.size} cards created, ${updates} updates, ${fake.robotMessages.length} robot messages, ${answers} callback answers with card data; findings: ${dt.strictnessFindings().length}`);
    expect(fake.cards.size).toBeGreaterThan(10);
    expect(dt.strictnessFindings()).toEqual([]);
  });
});
