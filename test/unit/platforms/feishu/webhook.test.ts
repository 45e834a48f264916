import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../../src/core/clock.ts';
import type { InboundEvent } from '../../../../src/core/inbound-event.ts';
import { feishuBotSchema } from '../../../../src/config/bot-schema.ts';
import { createFeishuPlatform } from '../../../../src/platforms/feishu/feishu-platform.ts';
import type { AckReply } from '../../../../src/core/inbound-event.ts';
import { createMemoryRateLimiter } from '../../../../src/platforms/rate-limiter.ts';
import { buildSignedWebhook, startFakeFeishuServer, type FakeFeishuServer } from '../../../fakes/feishu-server.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/feishu/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const encryptKey = 'enc-key-123';
const verificationToken = 'rvaYgkR9qGXBCf5wCVh0Lc0MlPsx1f9k';
const clock = fixedClock(new Date('2026-11-23T10:00:00Z'));
const nowSec = () => Math.floor(clock.now().getTime() / 1000);
const silent = { info: () => {}, warn: () => {}, error: () => {} };

let fake: FakeFeishuServer;
beforeAll(async () => { fake = await startFakeFeishuServer(); });
afterAll(async () => { await fake.close(); });

async function setup(reply: AckReply = {}) {
  const accepted: InboundEvent[] = [];
  const rejected: { reason: string; meta: Record<string, unknown> }[] = [];
  const cfg = feishuBotSchema.parse({
    id: 'feishu-finance', tenant: 'acme', platform: 'feishu', domain: fake.url,
    credentials: { app_id: 'FEISHU_APP_ID', app_secret: 'FEISHU_APP_SECRET' },
  });
  const p = createFeishuPlatform(cfg, { appId: 'cli_a1b2c3d4e5f60718', appSecret: 's', encryptKey, verificationToken }, {
    logger: silent, clock, limiter: createMemoryRateLimiter(), onRejected: (reason, meta) => rejected.push({ reason, meta }),
  });
  const webhook = p.webhook;
  if (!webhook) throw new Error('webhook expected');
  await p.receivers[0]?.start(async (e) => { accepted.push(e); return reply; });
  const post = (req: { body: string; headers: Record<string, string> }) => webhook.request('/', { method: 'POST', body: req.body, headers: req.headers });
  return { accepted, rejected, post, platform: p };
}

describe('feishu webhook receiver', () => {
  it('accepts an encrypted + signed message event and acks {}', async () => {
    const s = await setup();
    const res = await s.post(buildSignedWebhook(fixture('im-message-p2p-text.json'), { encryptKey, timestampSec: nowSec() }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(s.accepted).toHaveLength(1);
    expect(s.accepted[0]).toMatchObject({ kind: 'message', source: 'feishu:feishu-finance', eventId: '5e3702a84e847582be8db7fb73283c02', tenantId: 'acme', text: '帮我提交这个月的差旅费 1200 元' });
    expect(s.rejected).toEqual([]);
  });

  it('uses the bot identity from /bot/v3/info to match group @-mentions', async () => {
    const s = await setup();
    await s.post(buildSignedWebhook(fixture('im-message-group-post-mention.json'), { encryptKey, timestampSec: nowSec() }));
    expect(s.accepted[0]).toMatchObject({ kind: 'message', chatType: 'group', text: '采购申请\n申请采购 3 台显示器\n预算 4500 元，抄送 @王五' });
    expect(fake.requests.some((r) => r.path === '/open-apis/bot/v3/info')).toBe(true);
  });

  it('answers a card callback with the AckReply as toast + card', async () => {
    const s = await setup({ toast: { type: 'success', text: '已提交' }, card: { title: '已提交', tone: 'green', blocks: [] } });
    const res = await s.post(buildSignedWebhook(fixture('card-action-trigger-form.json'), { encryptKey, timestampSec: nowSec() }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body['toast']).toEqual({ type: 'success', content: '已提交' });
    expect(body['card']).toMatchObject({ type: 'raw', data: { schema: '2.0', header: { template: 'green' } } });
    expect(s.accepted[0]).toMatchObject({ kind: 'card_action', actionId: 'submit', form: { amount: '1200' } });
  });

  it('answers the URL-verification challenge', async () => {
    const s = await setup();
    const { body } = buildSignedWebhook(fixture('url-verification.json'), { encryptKey, timestampSec: nowSec() });
    const res = await s.post({ body, headers: { 'content-type': 'application/json' } });
    expect(await res.json()).toEqual({ challenge: 'ajls384kdjx98XX' });
    expect(s.accepted).toEqual([]);
  });

  it.each([
    ['forged signature', (r: { body: string; headers: Record<string, string> }) => ({ ...r, headers: { ...r.headers, 'x-lark-signature': 'f'.repeat(64) } }), 'feishu.bad_signature'],
    ['stale timestamp', () => buildSignedWebhook(fixture('im-message-p2p-text.json'), { encryptKey, timestampSec: nowSec() - 3600 }), 'feishu.stale_timestamp'],
    ['wrong token', () => {
      const env = fixture('im-message-p2p-text.json');
      return buildSignedWebhook({ ...env, header: { ...(env['header'] as object), token: 'wrong' } }, { encryptKey, timestampSec: nowSec() });
    }, 'feishu.bad_token'],
    ['wrong encrypt key', () => buildSignedWebhook(fixture('im-message-p2p-text.json'), { encryptKey: 'other', timestampSec: nowSec() }), 'feishu.bad_signature'],
  ])('rejects %s with 401, no accept, onRejected called', async (_name, make, reason) => {
    const s = await setup();
    const req = make(buildSignedWebhook(fixture('im-message-p2p-text.json'), { encryptKey, timestampSec: nowSec() }));
    const res = await s.post(req);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: reason, message: 'request verification failed' } });
    expect(s.accepted).toEqual([]);
    expect(s.rejected).toEqual([{ reason, meta: expect.objectContaining({ botId: 'feishu-finance' }) }]);
  });

  it('a click is always answered 200 with a toast in the bot language: before start, when accept throws, when refused without words', async () => {
    const click = () => s.post(buildSignedWebhook(fixture('card-action-trigger-form.json'), { encryptKey, timestampSec: nowSec() }));
    const s = await setup();
    await s.platform.receivers[0]?.stop();
    let res = await click();
    expect([res.status, await res.json()]).toEqual([200, { toast: { type: 'error', content: '服务正在启动，请稍后再试' } }]);
    await s.platform.receivers[0]?.start(async () => { throw new Error('db down'); });
    res = await click();
    expect([res.status, await res.json()]).toEqual([200, { toast: { type: 'error', content: '操作没有完成，请稍后再试' } }]);
    await s.platform.receivers[0]?.start(async () => ({ status: 403, error: { code: 'x.denied', message: 'no' } }));
    res = await click();
    expect([res.status, await res.json()]).toEqual([200, { toast: { type: 'error', content: '操作没有完成，请稍后再试' } }]);
  });

  it('answers 503 before start and 500 when accept throws', async () => {
    const s = await setup();
    await s.platform.receivers[0]?.stop();
    const res = await s.post(buildSignedWebhook(fixture('im-message-p2p-text.json'), { encryptKey, timestampSec: nowSec() }));
    expect(res.status).toBe(503);
    await s.platform.receivers[0]?.start(async () => { throw new Error('db down'); });
    const res2 = await s.post(buildSignedWebhook(fixture('im-message-p2p-text.json'), { encryptKey, timestampSec: nowSec() }));
    expect(res2.status).toBe(500);
  });
});
