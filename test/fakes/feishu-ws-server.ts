import type { IncomingMessage, Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Hono } from 'hono';
import { decodeFrame, encodeFrame, header, type WsFrame } from './feishu-ws-frame.ts';

/** Minimal typing of the `ws` package (a dependency of the SDKs; no @types installed). */
interface WsSocket { send(data: Buffer): void; terminate(): void; on(event: 'message', fn: (data: Buffer) => void): void }
interface WsServer { on(event: 'connection', fn: (socket: WsSocket, req: IncomingMessage) => void): void; close(): void }
const { WebSocketServer } = createRequire(import.meta.url)('ws') as { WebSocketServer: new (o: { server: Server; path: string }) => WsServer };

/** The long-connection service id the fake hands out; frames carry it back. */
const WS_SERVICE_ID = 7;

/** What the long-connection side of the fake Feishu server offers its tests. */
export interface FakeFeishuWs {
  /** Long connection: endpoint discoveries, pings received, sockets opened. */
  ws: { endpointCalls: unknown[]; pings: number; readonly connections: number };
  waitForWsConnections(n: number, timeoutMs?: number): Promise<void>;
  /** Pushes an event envelope as a data frame; resolves with the client's ACK payload `{code, data?}` (data decoded). */
  pushWsEvent(envelope: unknown): Promise<{ code: number; data?: unknown }>;
}

/** How a click pushed over the long connection reaches the fake's click log (the HTTP side keeps it). */
export interface WsClickLog {
  clickSent(messageId: string): void;
  clickAnswered(messageId: string, status: number, body: unknown): void;
}

/**
 * The Feishu long connection (docs/platforms/feishu.md §5): the endpoint discovery route on the fake's HTTP
 * app, then a WebSocket on the same port speaking `pbbp2.Frame` (feishu-ws-frame.ts): pings answered with
 * pongs, events pushed as data frames and the client's ACKs matched to them by message_id.
 */
export class FeishuWsFake {
  private readonly state = { endpointCalls: [] as unknown[], pings: 0, port: 0, seq: 0 };
  private readonly sockets: WsSocket[] = [];
  private readonly ackWaiters = new Map<string, (f: WsFrame) => void>();
  private wss: WsServer | null = null;

  constructor(private readonly clicks: WsClickLog) {}

  /** The endpoint discovery route (`POST /callback/ws/endpoint`), on the fake's HTTP app. */
  route(app: Hono): void {
    app.post('/callback/ws/endpoint', async (c) => {
      const b = (await c.req.json()) as { AppID?: string; AppSecret?: string };
      this.state.endpointCalls.push(b);
      if (!b.AppID || !b.AppSecret) return c.json({ code: 514, msg: 'auth failed' });
      // device_id first: the SDK qs.parse()s the whole URL, which mangles the first key (docs/platforms/feishu.md §5.3).
      return c.json({ code: 0, msg: 'ok', data: {
        URL: `ws://127.0.0.1:${this.state.port}/ws?device_id=dev1&service_id=${WS_SERVICE_ID}`,
        ClientConfig: { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 },
      } });
    });
  }

  /** Serves `/ws` on the fake's listening HTTP server. */
  attach(server: Server, port: number): void {
    this.state.port = port;
    const wss = new WebSocketServer({ server, path: '/ws' });
    this.wss = wss;
    // The SDK attaches its frame listener after 'open', around its first ping: a frame pushed before that is
    // dropped by the client. A socket counts as connected once its first ping has arrived.
    wss.on('connection', (socket) => {
      socket.on('message', (raw) => {
        const f = decodeFrame(raw);
        if (f.method === 0 && header(f, 'type') === 'ping') {
          this.state.pings += 1;
          if (!this.sockets.includes(socket)) this.sockets.push(socket);
          socket.send(encodeFrame({ SeqID: 0, LogID: 0, service: WS_SERVICE_ID, method: 0, headers: [{ key: 'type', value: 'pong' }] }));
          return;
        }
        const id = header(f, 'message_id');
        if (f.method === 1 && id) { this.ackWaiters.get(id)?.(f); this.ackWaiters.delete(id); }
      });
    });
  }

  /** The test-facing part (spread into the FakeFeishuServer). */
  api(): FakeFeishuWs {
    const { state, sockets } = this;
    return {
      ws: { endpointCalls: state.endpointCalls, get pings() { return state.pings; }, get connections() { return sockets.length; } },
      waitForWsConnections: (n, timeoutMs = 5000) => this.waitForConnections(n, timeoutMs),
      pushWsEvent: (envelope) => this.push(envelope),
    };
  }

  close(): void {
    for (const s of this.sockets) s.terminate();
    this.wss?.close();
  }

  private async waitForConnections(n: number, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.sockets.length < n) {
      if (Date.now() > until) throw new Error(`expected ${n} ws connections, saw ${this.sockets.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private push(envelope: unknown): Promise<{ code: number; data?: unknown }> {
    const socket = this.sockets.at(-1);
    if (!socket) return Promise.reject(new Error('no ws client'));
    const clicked = clickedMessage(envelope);
    if (clicked) this.clicks.clickSent(clicked);
    this.state.seq += 1;
    const seq = this.state.seq;
    const id = `ws_msg_${seq}`;
    const acked = new Promise<{ code: number; data?: unknown }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ACK for ${id}`)), 5000);
      this.ackWaiters.set(id, (f) => {
        clearTimeout(t);
        const body = JSON.parse(f.payload?.toString('utf8') ?? '{}') as { code: number; data?: string };
        const data = body.data ? JSON.parse(Buffer.from(body.data, 'base64').toString('utf8')) as unknown : undefined;
        // A WS ACK's code 200 carries the callback answer in `data` (SDK ws-client).
        if (clicked) this.clicks.clickAnswered(clicked, body.code, data ?? {});
        resolve({ code: body.code, ...(data !== undefined ? { data } : {}) });
      });
    });
    socket.send(encodeFrame({
      SeqID: seq, LogID: seq, service: WS_SERVICE_ID, method: 1,
      headers: [{ key: 'type', value: 'event' }, { key: 'message_id', value: id }, { key: 'sum', value: '1' }, { key: 'seq', value: '0' }, { key: 'trace_id', value: `trace-${seq}` }],
      payload: Buffer.from(JSON.stringify(envelope), 'utf8'),
    }));
    return acked;
  }
}

/** The card message a `card.action.trigger` envelope is about, if it is one. */
export function clickedMessage(envelope: unknown): string | undefined {
  const e = envelope as { header?: { event_type?: string }; event?: { context?: { open_message_id?: string } } };
  return e.header?.event_type === 'card.action.trigger' ? e.event?.context?.open_message_id : undefined;
}
