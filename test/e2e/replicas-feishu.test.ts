import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { createDb, type DbHandle } from '../../src/db/create-db.ts';
import { startFakeFeishuServer, type FakeFeishuServer } from '../fakes/feishu-server.ts';
import { feishuBot, secrets, waitUntil, writePlatformEnv } from '../support/platform-env.ts';
import { chatIdOf, FeishuDriver, hasButton } from '../support/platform-feishu.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

const PEOPLE = ['zhangsan', 'lisi', 'wangwu', 'zhaoliu', 'admin'];
let tdb: TestDb;
let second: DbHandle;
let fake: FakeFeishuServer;
let a: App;
let b: App;
let fs: FeishuDriver;

beforeAll(async () => {
  tdb = await createTestDb();
  fake = await startFakeFeishuServer();
  // Two replicas on one database: separate pools on a real server; PGlite can only be shared in-process.
  second = tdb.url ? await createDb({ databaseUrl: tdb.url, poolSize: 10 }) : tdb.handle;
  const env = writePlatformEnv([feishuBot(fake.url)], { feishu: PEOPLE });
  a = await startApp({ db: tdb.handle, env, secrets, workerId: 'replica-a' });
  b = await startApp({ db: second, env, secrets, workerId: 'replica-b' });
  fs = new FeishuDriver(a.http, fake);
});
afterAll(async () => {
  await a.stop();
  await b.stop();
  if (second !== tdb.handle) await second.close();
  await fake.close();
  await tdb.drop();
});

const sends = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/open-apis/im/v1/messages');
const idle = () => waitUntil(async () => {
  const open = await a.db.db.selectFrom('outbox_jobs').select('id').where('status', '!=', 'done').execute();
  const inbox = await a.db.db.selectFrom('inbox_events').select('id').where('status', '=', 'pending').execute();
  return open.length === 0 && inbox.length === 0;
}, 'outbox and inbox to drain', 30_000);

describe('two replicas behind one Feishu webhook URL', () => {
  it('every event delivered to both replicas (webhook retries) has each effect once', async () => {
    // Each event reaches BOTH replicas, twice each, concurrently.
    const events = PEOPLE.map((u, i) => fs.messageEnvelope(u, '/new travel_expense', `ev_rep_${i}`));
    await Promise.all(events.flatMap((e) => [fs.post(e, { http: a.http }), fs.post(e, { http: b.http }), fs.post(e, { http: a.http }), fs.post(e, { http: b.http })]));
    for (const u of PEOPLE) await fs.waitForText(u, /去了哪里/);
    await idle();
    for (const u of PEOPLE) {
      const toUser = sends().filter((r) => (r.body as { receive_id?: string }).receive_id === chatIdOf(u));
      // Exactly one reply per effect: one POST per message the conversation produces, no repeat (not even a deduped one).
      expect(toUser.map((r) => JSON.parse((r.body as { content: string }).content) as { text: string }).map((c) => c.text).sort()).toEqual(['好的，开始填写「差旅报销」。', '这次出差去了哪里？']);
    }
    expect(await a.db.db.selectFrom('inbox_events').select('event_id').where('event_id', 'like', 'ev_rep_%').execute()).toHaveLength(PEOPLE.length);
    const jobs = await a.db.db.selectFrom('outbox_jobs').select(['locked_by', 'attempts']).execute();
    expect(jobs.every((j) => j.attempts === 1)).toBe(true);
  });

  it('a card click delivered to both replicas approves once; the loser answers "already handled"', async () => {
    await fs.say('zhangsan', '北京');
    await fs.waitForText('zhangsan', /多少钱/);
    await fs.say('zhangsan', '800');
    await fs.waitForText('zhangsan', /事由/);
    await fs.say('zhangsan', '拜访客户');
    const confirm = await fs.waitForCard('zhangsan', hasButton('dialog.submit'), 'the confirmation card');
    const submit = fs.clickEnvelope('zhangsan', confirm, 'dialog.submit', {}, 'ev_rep_submit');
    const submitted = await Promise.all([fs.post(submit, { http: a.http }), fs.post(submit, { http: b.http })]);
    expect(submitted.map((r) => r.body.toast?.type).sort()).toEqual(['info', 'success']);
    const number = /TRV-\d{6}-\d{4}/.exec(submitted.map((r) => r.body.toast?.content ?? '').join(' '))?.[0] ?? '';
    const lisi = await fs.waitForCard('lisi', (c) => hasButton('approve')(c) && c.title.includes(number), 'lisi task card');
    const click = fs.clickEnvelope('lisi', lisi, 'approve', {}, 'ev_rep_click');
    const answers = await Promise.all([fs.post(click, { http: a.http }), fs.post(click, { http: b.http })]);
    expect(answers.map((r) => r.body.toast?.type).sort()).toEqual(['info', 'success']);
    expect(answers.find((r) => r.body.toast?.type === 'success')?.body.toast?.content).toBe('已同意');
    await idle();
    const req = await a.db.db.selectFrom('requests').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
    expect(req.status).toBe('approved');
    expect(await a.db.db.selectFrom('requests').select('id').execute()).toHaveLength(1);
    // One card per subject, each created by exactly one POST.
    const uuids = sends().map((r) => (r.body as { uuid?: string }).uuid);
    expect(new Set(uuids).size).toBe(uuids.length);
  });
});
