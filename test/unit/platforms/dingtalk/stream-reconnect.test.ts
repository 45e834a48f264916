import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { TOPIC_CARD } from 'dingtalk-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createStreamSource } from '../../../../src/platforms/dingtalk/stream-client.ts';
import { createDingtalkStreamReceiver } from '../../../../src/platforms/dingtalk/stream-receiver.ts';
import { systemClock } from '../../../../src/core/clock.ts';

const { WebSocketServer } = createRequire(import.meta.url)('ws');
const listen = (s: Server | ReturnType<typeof createTcpServer>) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));
const logs: string[] = [];
const logger = { info: (_o: object, m?: string) => logs.push(`info ${m}`), warn: (o: object, m?: string) => logs.push(`warn ${m} ${JSON.stringify(o)}`), error: (o: object, m?: string) => logs.push(`error ${m} ${JSON.stringify(o)}`) };

describe('dingtalk stream source', () => {
  const cleanup: (() => void)[] = [];
  afterAll(() => { for (const c of cleanup) c(); });

  it('an ACK while the socket is reconnecting is logged, not thrown; a handshake that stalls is given up and retried', async () => {
    // 1) a stalled "gateway socket": accepts TCP, never answers the HTTP upgrade
    const stalled: Socket[] = [];
    const tcp = createTcpServer((s) => { stalled.push(s); });
    const stallPort = await listen(tcp);
    // 2) a working ws endpoint
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

    const source = createStreamSource({ clientId: 'c', clientSecret: 's', gateway: `http://127.0.0.1:${gwPort}/open`, fetch, logger, baseBackoffMs: 20, maxBackoffMs: 100, heartbeatMs: 200, connectTimeoutMs: 300 });
    const receiver = createDingtalkStreamReceiver({ botId: 'dt', tenantId: 't', source, clock: systemClock, logger });
    const serverSide = new Promise<{ send(s: string): void; close(): void }>((r) => wss.on('connection', (ws: never) => r(ws)));
    // The accept takes 500 ms; the server drops the socket meanwhile, and the reconnect's handshake stalls.
    await receiver.start(async () => { await new Promise((r) => setTimeout(r, 500)); return {}; });
    cleanup.push(() => { void receiver.stop(); });
    const ws = await serverSide;
    const content = JSON.stringify({ cardPrivateData: { params: { actionId: 'approve', value: '{"op":"approve"}' } } });
    ws.send(JSON.stringify({ specVersion: '1.0', type: 'CALLBACK', headers: { messageId: 'm1', topic: TOPIC_CARD, contentType: 'application/json' }, data: JSON.stringify({ outTrackId: 'o1', userId: 'u1', content }) }));
    await new Promise((r) => setTimeout(r, 100));
    ws.close(); // DingTalk rotates connections ("disconnect" + close) routinely
    await new Promise((r) => setTimeout(r, 3000));
    expect(unhandled).toEqual([]);
    expect(logs.some((l) => l.startsWith('warn dingtalk ACK not sent'))).toBe(true);
    expect(opens).toBeGreaterThan(2); // stalled handshakes are abandoned after 300 ms and tried again
  });
});
