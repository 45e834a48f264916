import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { startFakeFeishuServer, type FakeFeishuServer } from '../fakes/feishu-server.ts';
import { feishuBot, secrets, writePlatformEnv } from '../support/platform-env.ts';
import { FeishuDriver, hasButton } from '../support/platform-feishu.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

let tdb: TestDb;
let fake: FakeFeishuServer;
let app: App;
let fs: FeishuDriver;

beforeAll(async () => {
  tdb = await createTestDb();
  fake = await startFakeFeishuServer();
  // The same bot over the long connection: no webhook mount, no encrypt key / token needed.
  const bot = feishuBot(fake.url, { transport: 'websocket', credentials: { app_id: 'FEISHU_APP_ID', app_secret: 'FEISHU_APP_SECRET' } });
  app = await startApp({ db: tdb.handle, env: writePlatformEnv([bot], { feishu: ['zhangsan', 'lisi', 'wangwu', 'admin'] }), secrets });
  await fake.waitForWsConnections(1);
  fs = new FeishuDriver(app.http, fake);
});
afterAll(async () => {
  await app.stop();
  await fake.close();
  await tdb.drop();
});

describe('feishu story over the long connection (real WSClient against the fake)', () => {
  it('messages and the confirmation click arrive as WS frames; replies and cards go out through the OpenAPI', async () => {
    expect((await app.http.request('/webhooks/feishu/feishu-test', { method: 'POST', body: '{}' })).status).toBe(404);
    for (const [text, next] of [['/new travel_expense', /去了哪里/], ['杭州', /多少钱/], ['980', /事由/]] as const) {
      expect(await fake.pushWsEvent(fs.messageEnvelope('zhangsan', text))).toEqual({ code: 200 });
      await fs.waitForText('zhangsan', next);
    }
    // A redelivered frame (same event_id) is acked and stored once.
    const last = fs.messageEnvelope('zhangsan', '客户回访', 'ev_ws_redelivered');
    await fake.pushWsEvent(last);
    await fake.pushWsEvent(last);
    const confirm = await fs.waitForCard('zhangsan', (c) => hasButton('dialog.submit')(c) && c.text.includes('980'), 'the confirmation card');
    const ack = await fake.pushWsEvent(fs.clickEnvelope('zhangsan', confirm, 'dialog.submit', { purpose: '客户回访（已核对）' }));
    expect(ack.code).toBe(200);
    const toast = (ack.data as { toast?: { type: string; content: string } } | undefined)?.toast;
    expect(toast?.type).toBe('success');
    const number = /TRV-\d{6}-\d{4}/.exec(toast?.content ?? '')?.[0] ?? '';
    const lisi = await fs.waitForCard('lisi', (c) => hasButton('approve')(c) && c.title.includes(number), 'lisi task card');
    expect((await fake.pushWsEvent(fs.clickEnvelope('lisi', lisi, 'approve'))).data).toMatchObject({ toast: { type: 'success' } });
    await fs.waitForCard('lisi', (c) => c.messageId === lisi.messageId && c.subtitle === '已通过', 'lisi card approved');
    expect(await app.db.db.selectFrom('inbox_events').select('id').where('event_id', '=', 'ev_ws_redelivered').execute()).toHaveLength(1);
    // The clicks carried only name + form_value; every card passed Feishu's rules; the clicked cards changed after their answers.
    await fs.waitForCard('zhangsan', (c) => c.messageId === confirm.messageId && c.updates > 0, 'the confirmation card updated');
    for (const id of [confirm.messageId, lisi.messageId]) {
      expect(fake.log.filter((e) => e.messageId === id).map((e) => e.kind).slice(0, 4), id).toEqual(['send', 'click', 'answer', 'patch']);
    }
    expect({ rejected: fake.rejected, violations: fake.violations, clientErrors: fake.clientErrors }).toEqual({ rejected: [], violations: [], clientErrors: [] });
  });
});
