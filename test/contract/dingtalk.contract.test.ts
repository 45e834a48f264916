import { dingtalkBotSchema } from '../../src/config/bot-schema.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { createDingtalkPlatform } from '../../src/platforms/dingtalk/dingtalk-platform.ts';
import { createMemoryRateLimiter } from '../../src/platforms/rate-limiter.ts';
import { startFakeDingtalkServer } from '../fakes/dingtalk-server.ts';
import { runMessengerContract } from './messenger.contract.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {} };

runMessengerContract('dingtalk', async () => {
  const fake = await startFakeDingtalkServer();
  const clock = fixedClock(new Date());
  const sleeps: number[] = [];
  const cfg = dingtalkBotSchema.parse({
    id: 'dingtalk-ops', tenant: 'acme', platform: 'dingtalk', api_base: fake.url, oapi_base: fake.url,
    gateway: `${fake.url}/v1.0/gateway/connections/open`,
    credentials: { client_id: 'DT_ID', client_secret: 'DT_SECRET' },
    card_templates: { form: 'tpl-form.schema', approval: 'tpl-approval.schema', status: 'tpl-status.schema' },
  });
  const p = createDingtalkPlatform(cfg, { clientId: 'dingclient', clientSecret: 'secret' }, {
    logger: silent, clock, limiter: createMemoryRateLimiter(),
    sleep: async (ms) => { sleeps.push(ms); await new Promise((r) => setTimeout(r, 5)); },
  });
  return {
    messenger: p.messenger,
    p2p: { platform: 'dingtalk', botId: 'dingtalk-ops', userExternalId: 'zhang3' },
    group: { platform: 'dingtalk', botId: 'dingtalk-ops', chatId: 'cidGroup1==' },
    delivered: () => [
      ...[...fake.cards.values()].map((c) => ({ seq: c.seq, id: c.outTrackId, kind: 'card' as const, to: c.openSpaceId.split('.').slice(2).join('.'), content: JSON.stringify(c.params) })),
      ...fake.robotMessages.map((m) => ({
        seq: m.seq, id: m.processQueryKey, kind: m.body['msgKey'] === 'sampleText' ? 'text' as const : 'card' as const,
        to: String((m.body['userIds'] as string[] | undefined)?.[0] ?? m.body['openConversationId']), content: String(m.body['msgParam']),
      })),
    ].sort((a, b) => a.seq - b.seq).map(({ seq: _seq, ...m }) => m),
    updatesOf: (ref) => (fake.cards.get(ref.messageId)?.updates ?? []).map((u) => JSON.stringify(u)),
    rateLimitNext: (n) => fake.throttleNext(n),
    sleeps,
    tokenRequests: () => fake.tokensIssued,
    advanceClock: (ms) => clock.advance(ms),
    expireCard: (ref) => fake.deleteCard(ref.messageId),
    // Everything the contract sent must also pass the strict fake: no refused call (other than the documented
    // param.cardAlreadyExist of an idempotent repeat), no variable a template could not render.
    close: async () => {
      const findings = [...fake.rejected.filter((r) => r.code !== 'param.cardAlreadyExist' && r.code !== 'param.cardNotExist').map((r) => `${r.path} ${r.code}`), ...fake.renderIssues];
      await fake.close();
      if (findings.length > 0) throw new Error(`the strict DingTalk fake found: ${findings.join('; ')}`);
    },
  };
});

