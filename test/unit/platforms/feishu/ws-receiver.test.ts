import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { feishuBotSchema } from '../../../../src/config/bot-schema.ts';
import { systemClock } from '../../../../src/core/clock.ts';
import type { InboundEvent } from '../../../../src/core/inbound-event.ts';
import { createFeishuPlatform } from '../../../../src/platforms/feishu/feishu-platform.ts';
import type { Receiver } from '../../../../src/platforms/platform.ts';
import type { AckReply } from '../../../../src/core/inbound-event.ts';
import { createMemoryRateLimiter } from '../../../../src/platforms/rate-limiter.ts';
import { startFakeFeishuServer, type FakeFeishuServer } from '../../../fakes/feishu-server.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/feishu/${name}`, import.meta.url), 'utf8')) as unknown;
const silent = { info: () => {}, warn: () => {}, error: () => {} };

let fake: FakeFeishuServer;
let receiver: Receiver | undefined;
beforeEach(async () => { fake = await startFakeFeishuServer(); });
afterEach(async () => { await receiver?.stop(); receiver = undefined; await fake.close(); });

async function start(reply: AckReply | (() => Promise<AckReply>)) {
  const got: InboundEvent[] = [];
  const cfg = feishuBotSchema.parse({ id: 'feishu-ws', tenant: 'acme', platform: 'feishu', transport: 'websocket', domain: fake.url, credentials: { app_id: 'A', app_secret: 'B' } });
  const p = createFeishuPlatform(cfg, { appId: 'cli_a1b2c3d4e5f60718', appSecret: 'secret' }, { logger: silent, clock: systemClock, limiter: createMemoryRateLimiter() });
  expect(p.webhook).toBeUndefined();
  receiver = p.receivers[0];
  await receiver?.start(async (e) => { got.push(e); return typeof reply === 'function' ? reply() : reply; });
  await fake.waitForWsConnections(1);
  return got;
}

describe('feishu long-connection receiver (real WSClient against the fake)', () => {
  it('discovers the endpoint with app credentials and pings', async () => {
    await start({});
    expect(fake.ws.endpointCalls[0]).toEqual({ AppID: 'cli_a1b2c3d4e5f60718', AppSecret: 'secret' });
    const until = Date.now() + 2000;
    while (fake.ws.pings === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(fake.ws.pings).toBeGreaterThanOrEqual(1);
  });

  it('message event → accept called once, ACK code 200 without data', async () => {
    const got = await start({});
    const ack = await fake.pushWsEvent(fixture('im-message-p2p-text.json'));
    expect(ack).toEqual({ code: 200 });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ kind: 'message', source: 'feishu:feishu-ws', eventId: '5e3702a84e847582be8db7fb73283c02', text: '帮我提交这个月的差旅费 1200 元' });
  });

  it('card.action.trigger → AckReply returned in the ACK data as the callback response', async () => {
    const got = await start({ toast: { type: 'success', text: '已提交' } });
    const ack = await fake.pushWsEvent(fixture('card-action-trigger-form.json'));
    expect(ack).toEqual({ code: 200, data: { toast: { type: 'success', content: '已提交' } } });
    expect(got[0]).toMatchObject({ kind: 'card_action', actionId: 'submit', eventId: 'f7984f25108f8137722bb63c6e72ab31', message: { extra: { callbackToken: 'c-295ee57216a5dc9de90fefd0aadb4b1d7d337bc8' } } });
  });

  it('a click whose handling throws is answered with a readable error toast in the bot language, not a bare failure', async () => {
    await start(async () => { throw new Error('db down'); });
    const ack = await fake.pushWsEvent(fixture('card-action-trigger-form.json'));
    expect(ack).toEqual({ code: 200, data: { toast: { type: 'error', content: '操作没有完成，请稍后再试' } } });
  });
});
