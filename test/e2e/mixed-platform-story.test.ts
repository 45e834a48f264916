import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { startFakeDingtalkServer, type FakeDingtalkServer } from '../fakes/dingtalk-server.ts';
import { startFakeFeishuServer, type FakeFeishuServer } from '../fakes/feishu-server.ts';
import { DingtalkDriver, dtHasButton } from '../support/platform-dingtalk.ts';
import { dingtalkBot, feishuBot, secrets, waitUntil, writePlatformEnv } from '../support/platform-env.ts';
import { FeishuDriver, hasButton } from '../support/platform-feishu.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

let tdb: TestDb;
let feishu: FakeFeishuServer;
let dingtalk: FakeDingtalkServer;
let app: App;
let fs: FeishuDriver;
let dt: DingtalkDriver;

beforeAll(async () => {
  tdb = await createTestDb();
  feishu = await startFakeFeishuServer();
  dingtalk = await startFakeDingtalkServer();
  // zhangsan and lisi have identities on BOTH platforms: one directory user each.
  const env = writePlatformEnv([feishuBot(feishu.url), dingtalkBot(dingtalk.url)], { feishu: ['zhangsan', 'lisi'], dingtalk: ['zhangsan', 'lisi', 'wangwu'] });
  app = await startApp({ db: tdb.handle, env, secrets });
  await dingtalk.waitForConnections(1);
  fs = new FeishuDriver(app.http, feishu);
  dt = new DingtalkDriver(dingtalk);
});
afterAll(async () => {
  await app.stop();
  await feishu.close();
  await dingtalk.close();
  await tdb.drop();
});

describe('mixed platforms: one directory, requester on Feishu, approver on DingTalk', () => {
  it('routes the approver card to the platform the approver last used, and the decision back to the Feishu card', async () => {
    // lisi last talked to the bot on DingTalk: that is where her cards go.
    await dt.say('lisi', '/status');
    await waitUntil(async () => (await app.db.db.selectFrom('user_identities').select('last_seen_at').where('platform', '=', 'dingtalk').where('external_id', '=', 'staff_lisi').executeTakeFirst())?.last_seen_at, 'lisi seen on DingTalk');

    await fs.say('zhangsan', '/new travel_expense');
    await fs.waitForText('zhangsan', /去了哪里/);
    await fs.say('zhangsan', '深圳');
    await fs.waitForText('zhangsan', /多少钱/);
    await fs.say('zhangsan', '1500');
    await fs.waitForText('zhangsan', /事由/);
    await fs.say('zhangsan', '客户培训');
    const confirm = await fs.waitForCard('zhangsan', hasButton('dialog.submit'), 'the confirmation card');
    const submitted = await fs.click('zhangsan', confirm, 'dialog.submit', {});
    const number = /TRV-\d{6}-\d{4}/.exec(submitted.body.toast?.content ?? '')?.[0] ?? '';
    expect(number).not.toBe('');

    const task = await dt.waitForCard('lisi', (c) => dtHasButton('approve')(c) && c.title.includes(number), 'lisi task card on DingTalk');
    expect(dingtalk.cards.get(task.outTrackId)?.openSpaceId).toBe('dtv1.card//IM_ROBOT.staff_lisi');
    expect(fs.cardsTo('lisi')).toEqual([]); // nothing for lisi on Feishu
    // The requester's own cards stay on Feishu (the platform zhangsan is using).
    expect(dt.cardsTo('zhangsan')).toEqual([]);

    await dt.click('lisi', task, 'approve', { comment: '同意' });
    await waitUntil(() => fs.cardsTo('zhangsan').find((c) => c.title.includes(number) && c.subtitle === '已通过' && c.updates > 0), 'the Feishu requester card PATCHed to approved');
    await dt.waitForCard('lisi', (c) => c.outTrackId === task.outTrackId && c.subtitle === '已通过' && !dtHasButton('approve')(c), 'lisi DingTalk card updated');
    const req = await app.db.db.selectFrom('requests').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
    expect(req.status).toBe('approved');
    const approved = await app.db.db.selectFrom('audit_log').selectAll().where('subject_id', '=', req.id).where('action', '=', 'request.approve').execute();
    expect(approved.map((a) => a.actor)).toEqual(['lisi']);
  });
});
