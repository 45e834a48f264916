import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';

import { checkCallbackAnswer, checkCard } from './feishu-card-rules.ts';
import { clientClick, type ClientClick } from './feishu-client.ts';
import { FeishuWsFake, type FakeFeishuWs } from './feishu-ws-server.ts';

export { buildSignedWebhook } from './feishu-webhook-signing.ts';
export { clickedMessage } from './feishu-ws-server.ts';

/**
 * Loopback fake of the Feishu OpenAPI the adapters use (token, bot info, im messages, delayed card update,
 * contact v3). The real @larksuiteoapi/node-sdk Client talks to it via `domain`. Records every request.
 * Every card it receives (send, reply, PATCH, delayed update, callback answer) is checked against the card JSON
 * 2.0 rules (feishu-card-rules.ts) and refused with Feishu's codes; it also plays the client's side of a click
 * (feishu-client.ts) and keeps an ordered log of sends, PATCHes, clicks and answers. The long connection
 * (endpoint discovery, WebSocket frames) is feishu-ws-server.ts, on the same port.
 */
export type FakeLogEntry = { seq: number; kind: 'send' | 'patch' | 'click' | 'answer' | 'card_update'; messageId: string };

export interface RecordedRequest { method: string; path: string; query: Record<string, string>; headers: Record<string, string>; body: unknown }
export interface StoredMessage { message_id: string; receive_id: string; receive_id_type: string; msg_type: string; content: string; uuid?: string; createdAt: number; updates: string[] }

export interface FakeFeishuServer extends FakeFeishuWs {
  url: string;
  requests: RecordedRequest[];
  messages: Map<string, StoredMessage>;
  tokensIssued: number;
  /** The next `n` API calls (not token requests) answer HTTP 429 / 99991400 with `x-ogw-ratelimit-reset: resetSec`. */
  rateLimitNext(n: number, resetSec: number): void;
  /** Marks a message as sent 15 days ago, so PATCH answers 230031. */
  ageMessage(messageId: string): void;
  invalidateTokens(): void;
  /** Requests refused for their content (card rules, 30 KB…), with Feishu's code. */
  rejected: { method: string; path: string; code: number; msg: string }[];
  /** Sends, PATCHes, clicks and callback answers in the order the fake saw them. */
  log: FakeLogEntry[];
  /** Platform rules broken where Feishu answers success but the effect is lost (a PATCH of a clicked card before its answer). */
  violations: string[];
  /** What a real client would show instead of the app's answer (200671, 200673). */
  clientErrors: { messageId: string; code: number; msg: string }[];
  /** Members (open_ids) of group chats, for person pickers without options. */
  groupMembers: Map<string, string[]>;
  /** Plays the client on a held card: the `action` a click on button `name` sends, or why the client sends nothing. */
  clientClick(messageId: string, name: string, fill?: Record<string, unknown>): ClientClick;
  /** A click on `messageId` left for the app; its answer came back (checked, and its card shown). */
  clickSent(messageId: string): void;
  clickAnswered(messageId: string, status: number, body: unknown): void;
  users: Record<string, unknown>[];
  departments: Record<string, unknown>[];
  close(): Promise<void>;
}

const FOURTEEN_DAYS_MS = 14 * 24 * 3600 * 1000;

export async function startFakeFeishuServer(): Promise<FakeFeishuServer> {
  const app = new Hono();
  const requests: RecordedRequest[] = [];
  const messages = new Map<string, StoredMessage>();
  const byUuid = new Map<string, string>();
  const tokens = new Set<string>();
  let limited = 0;
  let resetSec = 1;
  let seq = 0;
  const state = { tokensIssued: 0 };
  const users: Record<string, unknown>[] = [];
  const departments: Record<string, unknown>[] = [];
  const rejected: FakeFeishuServer['rejected'] = [];
  const log: FakeLogEntry[] = [];
  const violations: string[] = [];
  const clientErrors: FakeFeishuServer['clientErrors'] = [];
  const groupMembers = new Map<string, string[]>();
  const awaitingAnswer = new Map<string, number>();
  let logSeq = 0;
  const note = (kind: FakeLogEntry['kind'], messageId: string) => { logSeq += 1; log.push({ seq: logSeq, kind, messageId }); };
  /** Content checks of the send/reply APIs: a card by the card rules, a text as `{"text": …}`. */
  const contentRefusal = (msgType: string, content: string) => {
    if (msgType === 'interactive') return checkCard(content, 'send');
    if (msgType === 'text') {
      try { if (typeof (JSON.parse(content) as { text?: unknown }).text === 'string') return undefined; } catch { /* refused below */ }
      return { code: 230001, msg: 'invalid text content' };
    }
    return undefined;
  };
  const refuse = (c: Context, r: { code: number; msg: string }) => {
    rejected.push({ method: c.req.method, path: c.req.path, ...r });
    return c.json(r, 400);
  };

  app.use('*', async (c, next) => {
    const text = c.req.method === 'GET' ? '' : await c.req.raw.clone().text();
    let body: unknown = text;
    try { body = text ? JSON.parse(text) : undefined; } catch { /* keep raw text */ }
    requests.push({ method: c.req.method, path: c.req.path, query: c.req.query(), headers: Object.fromEntries(c.req.raw.headers), body });
    await next();
  });

  app.post('/open-apis/auth/v3/tenant_access_token/internal', async (c) => {
    const b = (await c.req.json()) as { app_id?: string; app_secret?: string };
    if (!b.app_id || !b.app_secret) return c.json({ code: 10003, msg: 'invalid param' });
    state.tokensIssued += 1;
    const token = `t-fake-${state.tokensIssued}`;
    tokens.add(token);
    return c.json({ code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 });
  });

  const guard = (c: Context): Response | undefined => {
    const auth = c.req.header('authorization') ?? '';
    if (!tokens.has(auth.replace(/^Bearer /, ''))) return c.json({ code: 99991663, msg: 'Invalid access token for authorization.' }, 400);
    if (limited > 0) {
      limited -= 1;
      c.header('x-ogw-ratelimit-limit', '5');
      c.header('x-ogw-ratelimit-reset', String(resetSec));
      return c.json({ code: 99991400, msg: 'request trigger frequency limit' }, 429);
    }
    return undefined;
  };

  app.get('/open-apis/bot/v3/info', (c) => guard(c) ?? c.json({ code: 0, msg: 'ok', bot: { open_id: 'ou_bot', app_name: 'ApprovalBot', activate_status: 2 } }));

  const create = (receiveId: string, receiveIdType: string, msgType: string, content: string, uuid: string | undefined) => {
    if (uuid && byUuid.has(uuid)) return messages.get(byUuid.get(uuid) as string) as StoredMessage;
    seq += 1;
    const m: StoredMessage = { message_id: `om_fake_${seq}`, receive_id: receiveId, receive_id_type: receiveIdType, msg_type: msgType, content, createdAt: Date.now(), updates: [], ...(uuid ? { uuid } : {}) };
    messages.set(m.message_id, m);
    if (uuid) byUuid.set(uuid, m.message_id);
    return m;
  };
  const messageData = (m: StoredMessage) => ({
    message_id: m.message_id, msg_type: m.msg_type, create_time: String(m.createdAt), update_time: String(m.createdAt),
    chat_id: m.receive_id_type === 'chat_id' ? m.receive_id : `oc_p2p_${m.receive_id}`, body: { content: m.content },
  });

  app.post('/open-apis/im/v1/messages', async (c) => {
    const denied = guard(c); if (denied) return denied;
    const type = c.req.query('receive_id_type');
    const b = (await c.req.json()) as { receive_id?: string; msg_type?: string; content?: unknown; uuid?: string };
    if (!type || !b.receive_id || !b.msg_type || typeof b.content !== 'string') return c.json({ code: 230001, msg: 'invalid request parameter' }, 400);
    if (b.uuid !== undefined && b.uuid.length > 50) return c.json({ code: 230001, msg: 'uuid too long' }, 400);
    const bad = contentRefusal(b.msg_type, b.content);
    if (bad) return refuse(c, bad);
    const m = create(b.receive_id, type, b.msg_type, b.content, b.uuid);
    note('send', m.message_id);
    return c.json({ code: 0, msg: 'success', data: messageData(m) });
  });

  app.post('/open-apis/im/v1/messages/:id/reply', async (c) => {
    const denied = guard(c); if (denied) return denied;
    const parent = messages.get(c.req.param('id'));
    if (!parent) return c.json({ code: 230011, msg: 'message not found' }, 400);
    const b = (await c.req.json()) as { msg_type: string; content: string; uuid?: string };
    const bad = contentRefusal(b.msg_type, b.content);
    if (bad) return refuse(c, bad);
    const m = create(parent.receive_id, parent.receive_id_type, b.msg_type, b.content, b.uuid);
    note('send', m.message_id);
    return c.json({ code: 0, msg: 'success', data: messageData(m) });
  });

  app.patch('/open-apis/im/v1/messages/:id', async (c) => {
    const denied = guard(c); if (denied) return denied;
    const m = messages.get(c.req.param('id'));
    if (!m) return c.json({ code: 230011, msg: 'The message is not found or recalled.' }, 400);
    if (Date.now() - m.createdAt > FOURTEEN_DAYS_MS) {
      return c.json({ code: 230031, msg: 'Message has expired when updating message, ext=Message can only be updated within fourteen days.' }, 400);
    }
    const b = (await c.req.json()) as { content?: string };
    if (typeof b.content !== 'string') return c.json({ code: 230001, msg: 'invalid content' }, 400);
    // im.v1.message.patch: interactive messages only, and only shared cards (update_multi declared before and after).
    if (m.msg_type !== 'interactive') return refuse(c, { code: 230001, msg: 'only card messages can be PATCHed' });
    const before = JSON.parse(m.content) as { config?: { update_multi?: boolean } };
    if (before.config?.update_multi !== true) return refuse(c, { code: 230099, msg: 'Failed to create card content, ext=ErrCode: 11310; ErrMsg: the sent card is not shared (update_multi); ErrorValue: config.update_multi;' });
    const bad = checkCard(b.content, 'patch');
    if (bad) return refuse(c, bad);
    // Answer first, update after ("处理卡片回调"; delayed-update doc): a PATCH of a clicked card before the answer can be reverted by it.
    if ((awaitingAnswer.get(m.message_id) ?? 0) > 0) violations.push(`PATCH of ${m.message_id} while its click was not yet answered`);
    m.updates.push(b.content);
    note('patch', m.message_id);
    return c.json({ code: 0, msg: 'success', data: {} });
  });

  app.post('/open-apis/interactive/v1/card/update', async (c) => {
    const denied = guard(c); if (denied) return denied;
    const b = (await c.req.json()) as { token?: string; card?: unknown };
    if (!b.token || !b.card) return c.json({ code: 230001, msg: 'token and card required' }, 400);
    const bad = checkCard(JSON.stringify(b.card), 'callback');
    if (bad) return refuse(c, bad);
    note('card_update', b.token);
    return c.json({ code: 0, msg: 'success' });
  });

  const paginate = (c: Context, items: Record<string, unknown>[]) => {
    const size = Number(c.req.query('page_size') ?? 20);
    const start = Number(c.req.query('page_token') ?? 0);
    const page = items.slice(start, start + size);
    const more = start + size < items.length;
    return c.json({ code: 0, msg: 'success', data: { items: page, has_more: more, ...(more ? { page_token: String(start + size) } : {}) } });
  };
  app.get('/open-apis/contact/v3/departments/:id/children', (c) => guard(c) ?? paginate(c, departments));
  app.get('/open-apis/contact/v3/users/find_by_department', (c) => {
    const denied = guard(c); if (denied) return denied;
    const dept = c.req.query('department_id') ?? '0';
    return paginate(c, users.filter((u) => (u['department_ids'] as string[] | undefined)?.includes(dept)));
  });

  const api = {
    clickSent(id: string) { note('click', id); awaitingAnswer.set(id, (awaitingAnswer.get(id) ?? 0) + 1); },
    clickAnswered(id: string, status: number, body: unknown) {
      awaitingAnswer.set(id, Math.max(0, (awaitingAnswer.get(id) ?? 1) - 1));
      note('answer', id);
      const bad = checkCallbackAnswer(status, body);
      if (bad) { clientErrors.push({ messageId: id, ...bad }); return; }
      // The answer's card replaces the clicked card (it is shared: every viewer's copy).
      const card = (body as { card?: { data?: unknown } }).card?.data;
      const m = messages.get(id);
      if (card && m) m.updates.push(JSON.stringify(card));
    },
  };
  const ws = new FeishuWsFake(api);
  ws.route(app);

  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  ws.attach(server, port);
  return {
    ...ws.api(),
    rejected, log, violations, clientErrors, groupMembers,
    clientClick(id, name, fill = {}) {
      const m = messages.get(id);
      if (!m) throw new Error(`no message ${id}`);
      return clientClick(m, name, fill, groupMembers);
    },
    clickSent: api.clickSent,
    clickAnswered: api.clickAnswered,
    url: `http://127.0.0.1:${port}`,
    requests, messages, users, departments,
    get tokensIssued() { return state.tokensIssued; },
    rateLimitNext(n, sec) { limited = n; resetSec = sec; },
    ageMessage(id) { const m = messages.get(id); if (m) m.createdAt -= FOURTEEN_DAYS_MS + 24 * 3600 * 1000; },
    invalidateTokens() { tokens.clear(); },
    close: () => new Promise<void>((resolve) => {
      ws.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
