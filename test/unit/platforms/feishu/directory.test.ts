import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feishuBotSchema } from '../../../../src/config/bot-schema.ts';
import { systemClock } from '../../../../src/core/clock.ts';
import { createFeishuPlatform } from '../../../../src/platforms/feishu/feishu-platform.ts';
import { createMemoryRateLimiter } from '../../../../src/platforms/rate-limiter.ts';
import { startFakeFeishuServer, type FakeFeishuServer } from '../../../fakes/feishu-server.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
let fake: FakeFeishuServer;

beforeAll(async () => {
  fake = await startFakeFeishuServer();
  fake.departments.push(
    { name: '财务部', open_department_id: 'od-fin', department_id: 'fin', parent_department_id: '0', leader_user_id: 'ou_boss', leaders: [{ leaderType: 1, leaderID: 'ou_boss' }, { leaderType: 2, leaderID: 'ou_deputy' }] },
    ...Array.from({ length: 60 }, (_, i) => ({ name: `组${i}`, open_department_id: `od-g${i}`, parent_department_id: 'od-fin' })),
  );
  fake.users.push(
    { open_id: 'ou_boss', union_id: 'on_boss', user_id: 'boss', name: '老板', department_ids: ['0'] },
    { open_id: 'ou_zhang3', union_id: 'on_zhang3', user_id: 'z3', name: '张三', email: 'z3@acme.cn', mobile: '+8613800000000', department_ids: ['od-fin', 'od-g1'], leader_user_id: 'ou_boss' },
  );
});
afterAll(async () => { await fake.close(); });

function directory() {
  const cfg = feishuBotSchema.parse({ id: 'f1', platform: 'feishu', domain: fake.url, credentials: { app_id: 'A', app_secret: 'B' } });
  return createFeishuPlatform(cfg, { appId: 'cli_a1b2c3d4e5f60718', appSecret: 's' }, { logger: silent, clock: systemClock, limiter: createMemoryRateLimiter() }).directory;
}

describe('feishu directory (contact v3 against the fake)', () => {
  it('lists every department across pages with leaders merged', async () => {
    const depts = await directory().listDepartments();
    expect(depts).toHaveLength(61);
    expect(depts[0]).toEqual({ externalId: 'od-fin', name: '财务部', leaderExternalIds: ['ou_boss', 'ou_deputy'] });
    expect(depts[1]).toEqual({ externalId: 'od-g0', name: '组0', parentExternalId: 'od-fin', leaderExternalIds: [] });
    const pages = fake.requests.filter((r) => r.path === '/open-apis/contact/v3/departments/0/children');
    expect(pages.map((r) => r.query['page_token'])).toEqual([undefined, '50']);
    expect(pages[0]?.query).toMatchObject({ user_id_type: 'open_id', department_id_type: 'open_department_id', fetch_child: 'true' });
  });

  it('lists users once each with aliases and leader_user_id as manager', async () => {
    const users = await directory().listUsers();
    expect(users).toEqual([
      { externalId: 'ou_boss', aliases: ['on_boss', 'boss'], name: '老板', departmentExternalIds: ['0'] },
      { externalId: 'ou_zhang3', aliases: ['on_zhang3', 'z3'], name: '张三', email: 'z3@acme.cn', mobile: '+8613800000000', departmentExternalIds: ['od-fin', 'od-g1'], managerExternalId: 'ou_boss' },
    ]);
  });
});
