import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
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

  it('a click by someone who is not the approver is refused and audited; nothing changes', async () => {
    const req = await submitTravel('700');
    const lisi = await taskCard('lisi', req.number);
    const before = await app.db.db.selectFrom('requests').selectAll().where('id', '=', req.id).executeTakeFirstOrThrow();
    expect(await dt.click('wangwu', lisi, 'approve')).toEqual({});
    const after = await app.db.db.selectFrom('requests').selectAll().where('id', '=', req.id).executeTakeFirstOrThrow();
    expect(after.version).toBe(before.version);
    const denied = await app.db.db.selectFrom('audit_log').selectAll().where('subject_id', '=', req.id).where('action', '=', 'request.approve.denied').execute();
    expect(denied.map((d) => d.actor)).toEqual(['wangwu']);
    await dt.click('mallory', lisi, 'approve');
    const unknown = await app.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'card.denied').execute();
    expect(unknown.map((r) => r.actor)).toContain('dingtalk:staff_mallory');
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
});
