import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dingtalkBotSchema } from '../../../../src/config/bot-schema.ts';
import { systemClock } from '../../../../src/core/clock.ts';
import { createDingtalkPlatform } from '../../../../src/platforms/dingtalk/dingtalk-platform.ts';
import { createMemoryRateLimiter } from '../../../../src/platforms/rate-limiter.ts';
import { startFakeDingtalkServer, type FakeDingtalkServer } from '../../../fakes/dingtalk-server.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
let fake: FakeDingtalkServer;
beforeEach(async () => { fake = await startFakeDingtalkServer(); });
afterEach(async () => { await fake.close(); });

function platform(templates: Record<string, string> = {}) {
  const cfg = dingtalkBotSchema.parse({
    id: 'dt', tenant: 'acme', platform: 'dingtalk', api_base: fake.url, oapi_base: fake.url, gateway: `${fake.url}/v1.0/gateway/connections/open`,
    credentials: { client_id: 'A', client_secret: 'B' }, card_templates: templates,
  });
  return createDingtalkPlatform(cfg, { clientId: 'dingclient', clientSecret: 's', robotCode: 'robot-1' }, { logger: silent, clock: systemClock, limiter: createMemoryRateLimiter() });
}
const user = { platform: 'dingtalk' as const, botId: 'dt', userExternalId: 'zhang3' };
const card = { title: '报销 R-1', tone: 'orange' as const, blocks: [{ type: 'actions' as const, buttons: [{ actionId: 'approve', label: '同意', style: 'primary' as const, value: { requestId: 'R-1' } }] }] };

describe('dingtalk messenger', () => {
  it('createAndDeliver: template by card kind, STREAM callbacks, robot space, robotCode', async () => {
    const ref = await platform({ approval: 'tpl-approval.schema' }).messenger.sendCard(user, card, { idempotencyKey: 'k1' });
    const body = fake.requests.find((r) => r.path === '/v1.0/card/instances/createAndDeliver')?.body;
    expect(body).toMatchObject({
      cardTemplateId: 'tpl-approval.schema', outTrackId: ref.messageId, callbackType: 'STREAM', openSpaceId: 'dtv1.card//IM_ROBOT.zhang3',
      imRobotOpenSpaceModel: { supportForward: false }, imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: 'robot-1' },
    });
    expect(ref.extra).toEqual({ outTrackId: ref.messageId, mode: 'card', template: 'approval' });
  });

  it('falls back to a markdown robot message with a hint when the template is missing; it cannot be updated', async () => {
    const p = platform({ form: 'tpl-form.schema' });
    const ref = await p.messenger.sendCard(user, card, { idempotencyKey: 'k2' });
    expect(fake.cards.size).toBe(0);
    expect(fake.robotMessages[0]?.body).toMatchObject({ robotCode: 'robot-1', userIds: ['zhang3'], msgKey: 'sampleMarkdown' });
    const param = JSON.parse(String(fake.robotMessages[0]?.body['msgParam'])) as { title: string; text: string };
    expect(param.title).toBe('报销 R-1');
    expect(param.text).toContain('同意');
    await expect(p.messenger.updateCard(ref, card)).rejects.toMatchObject({ code: 'card.too_old', retryable: false });
  });

  it('group sends go to groupMessages/send with the openConversationId', async () => {
    await platform().messenger.sendText({ platform: 'dingtalk', botId: 'dt', chatId: 'cidX==' }, 'hi', { idempotencyKey: 'k3' });
    expect(fake.robotMessages[0]).toMatchObject({ path: '/v1.0/robot/groupMessages/send', body: { openConversationId: 'cidX==', msgKey: 'sampleText', msgParam: '{"content":"hi"}' } });
  });

  it('retries once with a fresh token when the server rejects the cached one', async () => {
    const p = platform();
    await p.messenger.sendText(user, 'a', { idempotencyKey: 't1' });
    fake.revokeTokens();
    await p.messenger.sendText(user, 'b', { idempotencyKey: 't2' });
    expect(fake.tokensIssued).toBe(2);
    expect(fake.robotMessages).toHaveLength(2);
  });
});

describe('dingtalk directory (topapi against the fake)', () => {
  it('walks departments from the root and reads managers', async () => {
    fake.departments.push(
      { dept_id: 1, name: 'Acme' },
      { dept_id: 10, name: '财务部', parent_id: 1, dept_manager_userid_list: ['boss'] },
      { dept_id: 11, name: '出纳组', parent_id: 10 },
    );
    fake.users.push(
      { userid: 'boss', unionid: 'u-boss', name: '老板', dept_id_list: [1, 10] },
      { userid: 'zhang3', unionid: 'u-z3', name: '张三', dept_id_list: [11], manager_userid: 'boss' },
    );
    const dir = platform().directory;
    expect(await dir.listDepartments()).toEqual([
      { externalId: '1', name: 'Acme', leaderExternalIds: [] },
      { externalId: '10', name: '财务部', parentExternalId: '1', leaderExternalIds: ['boss'] },
      { externalId: '11', name: '出纳组', parentExternalId: '10', leaderExternalIds: [] },
    ]);
    expect(await dir.listUsers()).toEqual([
      { externalId: 'boss', aliases: ['u-boss'], name: '老板', departmentExternalIds: ['1', '10'] },
      { externalId: 'zhang3', aliases: ['u-z3'], name: '张三', departmentExternalIds: ['11'], managerExternalId: 'boss' },
    ]);
    expect(fake.requests.find((r) => r.path === '/topapi/v2/user/get')?.query['access_token']).toMatch(/^dt-token-/);
  });

  it('waits out oapi throttling (errcode 90018)', async () => {
    fake.departments.push({ dept_id: 1, name: 'Acme' });
    fake.throttleNext(1);
    const cfgSleep: number[] = [];
    const cfg = dingtalkBotSchema.parse({ id: 'dt', platform: 'dingtalk', api_base: fake.url, oapi_base: fake.url, credentials: { client_id: 'A', client_secret: 'B' } });
    const p = createDingtalkPlatform(cfg, { clientId: 'c', clientSecret: 's' }, { logger: silent, clock: systemClock, limiter: createMemoryRateLimiter(), sleep: async (ms) => { cfgSleep.push(ms); } });
    expect(await p.directory.listDepartments()).toHaveLength(1);
    expect(cfgSleep).toEqual([1000]);
  });
});
