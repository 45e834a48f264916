import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';

/**
 * Loopback fake of the DingTalk Stream gateway (connections/open + a WebSocket speaking the JSON frame protocol,
 * im-platforms.md B1) and of the OpenAPI the adapter calls (token, cards, robot sends, topapi contacts).
 * The real dingtalk-stream DWClient connects to it. Records every HTTP request, frame and ACK.
 */

/** Minimal typing of the `ws` package (shipped with dingtalk-stream, no @types installed). */
interface WsSocket {
  send(data: string): void;
  close(): void;
  terminate(): void;
  pong(): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'close', fn: () => void): void;
  on(event: 'ping', fn: () => void): void;
}
interface WsServer {
  on(event: 'connection', fn: (socket: WsSocket, req: IncomingMessage) => void): void;
  close(): void;
}
interface WsModule { WebSocketServer: new (opts: { server: Server; path: string; autoPong: boolean }) => WsServer }
const { WebSocketServer } = createRequire(import.meta.url)('ws') as WsModule;

export interface RecordedRequest { method: string; path: string; query: Record<string, string>; headers: Record<string, string>; body: unknown }
export interface Ack { code: number; headers: { messageId: string; contentType?: string }; message: string; data: string }
export interface CardInstance { seq: number; outTrackId: string; templateId: string; openSpaceId: string; params: Record<string, string>; updates: Record<string, string>[]; body: Record<string, unknown> }
export interface RobotMessage { seq: number; processQueryKey: string; path: string; body: Record<string, unknown> }

export interface FakeDingtalkServer {
  url: string;
  requests: RecordedRequest[];
  opens: { body: unknown; ticket: string }[];
  acks: Ack[];
  pings: number;
  cards: Map<string, CardInstance>;
  robotMessages: RobotMessage[];
  readonly tokensIssued: number;
  readonly connections: number;
  /** Sockets currently open (a leak shows up as more than one). */
  readonly openSockets: number;
  /** Stop answering WebSocket pings, like a half-dead connection. */
  mutePongs(mute: boolean): void;
  /** Waits until at least `n` sockets have connected so far. */
  waitForConnections(n: number, timeoutMs?: number): Promise<void>;
  /** Sends a CALLBACK frame on the newest socket and resolves with the client's ACK. */
  pushCallback(topic: string, data: unknown, messageId?: string, ackTimeoutMs?: number): Promise<Ack>;
  /** SYSTEM ping; resolves with the echo. */
  ping(): Promise<Ack>;
  /** SYSTEM disconnect, then closes the socket (as the gateway does for load balancing). */
  disconnect(): void;
  /** The next `n` OpenAPI calls answer 403 QpsLimitForAppkeyAndApi (new) / errcode 90018 (oapi). */
  throttleNext(n: number): void;
  deleteCard(outTrackId: string): void;
  /** Server-side revocation: every issued token becomes invalid. */
  revokeTokens(): void;
  users: { userid: string; unionid?: string; name: string; dept_id_list: number[]; manager_userid?: string }[];
  departments: { dept_id: number; name: string; parent_id?: number; dept_manager_userid_list?: string[] }[];
  close(): Promise<void>;
}

export async function startFakeDingtalkServer(): Promise<FakeDingtalkServer> {
  const app = new Hono();
  const requests: RecordedRequest[] = [];
  const opens: { body: unknown; ticket: string }[] = [];
  const tickets = new Set<string>();
  const tokens = new Set<string>();
  const cards = new Map<string, CardInstance>();
  const robotMessages: RobotMessage[] = [];
  const acks: Ack[] = [];
  const waiters = new Map<string, (a: Ack) => void>();
  const sockets: WsSocket[] = [];
  const users: FakeDingtalkServer['users'] = [];
  const departments: FakeDingtalkServer['departments'] = [];
  const st = { tokensIssued: 0, throttled: 0, seq: 0, pings: 0, port: 0, open: 0, mute: false };

  app.use('*', async (c, next) => {
    const text = c.req.method === 'GET' ? '' : await c.req.raw.clone().text();
    let body: unknown = text;
    try { body = text ? JSON.parse(text) : undefined; } catch { /* keep raw */ }
    requests.push({ method: c.req.method, path: c.req.path, query: c.req.query(), headers: Object.fromEntries(c.req.raw.headers), body });
    await next();
  });

  app.post('/v1.0/gateway/connections/open', async (c) => {
    const body = (await c.req.json()) as { clientId?: string; clientSecret?: string };
    if (!body.clientId || !body.clientSecret) return c.json({ code: 'InvalidParameter', message: 'clientId required' }, 400);
    const ticket = randomBytes(8).toString('hex');
    tickets.add(ticket);
    opens.push({ body, ticket });
    return c.json({ endpoint: `ws://127.0.0.1:${st.port}/connect`, ticket });
  });

  app.post('/v1.0/oauth2/accessToken', async (c) => {
    const b = (await c.req.json()) as { appKey?: string; appSecret?: string };
    if (!b.appKey || !b.appSecret) return c.json({ code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' }, 400);
    st.tokensIssued += 1;
    const token = `dt-token-${st.tokensIssued}`;
    tokens.add(token);
    return c.json({ accessToken: token, expireIn: 7200 });
  });

  const guard = (c: Context, style: 'api' | 'oapi'): Response | undefined => {
    const token = style === 'api' ? c.req.header('x-acs-dingtalk-access-token') : c.req.query('access_token');
    if (!token || !tokens.has(token)) {
      return style === 'api' ? c.json({ code: 'InvalidAuthentication', message: '不合法的access_token' }, 400) : c.json({ errcode: 40014, errmsg: '不合法的access_token' });
    }
    if (st.throttled > 0) {
      st.throttled -= 1;
      return style === 'api' ? c.json({ code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: 'qps limit' }, 403) : c.json({ errcode: 90018, errmsg: 'qps limit' });
    }
    return undefined;
  };

  app.post('/v1.0/card/instances/createAndDeliver', async (c) => {
    const denied = guard(c, 'api'); if (denied) return denied;
    const b = (await c.req.json()) as Record<string, unknown> & { cardTemplateId?: string; outTrackId?: string; openSpaceId?: string; cardData?: { cardParamMap?: Record<string, string> } };
    if (!b.outTrackId) return c.json({ code: 'param.outTrackIdEmpty', message: 'outTrackId empty' }, 400);
    if (!b.cardTemplateId) return c.json({ code: 'param.templateNotExist', message: 'template not exist' }, 400);
    if (cards.has(b.outTrackId)) return c.json({ code: 'param.cardAlreadyExist', message: 'card already exist' }, 400);
    st.seq += 1;
    cards.set(b.outTrackId, { seq: st.seq, outTrackId: b.outTrackId, templateId: b.cardTemplateId, openSpaceId: b.openSpaceId ?? '', params: { ...(b.cardData?.cardParamMap ?? {}) }, updates: [], body: b });
    const spaceType = (b.openSpaceId ?? '').includes('IM_GROUP') ? 'IM_GROUP' : 'IM_ROBOT';
    return c.json({ success: true, result: { outTrackId: b.outTrackId, deliverResults: [{ spaceType, spaceId: (b.openSpaceId ?? '').split('.').pop(), success: true, carrierId: `carrier-${b.outTrackId}` }] } });
  });

  app.put('/v1.0/card/instances', async (c) => {
    const denied = guard(c, 'api'); if (denied) return denied;
    const b = (await c.req.json()) as { outTrackId?: string; cardData?: { cardParamMap?: Record<string, string> }; cardUpdateOptions?: { updateCardDataByKey?: boolean } };
    const card = b.outTrackId ? cards.get(b.outTrackId) : undefined;
    if (!card) return c.json({ code: 'param.cardNotExist', message: 'card not exist' }, 400);
    const map = b.cardData?.cardParamMap ?? {};
    card.params = b.cardUpdateOptions?.updateCardDataByKey ? { ...card.params, ...map } : { ...map };
    card.updates.push(map);
    return c.json({ success: true, result: true });
  });

  const robot = async (c: Context) => {
    const denied = guard(c, 'api'); if (denied) return denied;
    const body = (await c.req.json()) as Record<string, unknown>;
    if (!body['robotCode'] || !body['msgKey'] || typeof body['msgParam'] !== 'string') return c.json({ code: 'invalidParameter', message: 'robotCode/msgKey/msgParam required' }, 400);
    st.seq += 1;
    const processQueryKey = `pqk-${st.seq}`;
    robotMessages.push({ seq: st.seq, processQueryKey, path: c.req.path, body });
    return c.json({ processQueryKey, invalidStaffIdList: [], flowControlledStaffIdList: [] });
  };
  app.post('/v1.0/robot/oToMessages/batchSend', robot);
  app.post('/v1.0/robot/groupMessages/send', robot);

  const oapi = (fn: (body: Record<string, unknown>) => unknown) => async (c: Context) => {
    const denied = guard(c, 'oapi'); if (denied) return denied;
    const result = fn((await c.req.json()) as Record<string, unknown>);
    return result === undefined ? c.json({ errcode: 60003, errmsg: 'not found' }) : c.json({ errcode: 0, errmsg: 'ok', result });
  };
  app.post('/topapi/v2/department/listsubid', oapi((b) => ({ dept_id_list: departments.filter((d) => d.parent_id === b['dept_id']).map((d) => d.dept_id) })));
  app.post('/topapi/v2/department/get', oapi((b) => departments.find((d) => d.dept_id === b['dept_id'])));
  app.post('/topapi/user/listid', oapi((b) => ({ userid_list: users.filter((u) => u.dept_id_list.includes(Number(b['dept_id']))).map((u) => u.userid) })));
  app.post('/topapi/v2/user/get', oapi((b) => users.find((u) => u.userid === b['userid'])));

  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  st.port = (server.address() as AddressInfo).port;

  const wss = new WebSocketServer({ server, path: '/connect', autoPong: false });
  wss.on('connection', (socket, req) => {
    const ticket = new URL(req.url ?? '/', 'http://x').searchParams.get('ticket') ?? '';
    if (!tickets.delete(ticket)) { socket.close(); return; } // single-use ticket (B1.1)
    sockets.push(socket);
    st.open += 1;
    socket.on('close', () => { st.open -= 1; });
    socket.on('ping', () => { st.pings += 1; if (!st.mute) socket.pong(); });
    socket.on('message', (raw) => {
      const ack = JSON.parse(raw.toString()) as Ack;
      acks.push(ack);
      waiters.get(ack.headers.messageId)?.(ack);
      waiters.delete(ack.headers.messageId);
    });
  });

  const send = (type: string, topic: string, data: string, messageId: string, ackTimeoutMs = 5000): Promise<Ack> => {
    const socket = sockets.at(-1);
    if (!socket) return Promise.reject(new Error('no client connected'));
    const acked = new Promise<Ack>((resolve, reject) => {
      const t = setTimeout(() => { waiters.delete(messageId); reject(new Error(`no ACK for ${messageId}`)); }, ackTimeoutMs);
      waiters.set(messageId, (a) => { clearTimeout(t); resolve(a); });
    });
    socket.send(JSON.stringify({
      specVersion: '1.0', type,
      headers: { appId: 'fake-app', connectionId: 'conn-1', contentType: 'application/json', messageId, time: String(Date.now()), topic },
      data,
    }));
    return acked;
  };

  return {
    url: `http://127.0.0.1:${st.port}`,
    requests, opens, acks, cards, robotMessages, users, departments,
    get pings() { return st.pings; },
    get tokensIssued() { return st.tokensIssued; },
    get connections() { return sockets.length; },
    get openSockets() { return st.open; },
    mutePongs(mute) { st.mute = mute; },
    async waitForConnections(n, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (sockets.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} connections, saw ${sockets.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    pushCallback: (topic, data, messageId = `msg_${randomBytes(6).toString('hex')}`, ackTimeoutMs) => send('CALLBACK', topic, JSON.stringify(data), messageId, ackTimeoutMs),
    ping: () => send('SYSTEM', 'ping', JSON.stringify({ opaque: randomBytes(4).toString('hex') }), `ping_${randomBytes(4).toString('hex')}`),
    disconnect() {
      const socket = sockets.at(-1);
      if (!socket) return;
      socket.send(JSON.stringify({ specVersion: '1.0', type: 'SYSTEM', headers: { messageId: 'sys-disc', topic: 'disconnect', contentType: 'application/json', time: String(Date.now()) }, data: JSON.stringify({ reason: 'connection is expired' }) }));
      socket.close();
    },
    throttleNext(n) { st.throttled = n; },
    deleteCard(id) { cards.delete(id); },
    revokeTokens() { tokens.clear(); },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.terminate();
      wss.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
