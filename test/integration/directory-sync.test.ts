import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { dingtalkBotSchema, feishuBotSchema } from '../../src/config/bot-schema.ts';
import { systemClock } from '../../src/core/clock.ts';
import { findUserByIdentity, identitiesOf } from '../../src/directory/directory-repo.ts';
import { syncDirectory } from '../../src/directory/directory-sync.ts';
import { createDingtalkPlatform } from '../../src/platforms/dingtalk/dingtalk-platform.ts';
import { createFeishuPlatform } from '../../src/platforms/feishu/feishu-platform.ts';
import type { DirectorySource } from '../../src/directory/directory-source.ts';
import { createPgRateLimiter } from '../../src/platforms/rate-limiter.ts';
import { startFakeDingtalkServer, type FakeDingtalkServer } from '../fakes/dingtalk-server.ts';
import { startFakeFeishuServer, type FakeFeishuServer } from '../fakes/feishu-server.ts';
import { FEISHU_BOT, feishuBot, secrets, writePlatformEnv } from '../support/platform-env.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { adminToken } from '../support/admin-token.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
let tdb: TestDb;
let feishu: FakeFeishuServer;
let dingtalk: FakeDingtalkServer;

beforeAll(async () => {
  tdb = await createTestDb();
  feishu = await startFakeFeishuServer();
  dingtalk = await startFakeDingtalkServer();
  feishu.departments.push(
    { open_department_id: 'od-sales', name: '销售部', parent_department_id: '0', leader_user_id: 'ou_l' },
    { open_department_id: 'od-east', name: '华东', parent_department_id: 'od-sales', leaders: [{ leaderType: 1, leaderID: 'ou_l' }, { leaderType: 2, leaderID: 'ou_z' }] },
  );
  feishu.users.push(
    { open_id: 'ou_z', union_id: 'on_z', user_id: 'e_z', name: '张三（飞书）', department_ids: ['od-east'], leader_user_id: 'ou_l' },
    { open_id: 'ou_l', union_id: 'on_l', name: '李四', email: 'LISI@corp.example', department_ids: ['od-sales'] },
    { open_id: 'ou_n', union_id: 'on_n', name: '新同事', department_ids: ['od-east'], leader_user_id: 'ou_z' },
  );
  dingtalk.departments.push({ dept_id: 1, name: '公司' }, { dept_id: 2, name: '财务部', parent_id: 1, dept_manager_userid_list: ['u_w'] });
  dingtalk.users.push(
    { userid: 'u_w', unionid: 'un_w', name: '王五', dept_id_list: [2] },
    { userid: 'u_m', name: '马七', dept_id_list: [2], manager_userid: 'u_w' },
  );
  const db = tdb.handle.db;
  await db.insertInto('users').values([
    { tenant_id: 'acme', id: 'zhangsan', name: '张三', email: null, department_id: null, manager_id: null, roles: ['employee', 'sales'] },
    { tenant_id: 'acme', id: 'lisi', name: '李四', email: 'lisi@corp.example', department_id: null, manager_id: null, roles: ['manager'] },
  ]).execute();
  await db.insertInto('user_identities').values({ tenant_id: 'acme', user_id: 'zhangsan', platform: 'feishu', bot_id: 'fs', external_id: 'ou_z' }).execute();
});
afterAll(async () => {
  await feishu.close();
  await dingtalk.close();
  await tdb.drop();
});

const users = async (tenant: string) => new Map((await tdb.handle.db.selectFrom('users').selectAll().where('tenant_id', '=', tenant).execute()).map((u) => [u.id, u]));
const depts = async (tenant: string) => new Map((await tdb.handle.db.selectFrom('departments').selectAll().where('tenant_id', '=', tenant).execute()).map((d) => [d.id, d]));

describe('directory sync from the platforms\' contact APIs', () => {
  it('feishu: reuses linked users, matches by email, creates the rest; managers and leaders mapped through identities', async () => {
    const db = tdb.handle.db;
    const cfg = feishuBotSchema.parse({ id: 'fs', tenant: 'acme', platform: 'feishu', domain: feishu.url, credentials: { app_id: 'A', app_secret: 'B' } });
    const p = createFeishuPlatform(cfg, { appId: 'cli_a1b2c3d4e5f60718', appSecret: 's' }, { logger: silent, clock: systemClock, limiter: createPgRateLimiter(db) });
    const first = await syncDirectory(db, { id: 'fs', platform: 'feishu', tenant: 'acme' }, p.directory);
    expect(first).toEqual({ botId: 'fs', tenantId: 'acme', users: 3, departments: 2, created: 1, identities: 7 });
    const u = await users('acme');
    expect(u.get('zhangsan')).toMatchObject({ name: '张三（飞书）', manager_id: 'lisi', department_id: 'feishu:od-east', roles: ['employee', 'sales'] });
    expect(u.get('lisi')).toMatchObject({ email: 'LISI@corp.example', department_id: 'feishu:od-sales', roles: ['manager'] });
    expect(u.get('feishu:ou_n')).toMatchObject({ name: '新同事', manager_id: 'zhangsan', roles: ['employee'] });
    const d = await depts('acme');
    expect(d.get('feishu:od-sales')).toMatchObject({ name: '销售部', parent_id: null, leader_ids: ['lisi'] });
    expect(d.get('feishu:od-east')).toMatchObject({ parent_id: 'feishu:od-sales', leader_ids: ['lisi', 'zhangsan'] });
    const ids = await db.selectFrom('user_identities').select(['external_id', 'user_id']).where('bot_id', '=', 'fs').orderBy('external_id').execute();
    expect(ids).toEqual([
      { external_id: 'e_z', user_id: 'zhangsan' }, { external_id: 'on_l', user_id: 'lisi' }, { external_id: 'on_n', user_id: 'feishu:ou_n' },
      { external_id: 'on_z', user_id: 'zhangsan' }, { external_id: 'ou_l', user_id: 'lisi' }, { external_id: 'ou_n', user_id: 'feishu:ou_n' }, { external_id: 'ou_z', user_id: 'zhangsan' },
    ]);
    // Cards are addressed to the primary id (open_id), never to an alias.
    expect((await identitiesOf(db, 'acme', 'lisi'))[0]?.externalId).toBe('ou_l');
    // The fake saw the contact v3 calls the sync made.
    expect(feishu.requests.some((r) => r.path === '/open-apis/contact/v3/users/find_by_department' && r.query['department_id'] === 'od-east')).toBe(true);
    const again = await syncDirectory(db, { id: 'fs', platform: 'feishu', tenant: 'acme' }, p.directory);
    expect(again.created).toBe(0);
    expect((await users('acme')).size).toBe(3);
  });

  it('dingtalk: departments breadth-first with managers, users with manager_userid and unionid', async () => {
    const db = tdb.handle.db;
    const cfg = dingtalkBotSchema.parse({ id: 'dt', tenant: 'globex', platform: 'dingtalk', api_base: dingtalk.url, oapi_base: dingtalk.url, credentials: { client_id: 'A', client_secret: 'B' } });
    const p = createDingtalkPlatform(cfg, { clientId: 'dingid', clientSecret: 's' }, { logger: silent, clock: systemClock, limiter: createPgRateLimiter(db) });
    const r = await syncDirectory(db, { id: 'dt', platform: 'dingtalk', tenant: 'globex' }, p.directory);
    expect(r).toMatchObject({ users: 2, departments: 2, created: 2, identities: 3 });
    const u = await users('globex');
    expect(u.get('dingtalk:u_m')).toMatchObject({ name: '马七', manager_id: 'dingtalk:u_w', department_id: 'dingtalk:2' });
    expect((await depts('globex')).get('dingtalk:2')).toMatchObject({ parent_id: 'dingtalk:1', leader_ids: ['dingtalk:u_w'] });
    expect((await identitiesOf(db, 'globex', 'dingtalk:u_w')).map((i) => i.externalId)).toEqual(['u_w', 'un_w']);
    expect(dingtalk.requests.filter((x) => x.path === '/topapi/v2/user/get')).toHaveLength(2);
  });

  it('POST /admin/api/directory/sync runs it on demand for the running bots; an unknown bot is a 404', async () => {
    const app: App = await startApp({ db: tdb.handle, env: writePlatformEnv([feishuBot(feishu.url)], {}), secrets });
    try {
      const { headers } = await adminToken(app);
      const res = await app.http.request('/admin/api/directory/sync', { method: 'POST', headers });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ synced: [{ botId: FEISHU_BOT, tenantId: 'default', users: 3, departments: 2, created: 3, identities: 7 }] });
      const one = await app.http.request(`/admin/api/directory/sync?bot=${FEISHU_BOT}`, { method: 'POST', headers });
      expect(((await one.json()) as { synced: { created: number }[] }).synced[0]?.created).toBe(0);
      const missing = await app.http.request('/admin/api/directory/sync?bot=nope', { method: 'POST', headers });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('directory.unknown_bot');
    } finally {
      await app.stop();
    }
  });

  it('a bot whose secret is missing fails the boot with a ConfigError naming the bot and the variable', async () => {
    await expect(startApp({ db: tdb.handle, env: writePlatformEnv([feishuBot(feishu.url)], {}), secrets: (n) => (n === 'FEISHU_ENCRYPT_KEY' ? undefined : secrets(n)) }))
      .rejects.toThrow('bot "feishu-test": credentials.encrypt_key: environment variable FEISHU_ENCRYPT_KEY is not set');
  });

  it('one person reached by two Feishu apps stays one user: matched by union_id across the apps', async () => {
    const db = tdb.handle.db;
    const src = (app: string): DirectorySource => ({
      listDepartments: async () => [],
      listUsers: async () => [
        { externalId: `ou_${app}_zhou`, aliases: ['on_zhou'], name: '周七', departmentExternalIds: [], managerExternalId: `ou_${app}_wu` },
        { externalId: `ou_${app}_wu`, aliases: ['on_wu'], name: '吴八', departmentExternalIds: [] },
      ],
    });
    await syncDirectory(db, { id: 'fs-a', platform: 'feishu', tenant: 'two-apps' }, src('a'));
    await syncDirectory(db, { id: 'fs-b', platform: 'feishu', tenant: 'two-apps' }, src('b'));
    const users = await db.selectFrom('users').select(['id', 'manager_id']).where('tenant_id', '=', 'two-apps').orderBy('id').execute();
    expect(users).toHaveLength(2);
    const viaA = await findUserByIdentity(db, 'feishu', 'fs-a', ['ou_a_zhou']);
    const viaB = await findUserByIdentity(db, 'feishu', 'fs-b', ['ou_b_zhou']);
    expect(viaB?.id).toBe(viaA?.id);
    expect(users.find((u) => u.id === viaA?.id)?.manager_id).toBe((await findUserByIdentity(db, 'feishu', 'fs-b', ['ou_b_wu']))?.id);
  });
});
