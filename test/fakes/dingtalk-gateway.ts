import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { createRequire } from 'node:module';

/**
 * The WebSocket half of the fake DingTalk Stream gateway, as the protocol describes it ('Stream Mode 协议文档',
 * open.dingtalk.com/document/direction/stream-mode-protocol-access-description;
 * opensource.dingtalk.com/developerpedia/docs/learn/stream/protocol; docs/platforms/dingtalk.md §2):
 *  - a ticket opens ONE connection (single use);
 *  - each push goes to one open connection (the doc: chosen at random; here the newest one that has not been
 *    told to go away, so tests are repeatable); its ACK must come back on that same connection;
 *  - an upstream ACK is `{ code: 200|404|500, headers: { messageId, contentType: 'application/json' }, message,
 *    data: <JSON string> }`; anything else is recorded in `upstreamProblems`;
 *  - SYSTEM `disconnect` needs no answer; the server closes the TCP connection after 10 s of silence.
 * Every socket open and close is logged in order (`log`), so a test can check that a replacement connection was
 * open before the old one closed.
 */
interface WsSocket {
  readyState: number;
  send(data: string): void;
  close(): void;
  terminate(): void;
  pong(): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'close', fn: () => void): void;
  on(event: 'ping', fn: () => void): void;
}
interface WsServer { on(event: 'connection', fn: (socket: WsSocket, req: IncomingMessage) => void): void; close(): void }
interface WsModule { WebSocketServer: new (opts: { server: Server; path: string; autoPong: boolean }) => WsServer }
const { WebSocketServer } = createRequire(import.meta.url)('ws') as WsModule;

export interface Ack { code: number; headers: { messageId: string; contentType?: string }; message: string; data: string }
export interface GatewayConnection { id: number; socket: WsSocket; goingAway: boolean; closed: boolean }
export type ConnectionEvent = { event: 'open' | 'close'; connection: number };

/** Server closes a connection this long after its `disconnect` notice (protocol doc: "静默10s之后"). */
export const DISCONNECT_GRACE_MS = 10_000;
const WS_OPEN = 1;

export function startFakeGateway(server: Server, takeTicket: (ticket: string) => boolean) {
  const connections: GatewayConnection[] = [];
  const log: ConnectionEvent[] = [];
  const acks: (Ack & { connection: number })[] = [];
  const upstreamProblems: string[] = [];
  const waiters = new Map<string, { connection: number; resolve: (a: Ack) => void }>();
  const timers = new Set<NodeJS.Timeout>();
  const st = { pings: 0, mute: false, nextId: 0 };

  const wss = new WebSocketServer({ server, path: '/connect', autoPong: false });
  wss.on('connection', (socket, req) => {
    const ticket = new URL(req.url ?? '/', 'http://x').searchParams.get('ticket') ?? '';
    if (!takeTicket(ticket)) { socket.close(); return; }
    const conn: GatewayConnection = { id: ++st.nextId, socket, goingAway: false, closed: false };
    connections.push(conn);
    log.push({ event: 'open', connection: conn.id });
    socket.on('close', () => { conn.closed = true; log.push({ event: 'close', connection: conn.id }); });
    socket.on('ping', () => { st.pings += 1; if (!st.mute) socket.pong(); });
    socket.on('message', (raw) => onUpstream(conn, raw.toString()));
  });

  function onUpstream(conn: GatewayConnection, text: string): void {
    let ack: Ack;
    try { ack = JSON.parse(text) as Ack; } catch { upstreamProblems.push(`connection ${conn.id}: not JSON: ${text.slice(0, 80)}`); return; }
    const bad = [
      ![200, 404, 500].includes(ack.code) && 'code not 200/404/500',
      typeof ack.headers?.messageId !== 'string' && 'headers.messageId missing',
      ack.headers?.contentType !== 'application/json' && 'headers.contentType not application/json',
      typeof ack.message !== 'string' && 'message not a string',
      typeof ack.data !== 'string' && 'data not a JSON string',
    ].filter(Boolean);
    if (bad.length > 0) upstreamProblems.push(`connection ${conn.id}: ${bad.join(', ')}: ${text.slice(0, 120)}`);
    acks.push({ ...ack, connection: conn.id });
    const w = waiters.get(ack.headers?.messageId);
    if (!w) return;
    if (w.connection !== conn.id) { upstreamProblems.push(`ACK for ${ack.headers.messageId} came on connection ${conn.id}, the frame went out on ${w.connection}`); return; }
    waiters.delete(ack.headers.messageId);
    w.resolve(ack);
  }

  /** Where DingTalk would push now: an open connection not told to go away, else any open one. */
  function target(): GatewayConnection | undefined {
    const open = connections.filter((c) => !c.closed && c.socket.readyState === WS_OPEN);
    return open.filter((c) => !c.goingAway).at(-1) ?? open.at(-1);
  }

  function send(frame: Record<string, unknown>, messageId: string, ackTimeoutMs: number): Promise<Ack & { connection: number }> {
    const conn = target();
    if (!conn) return Promise.reject(new Error('no client connected'));
    const acked = new Promise<Ack & { connection: number }>((resolve, reject) => {
      const t = setTimeout(() => { timers.delete(t); waiters.delete(messageId); reject(new Error(`no ACK for ${messageId}`)); }, ackTimeoutMs);
      timers.add(t);
      waiters.set(messageId, { connection: conn.id, resolve: (a) => { clearTimeout(t); timers.delete(t); resolve({ ...a, connection: conn.id }); } });
    });
    conn.socket.send(JSON.stringify(frame));
    return acked;
  }

  const headers = (messageId: string, topic: string) => ({ appId: 'fake-app', connectionId: `conn-${target()?.id ?? 0}`, contentType: 'application/json', messageId, time: String(Date.now()), topic });

  return {
    connections, log, acks, upstreamProblems,
    get pings() { return st.pings; },
    get openSockets() { return connections.filter((c) => !c.closed).length; },
    mutePongs(mute: boolean) { st.mute = mute; },
    push(type: 'CALLBACK' | 'EVENT', topic: string, data: string, messageId = `msg_${randomBytes(6).toString('hex')}`, ackTimeoutMs = 5000) {
      return send({ specVersion: '1.0', type, headers: headers(messageId, topic), data }, messageId, ackTimeoutMs);
    },
    ping() {
      const id = `ping_${randomBytes(4).toString('hex')}`;
      return send({ specVersion: '1.0', type: 'SYSTEM', headers: headers(id, 'ping'), data: JSON.stringify({ opaque: randomBytes(4).toString('hex') }) }, id, 5000);
    },
    /** Any text, as one WebSocket message, on the connection a push would take. */
    sendRaw(text: string): void {
      const conn = target();
      if (!conn) throw new Error('no client connected');
      conn.socket.send(text);
    },
    /** SYSTEM disconnect on the current connection, which is closed `closeAfterMs` later unless the client closes it first. */
    disconnect(closeAfterMs = DISCONNECT_GRACE_MS): number | undefined {
      const conn = target();
      if (!conn) return undefined;
      conn.goingAway = true;
      conn.socket.send(JSON.stringify({ specVersion: '1.0', type: 'SYSTEM', headers: { messageId: `sys-disc-${conn.id}`, topic: 'disconnect', contentType: 'application/json', time: String(Date.now()) }, data: JSON.stringify({ reason: 'connection is expired' }) }));
      const t = setTimeout(() => { timers.delete(t); if (!conn.closed) conn.socket.close(); }, closeAfterMs);
      timers.add(t);
      return conn.id;
    },
    close(): void {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const c of connections) c.socket.terminate();
      wss.close();
    },
  };
}

export type FakeGateway = ReturnType<typeof startFakeGateway>;
