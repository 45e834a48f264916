import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { callbackResponseProblems, checkCreateAndDeliver, checkRobotSend, checkUpdate, type ApiError } from './dingtalk-card-rules.ts';
import { startFakeGateway, type Ack, type FakeGateway } from './dingtalk-gateway.ts';
import { renderProblems } from './dingtalk-template-check.ts';

export type { Ack } from './dingtalk-gateway.ts';

/**
 * Loopback fake of DingTalk: the Stream gateway (connections/open + the WebSocket, dingtalk-gateway.ts) and the
 * OpenAPI the adapter calls (token, cards, robot sends, topapi contacts), as strict as DingTalk's documentation
 * (dingtalk-card-rules.ts). The real dingtalk-stream DWClient connects to it. Records every HTTP request, frame,
 * ACK, card (public and per-user private data) and whatever the DingTalk client could not render.
 */
export interface RecordedRequest { method: string; path: string; query: Record<string, string>; headers: Record<string, string>; body: unknown }
export interface CardInstance {
  seq: number; outTrackId: string; templateId: string; openSpaceId: string; params: Record<string, string>;
  /** Each user's private data (PUT privateData, or the clicker's `userPrivateData` in a callback answer). */
  privateParams: Record<string, Record<string, string>>;
  updates: Record<string, string>[]; body: Record<string, unknown>;
}
export interface RobotMessage { seq: number; processQueryKey: string; path: string; body: Record<string, unknown> }

/** Templates the fake's Card Platform has published (what the test bots configure). */
export const PUBLISHED_TEMPLATES = ['tpl-form.schema', 'tpl-approval.schema', 'tpl-status.schema'];
const TOPIC_CARD = '/v1.0/card/instances/callback';

type ParamMapBody = { cardParamMap?: Record<string, string> };

export async function startFakeDingtalkServer(opts: { templates?: string[] } = {}) {
  const app = new Hono();
  const requests: RecordedRequest[] = [];
  const opens: { body: unknown; ticket: string }[] = [];
  const tickets = new Set<string>();
  const tokens = new Set<string>();
  const templates = new Set(opts.templates ?? PUBLISHED_TEMPLATES);
  const cards = new Map<string, CardInstance>();
  const robotMessages: RobotMessage[] = [];
  /** Card variables the DingTalk client would not render, and malformed callback answers. */
  const renderIssues: string[] = [];
  const callbackProblems: string[] = [];
  /** Every call the OpenAPI refused, with its error code. */
  const rejected: (ApiError & { path: string })[] = [];
  const users: { userid: string; unionid?: string; name: string; dept_id_list: number[]; manager_userid?: string }[] = [];
  const departments: { dept_id: number; name: string; parent_id?: number; dept_manager_userid_list?: string[] }[] = [];
  const st = { tokensIssued: 0, throttled: 0, seq: 0, port: 0 };

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
  const refuse = (c: Context, e: ApiError) => {
    rejected.push({ ...e, path: c.req.path });
    return c.json({ code: e.code, message: e.message, requestid: randomBytes(4).toString('hex') }, e.status as 400);
  };
  const checkRender = (outTrackId: string, where: string, map: Record<string, string> | undefined) => {
    for (const p of renderProblems(map ?? {}, where.includes('private') ? 'private' : 'public')) renderIssues.push(`${outTrackId} ${where}: ${p}`);
  };
  const merge = (byKey: boolean | undefined, old: Record<string, string>, map: Record<string, string>) => (byKey ? { ...old, ...map } : { ...map });

  app.post('/v1.0/card/instances/createAndDeliver', async (c) => {
    const denied = guard(c, 'api'); if (denied) return denied;
    const b = (await c.req.json()) as Record<string, unknown> & { cardTemplateId: string; outTrackId: string; openSpaceId: string; cardData: ParamMapBody; privateData?: Record<string, ParamMapBody> };
    const bad = checkCreateAndDeliver(b, templates); if (bad) return refuse(c, bad);
    if (cards.has(b.outTrackId)) return refuse(c, { status: 400, code: 'param.cardAlreadyExist', message: 'card already exist' });
    st.seq += 1;
    const privateParams = Object.fromEntries(Object.entries(b.privateData ?? {}).map(([u, v]) => [u, { ...(v.cardParamMap ?? {}) }]));
    cards.set(b.outTrackId, { seq: st.seq, outTrackId: b.outTrackId, templateId: b.cardTemplateId, openSpaceId: b.openSpaceId, params: { ...(b.cardData.cardParamMap ?? {}) }, privateParams, updates: [], body: b });
    checkRender(b.outTrackId, 'create', b.cardData.cardParamMap);
    for (const [u, m] of Object.entries(privateParams)) checkRender(b.outTrackId, `create private ${u}`, m);
    const spaces = b.openSpaceId.slice('dtv1.card//'.length).split(';');
    return c.json({ success: true, result: { outTrackId: b.outTrackId, deliverResults: spaces.map((s) => ({ spaceType: s.split('.')[0]?.toUpperCase(), spaceId: s.slice(s.indexOf('.') + 1), success: true, carrierId: `carrier-${b.outTrackId}` })) } });
  });

  app.put('/v1.0/card/instances', async (c) => {
    const denied = guard(c, 'api'); if (denied) return denied;
    const b = (await c.req.json()) as Record<string, unknown> & { outTrackId: string; cardData?: ParamMapBody; privateData?: Record<string, ParamMapBody>; cardUpdateOptions?: { updateCardDataByKey?: boolean; updatePrivateDataByKey?: boolean } };
    const bad = checkUpdate(b); if (bad) return refuse(c, bad);
    const card = cards.get(b.outTrackId);
    if (!card) return refuse(c, { status: 400, code: 'param.cardNotExist', message: 'card not exist' });
    if (b.cardData) {
      const map = b.cardData.cardParamMap ?? {};
      card.params = merge(b.cardUpdateOptions?.updateCardDataByKey, card.params, map);
      card.updates.push(map);
      checkRender(card.outTrackId, 'update', map);
    }
    for (const [u, v] of Object.entries(b.privateData ?? {})) {
      card.privateParams[u] = merge(b.cardUpdateOptions?.updatePrivateDataByKey, card.privateParams[u] ?? {}, v.cardParamMap ?? {});
      checkRender(card.outTrackId, `update private ${u}`, v.cardParamMap);
    }
    return c.json({ success: true, result: true });
  });

  const robot = async (c: Context) => {
    const denied = guard(c, 'api'); if (denied) return denied;
    const body = (await c.req.json()) as Record<string, unknown>;
    const bad = checkRobotSend(c.req.path, body); if (bad) return refuse(c, bad);
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
  const gateway: FakeGateway = startFakeGateway(server, (t) => tickets.delete(t));

  /** A card callback's answer updates the card: public data for everyone, `userPrivateData` for the clicker. */
  function applyCardAnswer(data: Record<string, unknown>, ack: Ack): void {
    let response: unknown;
    try { response = (JSON.parse(ack.data) as { response?: unknown }).response; } catch { callbackProblems.push(`${ack.headers.messageId}: ACK data is not JSON`); return; }
    const problems = callbackResponseProblems(response);
    callbackProblems.push(...problems.map((p) => `${ack.headers.messageId}: ${p}`));
    const card = cards.get(String(data['outTrackId']));
    if (problems.length > 0 || !card || typeof response !== 'object' || response === null) return;
    const r = response as { cardData?: ParamMapBody; userPrivateData?: ParamMapBody; cardUpdateOptions?: { updateCardDataByKey?: boolean; updatePrivateDataByKey?: boolean } };
    if (r.cardData?.cardParamMap) {
      card.params = merge(r.cardUpdateOptions?.updateCardDataByKey, card.params, r.cardData.cardParamMap);
      card.updates.push(r.cardData.cardParamMap);
      checkRender(card.outTrackId, 'callback answer', r.cardData.cardParamMap);
    }
    const user = String(data['userId']);
    if (r.userPrivateData?.cardParamMap) {
      card.privateParams[user] = merge(r.cardUpdateOptions?.updatePrivateDataByKey, card.privateParams[user] ?? {}, r.userPrivateData.cardParamMap);
      checkRender(card.outTrackId, `callback answer private ${user}`, r.userPrivateData.cardParamMap);
    }
  }

  return {
    url: `http://127.0.0.1:${st.port}`,
    requests, opens, cards, robotMessages, users, departments, templates, renderIssues, callbackProblems, rejected, gateway,
    acks: gateway.acks,
    get pings() { return gateway.pings; },
    get tokensIssued() { return st.tokensIssued; },
    /** Sockets connected so far. */
    get connections() { return gateway.connections.length; },
    /** Sockets currently open (a leak shows up as more than one). */
    get openSockets() { return gateway.openSockets; },
    /** Stop answering WebSocket pings, like a half-dead connection. */
    mutePongs: (mute: boolean) => gateway.mutePongs(mute),
    /** Waits until at least `n` sockets have connected so far. */
    async waitForConnections(n: number, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (gateway.connections.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} connections, saw ${gateway.connections.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    /** Sends a CALLBACK frame and resolves with the client's ACK (a card callback's answer is applied to the card). */
    async pushCallback(topic: string, data: unknown, messageId?: string, ackTimeoutMs?: number): Promise<Ack & { connection: number }> {
      const ack = await gateway.push('CALLBACK', topic, JSON.stringify(data), messageId, ackTimeoutMs);
      if (topic === TOPIC_CARD) applyCardAnswer(data as Record<string, unknown>, ack);
      return ack;
    },
    /** SYSTEM ping; resolves with the echo. */
    ping: () => gateway.ping(),
    /** SYSTEM disconnect (the gateway closes that connection 10 s later unless the client does first). */
    disconnect: (closeAfterMs?: number) => gateway.disconnect(closeAfterMs),
    /** The next `n` OpenAPI calls answer 403 QpsLimitForAppkeyAndApi (new) / errcode 90018 (oapi). */
    throttleNext(n: number) { st.throttled = n; },
    deleteCard(id: string) { cards.delete(id); },
    /** Server-side revocation: every issued token becomes invalid. */
    revokeTokens() { tokens.clear(); },
    close: () => new Promise<void>((resolve) => {
      gateway.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export type FakeDingtalkServer = Awaited<ReturnType<typeof startFakeDingtalkServer>>;
