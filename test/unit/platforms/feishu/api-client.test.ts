import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { feishuBotSchema } from '../../../../src/config/bot-schema.ts';
import { systemClock } from '../../../../src/core/clock.ts';
import { messageUuid } from '../../../../src/platforms/feishu/api-client.ts';
import { createFeishuPlatform, sdkDomain } from '../../../../src/platforms/feishu/feishu-platform.ts';
import { createMemoryRateLimiter, type RateLimiter } from '../../../../src/platforms/rate-limiter.ts';
import { startFakeFeishuServer, type FakeFeishuServer } from '../../../fakes/feishu-server.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
let fake: FakeFeishuServer;
beforeEach(async () => { fake = await startFakeFeishuServer(); });
afterEach(async () => { await fake.close(); });

function messenger(extra: { sleeps?: number[]; keys?: string[] } = {}) {
  const cfg = feishuBotSchema.parse({ id: 'f1', platform: 'feishu', domain: fake.url, credentials: { app_id: 'A', app_secret: 'B' } });
  const memory = createMemoryRateLimiter();
  const limiter: RateLimiter = { acquire: (key, limit, window) => { extra.keys?.push(`${key}@${limit}${window === 'minute' ? '/min' : ''}`); return memory.acquire(key, limit, window); } };
  const sleep = async (ms: number) => { extra.sleeps?.push(ms); };
  return createFeishuPlatform(cfg, { appId: 'cli_a1b2c3d4e5f60718', appSecret: 's' }, { logger: silent, clock: systemClock, limiter, sleep }).messenger;
}
const user = { platform: 'feishu' as const, botId: 'f1', userExternalId: 'ou_zhang3' };

describe('feishu messenger', () => {
  it('POSTs an interactive 2.0 shared card with receive_id_type and a ≤50-char uuid', async () => {
    await messenger().sendCard(user, { title: 'T', tone: 'blue', blocks: [] }, { idempotencyKey: 'outbox:42:push_card:' + 'x'.repeat(100) });
    const req = fake.requests.find((r) => r.path === '/open-apis/im/v1/messages');
    expect(req?.query).toEqual({ receive_id_type: 'open_id' });
    const body = req?.body as { receive_id: string; msg_type: string; content: string; uuid: string };
    expect(body.receive_id).toBe('ou_zhang3');
    expect(body.msg_type).toBe('interactive');
    expect(body.uuid.length).toBeLessThanOrEqual(50);
    expect(JSON.parse(body.content)).toMatchObject({ schema: '2.0', config: { update_multi: true } });
    expect(req?.headers['authorization']).toMatch(/^Bearer t-fake-/);
  });

  it('PATCH of a recalled card is card.gone (not retryable), so delivery sends a fresh one', async () => {
    const m = messenger();
    const ref = await m.sendCard(user, { title: 'T', tone: 'blue', blocks: [] }, { idempotencyKey: 'recalled-card' });
    fake.messages.delete(ref.messageId); // a group admin recalled it
    await expect(m.updateCard(ref, { title: 'T2', tone: 'green', blocks: [] })).rejects.toMatchObject({ code: 'card.gone', retryable: false });
  });

  it('derives a stable uuid from the idempotency key', () => {
    expect(messageUuid('a')).toBe(messageUuid('a'));
    expect(messageUuid('a')).not.toBe(messageUuid('b'));
  });

  it('refetches the tenant token once when the server rejects it', async () => {
    const m = messenger();
    await m.sendText(user, 'a', { idempotencyKey: 'k1' });
    fake.invalidateTokens();
    await m.sendText(user, 'b', { idempotencyKey: 'k2' });
    expect(fake.tokensIssued).toBe(2);
    expect(fake.messages.size).toBe(2);
  });

  it('maps a PATCH of a message that is gone (230011) to card.gone with the Feishu code', async () => {
    await expect(messenger().updateCard({ platform: 'feishu', botId: 'f1', messageId: 'om_missing' }, { title: 'x', tone: 'grey', blocks: [] }))
      .rejects.toMatchObject({ code: 'card.gone', retryable: false, details: { code: 230011 } });
  });

  it('maps domain names to the SDK domain option', () => {
    expect(sdkDomain('feishu')).toBe(0);
    expect(sdkDomain('lark')).toBe(1);
    expect(sdkDomain('http://127.0.0.1:9/')).toBe('http://127.0.0.1:9');
  });

  it('takes per-chat and app-wide (per minute, then per second) permits for sends, per-message and app-wide for PATCH: the scarcest first, the app permit right before the call', async () => {
    const keys: string[] = [];
    const m = messenger({ keys });
    const ref = await m.sendCard({ platform: 'feishu', botId: 'f1', chatId: 'oc_g' }, { title: 'T', tone: 'blue', blocks: [] }, { idempotencyKey: 'k' });
    await m.updateCard(ref, { title: 'T2', tone: 'blue', blocks: [] });
    expect(keys).toEqual([
      'feishu:cli_a1b2c3d4e5f60718:chat:oc_g@5', 'feishu:cli_a1b2c3d4e5f60718:app@1000/min', 'feishu:cli_a1b2c3d4e5f60718:app@50',
      `feishu:cli_a1b2c3d4e5f60718:msg:${ref.messageId}@5`, 'feishu:cli_a1b2c3d4e5f60718:app@1000/min', 'feishu:cli_a1b2c3d4e5f60718:app@50',
    ]);
  });

  it('waits x-ogw-ratelimit-reset seconds, and hands back a retryable error after 5 waits', async () => {
    const sleeps: number[] = [];
    const m = messenger({ sleeps });
    fake.rateLimitNext(1, 3);
    await m.sendText(user, 'a', { idempotencyKey: 'r1' });
    expect(sleeps).toEqual([3000]);
    fake.rateLimitNext(10, 2);
    await expect(m.sendText(user, 'b', { idempotencyKey: 'r2' })).rejects.toMatchObject({ code: 'feishu.rate_limited', retryable: true, retryAfterMs: 2000 });
    expect(fake.messages.size).toBe(1);
  });

  it('a reset of 0 is waited as a second, not retried in a hot loop', async () => {
    const sleeps: number[] = [];
    const m = messenger({ sleeps });
    fake.rateLimitNext(2, 0);
    await m.sendText(user, 'c', { idempotencyKey: 'r3' });
    expect(sleeps).toEqual([1000, 1000]);
  });
});
