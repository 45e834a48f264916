import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../../src/core/clock.ts';
import type { InboundEvent } from '../../../../src/core/inbound-event.ts';
import { createStreamSource, type StreamSource, type StreamSourceOptions } from '../../../../src/platforms/dingtalk/stream-client.ts';
import { createDingtalkStreamReceiver } from '../../../../src/platforms/dingtalk/stream-receiver.ts';
import type { Receiver } from '../../../../src/platforms/platform.ts';
import type { AcceptEvent } from '../../../../src/core/inbound-event.ts';
import { startFakeDingtalkServer, type FakeDingtalkServer } from '../../../fakes/dingtalk-server.ts';
import { until } from '../../../support/until.ts';

/**
 * Connection lifecycle of the Stream source. No wall-clock sleeps decide anything: every wait polls for the
 * condition it needs (test/support/until.ts), and slow handlers are held by promises the test releases.
 */
const { WebSocketServer } = createRequire(import.meta.url)('ws');
const listen = (s: Server | ReturnType<typeof createTcpServer>) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));
const logs: string[] = [];
const logger = { info: (_o: object, m?: string) => logs.push(`info ${m}`), warn: (o: object, m?: string) => logs.push(`warn ${m} ${JSON.stringify(o)}`), error: (o: object, m?: string) => logs.push(`error ${m} ${JSON.stringify(o)}`) };
const cleanup: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((r) => { open = r; });
  return { opened, open };
}

const robotMessage = (id: string) => ({ conversationId: 'cid_u', conversationType: '1', msgId: id, senderStaffId: 'staff_u', msgtype: 'text', text: { content: id } });

async function startOn(fake: FakeDingtalkServer, accept: AcceptEvent, extra: Partial<StreamSourceOptions> = {}): Promise<{ source: StreamSource; receiver: Receiver }> {
  const source = createStreamSource({ clientId: 'c', clientSecret: 's', gateway: `${fake.url}/v1.0/gateway/connections/open`, fetch, logger, baseBackoffMs: 20, maxBackoffMs: 100, ...extra });
  const receiver = createDingtalkStreamReceiver({ botId: 'dt', tenantId: 't', source, clock: systemClock, logger });
  await receiver.start(accept);
  cleanup.push(() => receiver.stop());
  await fake.waitForConnections(1);
  return { source, receiver };
}

describe('dingtalk stream source', () => {
  it('an ACK while the socket is reconnecting is logged, not thrown; a handshake that stalls is given up and retried', async () => {
    // 1) a stalled "gateway socket": accepts TCP, never answers the HTTP upgrade
    const stalled: Socket[] = [];
    const tcp = createTcpServer((s) => { stalled.push(s); });
    const stallPort = await listen(tcp);
    // 2) a working ws endpoint, handed out once
    const http = createServer();
    const wss = new WebSocketServer({ server: http, path: '/connect' });
    const wsPort = await listen(http);
    let opens = 0;
    const gw = createServer((req, res) => {
      opens++;
      const endpoint = opens === 1 ? `ws://127.0.0.1:${wsPort}/connect` : `ws://127.0.0.1:${stallPort}/connect`;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ endpoint, ticket: `t${opens}` }));
    });
    const gwPort = await listen(gw);
    cleanup.push(() => { for (const s of stalled) s.destroy(); tcp.close(); wss.close(); http.close(); gw.close(); });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => { unhandled.push(e); };
    process.on('unhandledRejection', onUnhandled);
    cleanup.push(() => process.off('unhandledRejection', onUnhandled));

    const source = createStreamSource({ clientId: 'c', clientSecret: 's', gateway: `http://127.0.0.1:${gwPort}/open`, fetch, logger, baseBackoffMs: 20, maxBackoffMs: 100, heartbeatMs: 60_000, connectTimeoutMs: 300 });
    const receiver = createDingtalkStreamReceiver({ botId: 'dt', tenantId: 't', source, clock: systemClock, logger });
    const serverSide = new Promise<{ send(s: string): void; close(): void }>((r) => wss.on('connection', (ws: never) => r(ws)));
    const accepting = gate();
    const release = gate();
    await receiver.start(async () => { accepting.open(); await release.opened; return {}; });
    cleanup.push(() => receiver.stop());
    const ws = await serverSide;
    const content = JSON.stringify({ cardPrivateData: { params: { actionId: 'approve', value: '{"op":"approve"}' } } });
    ws.send(JSON.stringify({ specVersion: '1.0', type: 'CALLBACK', headers: { messageId: 'm1', topic: TOPIC_CARD, contentType: 'application/json' }, data: JSON.stringify({ outTrackId: 'o1', userId: 'u1', content }) }));
    await accepting.opened;
    ws.close(); // the connection drops while the click is being handled
    await until(async () => opens, (n) => n > 2); // stalled handshakes are abandoned after 300 ms and tried again
    release.open();
    const warned = await until(async () => logs.some((l) => l.startsWith('warn dingtalk ACK not sent')), (ok) => ok);
    expect(warned).toBe(true);
    expect(unhandled).toEqual([]);
  });

  it('rotation: on SYSTEM disconnect the replacement opens before the old connection closes, and no frame is missed', async () => {
    const fake = await startFakeDingtalkServer();
    cleanup.push(() => fake.close());
    const slow = gate();
    const accepted: string[] = [];
    const { source } = await startOn(fake, async (e: InboundEvent) => { if (e.eventId === 'slow') await slow.opened; accepted.push(e.eventId); return {}; });

    // A frame still being handled on connection 1 when the server rotates it.
    const slowAck = fake.pushCallback(TOPIC_ROBOT, robotMessage('slow'), 'f-slow');
    fake.disconnect(10_000);
    // Frames pushed right after the notice, before the replacement is up, still land on connection 1.
    const during = await Promise.all([0, 1, 2].map((i) => fake.pushCallback(TOPIC_ROBOT, robotMessage(`during-${i}`), `f-during-${i}`)));
    await fake.waitForConnections(2);
    const after = [];
    for (let i = 0; i < 5; i++) after.push(await fake.pushCallback(TOPIC_ROBOT, robotMessage(`after-${i}`), `f-after-${i}`));
    expect(after.map((a) => a.connection)).toEqual([2, 2, 2, 2, 2]);
    // Connection 1 stays open for its unanswered frame, and answers it on connection 1.
    expect(fake.gateway.connections[0]?.closed).toBe(false);
    slow.open();
    expect((await slowAck).connection).toBe(1);
    await until(async () => fake.gateway.connections[0]?.closed, (c) => c === true);

    expect(fake.gateway.log).toEqual([{ event: 'open', connection: 1 }, { event: 'open', connection: 2 }, { event: 'close', connection: 1 }]);
    expect(during.every((a) => a.code === 200)).toBe(true);
    expect([...accepted].sort()).toEqual(['after-0', 'after-1', 'after-2', 'after-3', 'after-4', 'during-0', 'during-1', 'during-2', 'slow']);
    expect(fake.gateway.upstreamProblems).toEqual([]);
    expect(fake.opens).toHaveLength(2); // a fresh ticket for the replacement
    expect(source.stats()).toMatchObject({ rotations: 1, connectionsOpened: 2, openConnections: 1, malformedFrames: 0 });
  });

  it('at every moment of three rotations at least one connection is open', async () => {
    const fake = await startFakeDingtalkServer();
    cleanup.push(() => fake.close());
    await startOn(fake, async () => ({}));
    for (let n = 1; n <= 3; n++) {
      fake.disconnect(10_000);
      await until(async () => fake.gateway.connections[n - 1]?.closed, (c) => c === true);
      await fake.pushCallback(TOPIC_ROBOT, robotMessage(`r${n}`), `f-r${n}`);
    }
    let open = 0;
    for (const e of fake.gateway.log) {
      open += e.event === 'open' ? 1 : -1;
      expect(open, JSON.stringify(fake.gateway.log)).toBeGreaterThanOrEqual(1);
    }
    expect(fake.openSockets).toBe(1);
  });

  it('keeps one heartbeat timer across reconnects and rotations', async () => {
    const fake = await startFakeDingtalkServer();
    cleanup.push(() => fake.close());
    const spy = vi.spyOn(globalThis, 'setInterval');
    cleanup.push(() => spy.mockRestore());
    const HEARTBEAT_MS = 4321;
    await startOn(fake, async () => ({}), { heartbeatMs: HEARTBEAT_MS });
    fake.disconnect(10_000);
    await fake.waitForConnections(2);
    fake.gateway.connections[1]?.socket.terminate(); // an abrupt drop: plain reconnect
    await fake.waitForConnections(3);
    expect(spy.mock.calls.filter((c) => c[1] === HEARTBEAT_MS)).toHaveLength(1);
  });

  it('terminates a connection whose pongs stop, and reconnects to exactly one open socket', async () => {
    const fake = await startFakeDingtalkServer();
    cleanup.push(() => fake.close());
    await startOn(fake, async () => ({}), { heartbeatMs: 100 });
    fake.mutePongs(true);
    await fake.waitForConnections(2, 10_000);
    fake.mutePongs(false);
    const open = await until(async () => fake.openSockets, (n) => n === 1);
    expect(open).toBe(1);
    expect(fake.opens.length).toBe(fake.connections);
  });
});
