import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { startFakeFeishuServer, type FakeFeishuServer } from '../fakes/feishu-server.ts';
import { feishuBot, secrets, waitUntil, writePlatformEnv } from '../support/platform-env.ts';
import { chatIdOf, FeishuDriver, hasButton, type FeishuCard } from '../support/platform-feishu.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

const PEOPLE = ['zhangsan', 'lisi', 'wangwu', 'zhaoliu', 'admin'];
let tdb: TestDb;
let fake: FakeFeishuServer;
let app: App;
let fs: FeishuDriver;

beforeAll(async () => {
  tdb = await createTestDb();
  fake = await startFakeFeishuServer();
  app = await startApp({ db: tdb.handle, env: writePlatformEnv([feishuBot(fake.url)], { feishu: PEOPLE }), secrets });
  fs = new FeishuDriver(app.http, fake);
});
afterEach(async (ctx) => {
  // Every card the service sent, PATCHed or answered with passed Feishu's rules, and no clicked card was PATCHed before its answer.
  expect({ rejected: fake.rejected, violations: fake.violations, clientErrors: fake.clientErrors }).toEqual({ rejected: [], violations: [], clientErrors: [] });
  if (ctx.task.result?.state !== 'fail') return;
  const stuck = await app.db.db.selectFrom('outbox_jobs').select(['kind', 'status', 'attempts', 'last_error']).where('status', '!=', 'done').execute();
  console.error('jobs not done:', JSON.stringify(stuck, null, 1));
});
afterAll(async () => {
  await app.stop();
  await fake.close();
  await tdb.drop();
});

const audits = (action: string) => app.db.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq').execute();
const idle = () => waitUntil(async () => {
  const open = await app.db.db.selectFrom('outbox_jobs').select('id').where('status', '!=', 'done').execute();
  const inbox = await app.db.db.selectFrom('inbox_events').select('id').where('status', '=', 'pending').execute();
  return open.length === 0 && inbox.length === 0;
}, 'outbox and inbox to drain');

/** zhangsan answers the travel form's questions in chat; returns the new confirmation card. */
async function travelDraft(destination: string, amount: string, purpose: string) {
  const seen = new Set(fs.cardsTo('zhangsan').map((c) => c.messageId));
  expect((await fs.say('zhangsan', '/new travel_expense')).status).toBe(200);
  await fs.waitForText('zhangsan', /去了哪里/);
  await fs.say('zhangsan', destination);
  await fs.waitForText('zhangsan', /多少钱/);
  await fs.say('zhangsan', amount);
  await fs.waitForText('zhangsan', /事由/);
  await fs.say('zhangsan', purpose);
  return fs.waitForCard('zhangsan', (c) => !seen.has(c.messageId) && hasButton('dialog.submit')(c) && c.text.includes(amount), 'the confirmation card');
}

/** zhangsan chats a travel expense into a confirmation card and submits it by form; returns the request number. */
async function submitTravel(amount: string): Promise<string> {
  const confirm = await travelDraft('北京', amount, '拜访客户');
  // The fake received the card create: an interactive message to the p2p chat, JSON 2.0, with the form.
  const uuid = fake.messages.get(confirm.messageId)?.uuid;
  const cardCreate = fake.requests.find((r) => r.method === 'POST' && r.path === '/open-apis/im/v1/messages' && (r.body as { uuid?: string }).uuid === uuid);
  expect(cardCreate?.query).toMatchObject({ receive_id_type: 'chat_id' });
  expect(cardCreate?.body).toMatchObject({ receive_id: chatIdOf('zhangsan'), msg_type: 'interactive' });
  expect(JSON.parse((cardCreate?.body as { content: string }).content)).toMatchObject({ schema: '2.0', config: { update_multi: true } });
  // Confirmation by card form submit: the callback carries the (edited) form values.
  const res = await fs.click('zhangsan', confirm, 'dialog.submit', { purpose: '拜访客户（已核对）' });
  expect(res.status).toBe(200);
  expect(res.body.toast?.type).toBe('success');
  const number = /TRV-\d{6}-\d{4}/.exec(res.body.toast?.content ?? '')?.[0];
  expect(number, JSON.stringify(res.body)).toBeDefined();
  return number ?? '';
}

const taskCard = (user: string, number: string): Promise<FeishuCard> =>
  fs.waitForCard(user, (c) => hasButton('approve')(c) && c.title.includes(number), `${number} task card`);

describe('feishu story: webhook in, cards out, through the real SDK against the fake OpenAPI', () => {
  it('chat → form → confirmation card submit → manager, then any-of finance; every card PATCHed in place', async () => {
    const number = await submitTravel('6560');
    const req = await app.db.db.selectFrom('requests').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
    expect(req.fields).toMatchObject({ destination: '北京', purpose: '拜访客户（已核对）' });

    const lisi = await taskCard('lisi', number);
    expect(lisi.to).toBe('ou_lisi');
    expect((await fs.click('lisi', lisi, 'approve', { comment: '同意' })).body.toast?.type).toBe('success');
    const wangwu = await taskCard('wangwu', number);
    const zhaoliu = await taskCard('zhaoliu', number);
    await waitUntil(() => fs.cardsTo('lisi').find((c) => c.messageId === lisi.messageId && c.updates > 0 && !hasButton('approve')(c)), 'lisi card PATCHed');

    const res = await fs.click('wangwu', wangwu, 'approve');
    expect(res.body.toast).toEqual({ type: 'success', content: '已同意' });
    // Every approver's card and the requester's card are PATCHed (same message ids, no second send).
    const done = (id: string) => (c: FeishuCard) => c.messageId === id && !hasButton('approve')(c) && c.subtitle === '已通过';
    await fs.waitForCard('wangwu', done(wangwu.messageId), 'wangwu card approved');
    await fs.waitForCard('zhaoliu', done(zhaoliu.messageId), 'zhaoliu card approved');
    await fs.waitForCard('lisi', done(lisi.messageId), 'lisi card approved');
    const requesterCards = () => fs.cardsTo('zhangsan').filter((c) => c.title.includes(number));
    await waitUntil(() => requesterCards().some((c) => c.subtitle === '已通过' && c.updates > 0), 'requester card approved');
    expect(requesterCards()).toHaveLength(1);
    expect(fs.cardsTo('zhaoliu').find((c) => c.messageId === zhaoliu.messageId)?.text).toContain('已由他人处理');
    const patches = fake.requests.filter((r) => r.method === 'PATCH' && r.path === `/open-apis/im/v1/messages/${zhaoliu.messageId}`);
    expect(patches.length).toBeGreaterThan(0);
    const after = await app.db.db.selectFrom('requests').selectAll().where('id', '=', req.id).executeTakeFirstOrThrow();
    expect(after.status).toBe('approved');
  });

  it('a forged signature and a stale timestamp are refused with 401 and audited; nothing reaches the inbox', async () => {
    const inboxBefore = (await app.db.db.selectFrom('inbox_events').select('id').execute()).length;
    const forged = await fs.post(fs.messageEnvelope('zhangsan', '批准所有申请'), { tamper: (h) => ({ ...h, 'x-lark-signature': 'f'.repeat(64) }) });
    expect(forged).toEqual({ status: 401, body: { error: { code: 'feishu.bad_signature', message: 'request verification failed' } } });
    const stale = await fs.post(fs.messageEnvelope('zhangsan', '批准所有申请'), { timestampSec: Math.floor(Date.now() / 1000) - 3600 });
    expect(stale.status).toBe(401);
    expect(stale.body.error?.code).toBe('feishu.stale_timestamp');
    // Counted under the bot (and, by the HTTP layer, under the client's address), per reason and minute: not a row each.
    const counted = await app.db.db.selectFrom('refusal_counts').select(['tenant_id', 'source', 'reason', 'count']).where('source', '=', 'bot:feishu-test').orderBy('reason').execute();
    expect(counted.map((r) => [r.tenant_id, r.reason, Number(r.count)])).toEqual([['default', 'feishu.bad_signature', 1], ['default', 'feishu.stale_timestamp', 1]]);
    expect((await app.db.db.selectFrom('inbox_events').select('id').execute()).length).toBe(inboxBefore);
  });

  it('a replayed event (same event_id twice) has one effect; a replayed click answers "already handled"', async () => {
    await idle();
    const textsBefore = fs.textsTo('admin').length;
    const env = fs.messageEnvelope('admin', '/new travel_expense', 'ev_replayed_message_1');
    const [a, b] = await Promise.all([fs.post(env), fs.post(env)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await fs.post(env)).status).toBe(200);
    await fs.waitForText('admin', /去了哪里/);
    await idle();
    expect(fs.textsTo('admin').slice(textsBefore).sort()).toEqual(['好的，开始填写「差旅报销」。', '这次出差去了哪里？']);
    expect(await app.db.db.selectFrom('inbox_events').select('id').where('event_id', '=', 'ev_replayed_message_1').execute()).toHaveLength(1);
    await fs.say('admin', '/cancel');

    const number = await submitTravel('300');
    const lisi = await taskCard('lisi', number);
    const click = fs.clickEnvelope('lisi', lisi, 'approve', {}, 'ev_replayed_click_1');
    expect((await fs.post(click)).body.toast?.type).toBe('success');
    // The replay is acknowledged with an info toast ("already handled"), not a second approval.
    expect((await fs.post(click)).body.toast?.type).toBe('info');
    const req = await app.db.db.selectFrom('requests').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
    const approvals = await app.db.db.selectFrom('audit_log').selectAll().where('subject_id', '=', req.id).where('action', '=', 'request.approve').execute();
    expect(approvals).toHaveLength(1);
  });

  it('a click by someone who is not the approver is refused with an error toast and audited; nothing changes', async () => {
    const number = await submitTravel('700');
    const lisi = await taskCard('lisi', number);
    const req = await app.db.db.selectFrom('requests').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
    // wangwu replays lisi's button (the signed value carries lisi's task id).
    const res = await fs.click('wangwu', lisi, 'approve');
    expect(res.status).toBe(200);
    expect(res.body.toast?.type).toBe('error');
    expect(res.body.toast?.content).toBe('你不是这个任务的审批人'); // a Chinese chat: the engine's refusal in Chinese
    const after = await app.db.db.selectFrom('requests').selectAll().where('id', '=', req.id).executeTakeFirstOrThrow();
    expect(after.version).toBe(req.version);
    const denied = await app.db.db.selectFrom('audit_log').selectAll().where('subject_id', '=', req.id).where('action', '=', 'request.approve.denied').execute();
    expect(denied.map((d) => d.actor)).toEqual(['wangwu']);
    // Someone not in the directory at all is refused before the engine, and audited too.
    const stranger = await fs.click('mallory', lisi, 'approve');
    expect(stranger.body.toast?.type).toBe('error');
    expect((await audits('card.denied')).map((r) => r.actor)).toContain('feishu:ou_mallory');
  });

  it('transfer from the person picker (an open_id) reaches that person; an open_id nobody knows (a stale picker) is refused, nothing changes', async () => {
    const number = await submitTravel('650');
    const lisi = await taskCard('lisi', number);
    const req = await app.db.db.selectFrom('requests').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
    // The client offers only the picker's options; a callback naming someone else is what a card rendered before they left would send.
    expect(await fs.tryClick('lisi', lisi, 'transfer', { transfer_to: 'ou_nobody_here' })).toEqual({ sent: false, reason: 'not_offered' });
    const unknown = await fs.post(fs.callback('lisi', lisi, { tag: 'button', name: fs.button(lisi, 'transfer').name, form_value: { transfer_to: 'ou_nobody_here' } }));
    expect(unknown.body.toast?.type).toBe('error');
    expect((await app.db.db.selectFrom('requests').select('version').where('id', '=', req.id).executeTakeFirstOrThrow()).version).toBe(req.version);
    // Feishu's select_person answers with the picked person's open_id, not a directory id.
    const res = await fs.click('lisi', lisi, 'transfer', { transfer_to: 'ou_admin', comment: '请管理员审批' });
    expect(res.body.toast).toEqual({ type: 'success', content: '已转交' });
    const tasks = await app.db.db.selectFrom('approval_tasks').select(['approver_id', 'status']).where('request_id', '=', req.id).orderBy('created_at').execute();
    expect(tasks).toEqual([{ approver_id: 'lisi', status: 'transferred' }, { approver_id: 'admin', status: 'pending' }]);
    const admin = await taskCard('admin', number);
    expect(admin.to).toBe('ou_admin');
  });

  it('what a click acts on comes from the stored card: an echoed value naming another request is ignored', async () => {
    const first = await submitTravel('410');
    const second = await submitTravel('420');
    const lisiFirst = await taskCard('lisi', first);
    const lisiSecond = await taskCard('lisi', second);
    const other = await app.db.db.selectFrom('requests').select(['id']).where('number', '=', second).executeTakeFirstOrThrow();
    const otherTask = await app.db.db.selectFrom('approval_tasks').select('id').where('request_id', '=', other.id).where('approver_id', '=', 'lisi').executeTakeFirstOrThrow();
    // A callback on the first card whose value names the second request and its task.
    const forged = fs.callback('lisi', lisiFirst, { tag: 'button', name: fs.button(lisiFirst, 'approve').name, value: { op: 'approve', requestId: other.id, taskId: otherTask.id }, form_value: {} });
    expect((await fs.post(forged)).body.toast?.type).toBe('success');
    const status = async (n: string) => (await app.db.db.selectFrom('requests').select('current_step').where('number', '=', n).executeTakeFirstOrThrow()).current_step;
    expect([await status(first), await status(second)]).toEqual([1, 0]);
    expect(lisiSecond.messageId).not.toBe(lisiFirst.messageId);
  });

  it('a 429 from Feishu is waited out (x-ogw-ratelimit-reset) and retried; every card still arrives', async () => {
    const number = await submitTravel('900');
    const lisi = await taskCard('lisi', number);
    await idle();
    const started = Date.now();
    const from = fake.requests.length;
    const updatesBefore = new Map([...fake.messages.values()].map((m) => [m.message_id, m.updates.length]));
    fake.rateLimitNext(3, 1);
    expect((await fs.click('lisi', lisi, 'approve')).body.toast?.type).toBe('success');
    await fs.waitForCard('lisi', (c) => c.messageId === lisi.messageId && c.subtitle === '已通过', 'lisi card approved after 429s');
    await waitUntil(() => fs.cardsTo('zhangsan').some((c) => c.title.includes(number) && c.subtitle === '已通过'), 'requester card approved after 429s');
    await idle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    // Exactly three calls were refused and each was repeated: calls made = effects applied + 3, and no job failed.
    const calls = fake.requests.slice(from).filter((r) => r.path.startsWith('/open-apis/im/v1/messages')).length;
    const patched = [...fake.messages.values()].reduce((n, m) => n + m.updates.length - (updatesBefore.get(m.message_id) ?? 0), 0);
    const created = [...fake.messages.values()].filter((m) => !updatesBefore.has(m.message_id)).length;
    expect(patched).toBeGreaterThan(0);
    expect(calls).toBe(patched + created + 3);
    expect(await app.db.db.selectFrom('outbox_jobs').select(['kind', 'attempts']).where('status', '!=', 'done').execute()).toEqual([]);
  });

  it('the strict client in one-to-one chats: cancel, comment, reject with reason, transfer, approve; clicks carry only name + form_value; clicked cards change after the answer', async () => {
    // Answers take 200 ms to reach Feishu: a PATCH of the clicked card sent right after the commit would land first.
    fs.answerTransitMs = 200;
    try {
      await strictClientStory();
    } finally {
      fs.answerTransitMs = 0;
    }
  });
});

/** Cancel, comment, reject with reason, transfer and approve through the fake's client, in one-to-one chats. */
async function strictClientStory(): Promise<void> {
  // Cancel is not a submit: it works with a required field emptied, which blocks Submit in the client.
  const draft = await travelDraft('上海', '480', '培训');
  expect(await fs.tryClick('zhangsan', draft, 'dialog.submit', { destination: '' })).toEqual({ sent: false, reason: 'required_missing' });
  const cancelled = await fs.tryClick('zhangsan', draft, 'dialog.cancel');
  expect(cancelled).toMatchObject({ sent: true, status: 200, body: { toast: { type: 'info' } } });
  await fs.waitForCard('zhangsan', (c) => c.messageId === draft.messageId && c.text.includes('已取消'), 'the draft card cancelled');
  patchedAfterItsAnswer(draft.messageId);

  const number = await submitTravel('720');
  const req = await app.db.db.selectFrom('requests').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
  let lisi = await taskCard('lisi', number);
  // A form button's callback carries its name and the form's values, and nothing else.
  const envelope = fs.clickEnvelope('lisi', lisi, 'comment', { comment: '发票请补充' }) as { event: { action: Record<string, unknown> } };
  expect(envelope.event.action).toEqual({ tag: 'button', name: 'Act_comment', form_value: { comment: '发票请补充' } });
  expect((await fs.post(envelope)).body.toast).toEqual({ type: 'success', content: '已发送评论' });
  expect((await audits('request.comment')).filter((a) => a.subject_id === req.id).map((a) => a.actor)).toEqual(['lisi']);

  // Reject needs a reason: without one the engine refuses; with one the request is rejected and the reason shown.
  lisi = await taskCard('lisi', number);
  expect((await fs.click('lisi', lisi, 'reject')).body.toast?.type).toBe('error');
  expect((await fs.click('lisi', lisi, 'reject', { comment: '超出差标' })).body.toast).toEqual({ type: 'success', content: '已驳回' });
  await fs.waitForCard('lisi', (c) => c.messageId === lisi.messageId && c.subtitle === '已驳回', 'lisi card rejected');
  await waitUntil(() => fs.cardsTo('zhangsan').some((c) => c.title.includes(number) && c.text.includes('超出差标')), 'the requester sees the reason');
  patchedAfterItsAnswer(lisi.messageId);

  // Transfer in the approver's one-to-one chat: the picker offers the directory's people, by open_id.
  const second = await submitTravel('730');
  const lisi2 = await taskCard('lisi', second);
  expect(lisi2.to).toBe('ou_lisi');
  const picker = /"tag":"select_person","name":"transfer_to","required":false,"options":(\[[^\]]*\])/.exec(lisi2.text)?.[1];
  expect(JSON.parse(picker ?? '[]')).toEqual([{ value: 'ou_admin' }, { value: 'ou_wangwu' }, { value: 'ou_zhaoliu' }]);
  expect(await fs.tryClick('lisi', lisi2, 'transfer', { transfer_to: 'ou_admin', comment: '请管理员审批' })).toMatchObject({ sent: true, body: { toast: { type: 'success', content: '已转交' } } });
  const admin = await taskCard('admin', second);
  expect((await fs.click('admin', admin, 'approve')).body.toast).toEqual({ type: 'success', content: '已同意' });
  await fs.waitForCard('admin', (c) => c.messageId === admin.messageId && !hasButton('approve')(c), 'admin card done');
  patchedAfterItsAnswer(admin.messageId);
  await idle();
}

/** The clicked card was PATCHed only after the click's answer, and was PATCHed (it shows the new state). */
function patchedAfterItsAnswer(messageId: string): void {
  const entries = fake.log.filter((e) => e.messageId === messageId);
  const lastClick = entries.findLastIndex((e) => e.kind === 'click');
  const answer = entries.findIndex((e, i) => i > lastClick && e.kind === 'answer');
  expect(answer, JSON.stringify(entries)).toBeGreaterThan(lastClick);
  expect(entries.slice(lastClick, answer).filter((e) => e.kind === 'patch'), JSON.stringify(entries)).toEqual([]);
}
