import { feishuBotSchema } from '../../src/config/bot-schema.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { createFeishuPlatform } from '../../src/platforms/feishu/feishu-platform.ts';
import { createMemoryRateLimiter } from '../../src/platforms/rate-limiter.ts';
import { startFakeFeishuServer } from '../fakes/feishu-server.ts';
import { runMessengerContract } from './messenger.contract.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {} };

runMessengerContract('feishu', async () => {
  const fake = await startFakeFeishuServer();
  const clock = fixedClock(new Date());
  const sleeps: number[] = [];
  const cfg = feishuBotSchema.parse({
    id: 'feishu-finance', tenant: 'acme', platform: 'feishu', domain: fake.url,
    credentials: { app_id: 'FEISHU_APP_ID', app_secret: 'FEISHU_APP_SECRET' },
  });
  const p = createFeishuPlatform(cfg, { appId: 'cli_a1b2c3d4e5f60718', appSecret: 'secret' }, {
    logger: silent, clock, limiter: createMemoryRateLimiter(),
    sleep: async (ms) => { sleeps.push(ms); await new Promise((r) => setTimeout(r, 5)); },
  });
  return {
    messenger: p.messenger,
    p2p: { platform: 'feishu', botId: 'feishu-finance', userExternalId: 'ou_zhang3' },
    group: { platform: 'feishu', botId: 'feishu-finance', chatId: 'oc_group1' },
    delivered: () => [...fake.messages.values()].map((m) => ({
      id: m.message_id, kind: m.msg_type === 'interactive' ? 'card' as const : 'text' as const, to: m.receive_id, content: m.content,
    })),
    updatesOf: (ref) => fake.messages.get(ref.messageId)?.updates ?? [],
    rateLimitNext: (n) => fake.rateLimitNext(n, 1),
    sleeps,
    tokenRequests: () => fake.requests.filter((r) => r.path === '/open-apis/auth/v3/tenant_access_token/internal').length,
    advanceClock: (ms) => clock.advance(ms),
    expireCard: (ref) => fake.ageMessage(ref.messageId),
    close: () => fake.close(),
  };
});
