import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import { dingtalkBotSchema } from '../../../../src/config/bot-schema.ts';
import { systemClock } from '../../../../src/core/clock.ts';
import type { InboundEvent } from '../../../../src/core/inbound-event.ts';
import { createDingtalkPlatform } from '../../../../src/platforms/dingtalk/dingtalk-platform.ts';
import type { Receiver } from '../../../../src/platforms/platform.ts';
import type { AckReply } from '../../../../src/core/inbound-event.ts';
import { createMemoryRateLimiter } from '../../../../src/platforms/rate-limiter.ts';
import { startFakeDingtalkServer, type FakeDingtalkServer } from '../../../fakes/dingtalk-server.ts';
import { until } from '../../../support/until.ts';

const frameData = (name: string) => JSON.parse((JSON.parse(readFileSync(new URL(`../../../fixtures/dingtalk/${name}`, import.meta.url), 'utf8')) as { data: string }).data) as unknown;
const errors: string[] = [];
const silent = { info: () => {}, warn: () => {}, error: (_o: object, m?: string) => { errors.push(m ?? ''); } };

let fake: FakeDingtalkServer;
let receiver: Receiver | undefined;
beforeEach(async () => { fake = await startFakeDingtalkServer(); });
afterEach(async () => { await receiver?.stop(); receiver = undefined; await fake.close(); });

async function start(reply: (e: InboundEvent) => Promise<AckReply>) {
  const cfg = dingtalkBotSchema.parse({
    id: 'dingtalk-ops', tenant: 'acme', platform: 'dingtalk', api_base: fake.url, oapi_base: fake.url,
    gateway: `${fake.url}/v1.0/gateway/connections/open`,
    credentials: { client_id: 'DT_ID', client_secret: 'DT_SECRET' },
  });
  const p = createDingtalkPlatform(cfg, { clientId: 'dingclient', clientSecret: 'secret' }, { logger: silent, clock: systemClock, limiter: createMemoryRateLimiter() }, {
    stream: { baseBackoffMs: 50, maxBackoffMs: 200, heartbeatMs: 100 },
  });
  receiver = p.receivers[0];
  await receiver?.start(reply);
  await fake.waitForConnections(1);
}

describe('dingtalk stream receiver (real DWClient against the fake gateway)', () => {
  it('subscribes robot + card topics at the configurable gateway', async () => {
    await start(async () => ({}));
    expect(fake.opens[0]?.body).toMatchObject({
      clientId: 'dingclient', clientSecret: 'secret',
      subscriptions: expect.arrayContaining([{ type: 'CALLBACK', topic: TOPIC_ROBOT }, { type: 'CALLBACK', topic: TOPIC_CARD }]),
    });
  });

  it('robot message → accept called, ACK with the same messageId', async () => {
    const got: InboundEvent[] = [];
    await start(async (e) => { got.push(e); return {}; });
    const ack = await fake.pushCallback(TOPIC_ROBOT, frameData('robot-message-p2p-text.json'), 'm-robot-1');
    expect(ack).toMatchObject({ code: 200, headers: { messageId: 'm-robot-1' }, message: 'OK' });
    expect(JSON.parse(ack.data)).toEqual({ response: null });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ kind: 'message', source: 'dingtalk:dingtalk-ops', eventId: 'msgTVS1/bgVPOVDNPB0PXmKvQ==', tenantId: 'acme', text: '帮我提交这个月的差旅费 1200 元' });
  });

  it('failed accept leaves a robot message unacked so DingTalk re-pushes it', async () => {
    await start(async () => { throw new Error('inbox down'); });
    errors.length = 0;
    const pushed = fake.pushCallback(TOPIC_ROBOT, frameData('robot-message-p2p-text.json'), 'm-robot-2', 60_000).catch(() => undefined);
    await until(async () => errors, (e) => e.includes('dingtalk accept failed; leaving unacked for re-push'));
    await fake.ping(); // frames are handled in order: anything the failed accept would have sent is out by now
    expect(fake.acks.filter((a) => a.headers.messageId === 'm-robot-2')).toEqual([]);
    void pushed;
  });

  it('card callback → AckReply card returned as cardData in the ACK', async () => {
    const got: InboundEvent[] = [];
    await start(async (e) => { got.push(e); return { card: { title: '已同意', tone: 'green', blocks: [] } }; });
    const ack = await fake.pushCallback(TOPIC_CARD, frameData('card-callback-button.json'), 'm-card-1');
    expect(got[0]).toMatchObject({ kind: 'card_action', actionId: 'approve', eventId: 'm-card-1', value: { requestId: 'R-1', version: '3' } });
    expect(JSON.parse(ack.data)).toMatchObject({ response: { cardData: { cardParamMap: { title: '已同意', tone: 'green' } }, cardUpdateOptions: { updateCardDataByKey: true } } });
  });

  it('a card accept still running at the answer budget is answered empty, before it finishes', async () => {
    let finished = false;
    let finish: () => void = () => {};
    await start(() => new Promise((resolve) => { finish = () => { finished = true; resolve({ card: { title: 'late', tone: 'grey', blocks: [] } }); }; }));
    const ack = await fake.pushCallback(TOPIC_CARD, frameData('card-callback-button.json'), 'm-card-2');
    expect(finished).toBe(false);
    expect(JSON.parse(ack.data)).toEqual({ response: {} });
    finish();
  });

  it('answers SYSTEM ping, and reconnects with a fresh ticket after a gateway disconnect', async () => {
    await start(async () => ({}));
    const pong = await fake.ping();
    expect(pong.code).toBe(200);
    fake.disconnect();
    await fake.waitForConnections(2);
    expect(fake.opens).toHaveLength(2);
    const got: InboundEvent[] = [];
    await receiver?.stop();
    await receiver?.start(async (e) => { got.push(e); return {}; });
    await fake.waitForConnections(3);
    await fake.pushCallback(TOPIC_ROBOT, frameData('robot-message-group-at.json'));
    expect(got).toHaveLength(1);
  });

  it('sends its own heartbeat pings (a single timer across reconnects: stream-reconnect.test.ts)', async () => {
    await start(async () => ({}));
    expect(await until(async () => fake.pings, (n) => n >= 3)).toBeGreaterThanOrEqual(3);
  });
});
