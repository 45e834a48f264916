import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { systemClock, type Clock } from '../../src/core/clock.ts';
import type { MasterKind } from '../../src/core/master-kinds.ts';
import { documentJson, ErpRefusal, FakeLedger, WrongState, type FakeDocument } from './rest-adapter-ledger.ts';
import { FakeMasterBook } from './rest-adapter-master.ts';
import { FakeOriginBook, Missing } from './rest-adapter-origin.ts';
import { loadOpenApi, matchPath, operationParameters, responseSchema, validate, type Operation } from './openapi-check.ts';

/**
 * A fake ERP adapter on loopback HTTP that follows docs/erp-rest-contract.openapi.yaml strictly: it loads the file
 * (the `yaml` package) and checks every request against it (path, parameters, body: a request the contract does
 * not allow is 400 `bad_request`), and checks its own answers too (a fake that drifted from the file shows up in
 * `violations`). The ERP behind it is rest-adapter-ledger.ts (our documents), rest-adapter-origin.ts (documents made
 * in the ERP, approved in chat) and rest-adapter-master.ts (master data); tests act as the accountant (post, pay),
 * as the ERP's users (`origin`, `master`) and break the line (down, failNext, loseNextAnswer, mangleNext).
 */
export interface RestAdapterOptions {
  token?: string;
  /** Where the contract's paths start ('' or '/segments'). */
  prefix?: string;
  /** The parties the ERP knows; a payload naming another is refused (422). */
  parties?: string[];
  clock?: Clock;
  /** The master-data kinds the adapter shares (default supplier, employee, material, project). */
  masterKinds?: MasterKind[];
}

type Answer = { status: number; body: string; headers?: Record<string, string> };
interface Sent { method: string; path: string; authorization: string | undefined; body: unknown }

const json = (status: number, body: unknown): Answer => ({ status, body: JSON.stringify(body) });
const error = (status: number, code: string, message: string): Answer => json(status, { error: { code, message } });

export async function startRestAdapter(o: RestAdapterOptions = {}) {
  const doc = loadOpenApi();
  const token = o.token ?? 'adapter-token-1234';
  const prefix = o.prefix ?? '';
  const ledger = new FakeLedger(o.clock ?? systemClock, new Set(o.parties ?? ['Zhang San', 'Acme Supplies']));
  const origin = new FakeOriginBook(o.clock ?? systemClock, 'https://erp.example.com/web');
  const master = new FakeMasterBook(o.masterKinds ?? ['supplier', 'employee', 'material', 'project']);
  const requests: Sent[] = [];
  const violations: string[] = [];
  const sockets = new Set<Socket>();
  const hanging: ServerResponse[] = [];
  let failures: Answer[] = [];
  let lose: 'hang' | 'reset' | null = null;
  let mangle: ((body: unknown) => unknown) | null = null;

  function handle(op: Operation, template: string, method: string, params: Record<string, string>, query: URLSearchParams, body: unknown): Answer {
    switch (`${method} ${template}`) {
      case 'get /documents/{external_key}': {
        const d = ledger.findKey(params.external_key ?? '');
        return d ? json(200, documentJson(d)) : error(404, 'not_found', `no document for ${params.external_key}`);
      }
      case 'put /documents/{external_key}': {
        const b = body as { doc_kind: string; payload: Record<string, string>; auto_approve: boolean };
        const { doc: d, created } = ledger.create(params.external_key ?? '', b.doc_kind, b.payload, b.auto_approve);
        return json(created ? 201 : 200, { created, document: documentJson(d) });
      }
      case 'get /documents/by-id/{id}': {
        const d = ledger.findId(params.id ?? '');
        const o = origin.find(params.id ?? '');
        if (o && o.state !== 'deleted') return json(200, origin.documentJson(o));
        return d ? json(200, documentJson(d)) : error(404, 'not_found', `no document ${params.id}`);
      }
      case 'post /documents/by-id/{id}/decide': {
        const b = body as { decision: 'approve' | 'reject'; reason?: string; approver?: { id?: string; name: string } };
        // A document made in the ERP follows its originated state (the decide operation's description).
        if (origin.find(params.id ?? '')) return json(200, origin.documentJson(origin.decide(params.id ?? '', b.decision, b.reason, b.approver)));
        if (!ledger.findId(params.id ?? '')) return error(404, 'not_found', `no document ${params.id}`);
        return json(200, documentJson(ledger.decide(params.id ?? '', b.decision)));
      }
      case 'get /changes': {
        const raw = query.get('cursor');
        if (raw !== null && !/^seq:\d+$/.test(raw)) return error(400, 'bad_request', `not a cursor of this adapter: ${raw}`);
        const page = ledger.changes(raw ? Number(raw.slice(4)) : 0, Number(query.get('limit') ?? 100));
        return json(200, { changes: page.docs.map(documentJson), next_cursor: `seq:${page.next}`, has_more: page.hasMore });
      }
      case 'get /originated': {
        const at = cursorOf(query.get('cursor'), 'oseq');
        if (at === null) return error(400, 'bad_request', `not a cursor of this adapter: ${query.get('cursor')}`);
        const page = origin.changes(at, Number(query.get('limit') ?? 100));
        return json(200, { documents: page.docs.map((d) => origin.json(d)), next_cursor: `oseq:${page.next}`, has_more: page.hasMore });
      }
      case 'get /originated/{id}': {
        const d = origin.find(params.id ?? '');
        return d && d.state !== 'deleted' ? json(200, origin.json(d)) : error(404, 'not_found', `no document ${params.id}`);
      }
      case 'get /master-data':
        return json(200, { kinds: master.shared });
      case 'get /master-data/{kind}': {
        const kind = params.kind as MasterKind;
        if (!master.shared.includes(kind)) return error(404, 'not_found', `this adapter does not share ${kind}`);
        const at = cursorOf(query.get('cursor'), 'mseq');
        if (at === null) return error(400, 'bad_request', `not a cursor of this adapter: ${query.get('cursor')}`);
        const page = master.changes(kind, at, Number(query.get('limit') ?? 100));
        return json(200, { records: page.records.map((r) => master.json(r)), next_cursor: `mseq:${page.next}`, has_more: page.hasMore });
      }
      default:
        throw new Error(`the fake has no handler for ${op.operationId}`);
    }
  }

  /** Checks the request against the file and runs it; every answer it makes is checked against the file too. */
  function route(req: IncomingMessage, raw: string): { answer: Answer; op?: Operation } {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = (req.method ?? 'GET').toLowerCase();
    if (!url.pathname.startsWith(`${prefix}/`)) return { answer: { status: 404, body: 'Not Found' } };
    const segments = url.pathname.slice(prefix.length).split('/').slice(1).map((s) => decodeURIComponent(s));
    const match = matchPath(doc, segments);
    // Not a path of the contract: the 404 of whatever web server sits there, not the contract's JSON.
    if (!match) return { answer: { status: 404, body: '<html>Not Found</html>', headers: { 'content-type': 'text/html' } } };
    const op = doc.paths[match.template]?.[method] as Operation | undefined;
    if (!op) return { answer: error(405, 'bad_request', `${method.toUpperCase()} is not allowed on ${match.template}`) };
    // RFC 6750 §2.1: credentials in the Authorization request header with the Bearer scheme.
    if (req.headers.authorization !== `Bearer ${token}`) return { op, answer: error(401, 'unauthorized', 'missing or wrong bearer token') };
    const problems: string[] = [];
    for (const p of operationParameters(doc, match.template, method)) {
      const v = p.in === 'path' ? match.params[p.name] : p.in === 'query' ? url.searchParams.get(p.name) ?? undefined : undefined;
      if (v === undefined) { if (p.required) problems.push(`${p.name}: required`); continue; }
      const typed = p.schema.type === 'integer' ? (/^-?\d+$/.test(v) ? Number(v) : v) : v;
      problems.push(...validate(doc, p.schema, typed, p.name));
    }
    let body: unknown;
    if (op.requestBody) {
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) problems.push('content-type: application/json required');
      try { body = JSON.parse(raw); } catch { problems.push('body: not JSON'); }
      const schema = op.requestBody.content['application/json']?.schema;
      if (schema && body !== undefined) problems.push(...validate(doc, schema, body, 'body'));
    }
    if (problems.length) return { op, answer: error(400, 'bad_request', problems.join('; ')) };
    try {
      return { op, answer: handle(op, match.template, method, match.params, url.searchParams, body) };
    } catch (e) {
      if (e instanceof ErpRefusal) return { op, answer: error(422, 'validation', e.message) };
      if (e instanceof WrongState) return { op, answer: error(409, 'not_allowed_in_state', e.message) };
      if (e instanceof Missing) return { op, answer: error(404, 'not_found', e.message) };
      throw e;
    }
  }

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => { raw += c.toString('utf8'); });
    req.on('end', () => {
      try {
        respond(req, res, raw);
      } catch (e) {
        // A fault of the fake itself: reported to the test, answered as a 500.
        violations.push(`fake adapter failed: ${e instanceof Error ? e.message : String(e)}`);
        if (!res.headersSent) send(res, error(500, 'internal', 'the fake adapter failed'));
      }
    });
  });

  function respond(req: IncomingMessage, res: ServerResponse, raw: string): void {
    let body: unknown;
    try { body = raw ? JSON.parse(raw) : undefined; } catch { body = raw; }
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body });
    const injected = failures.shift();
    if (injected) { send(res, injected); return; }
    const { answer, op } = route(req, raw);
    if (lose && req.method === 'PUT' && answer.status < 300) {
      // Applied, and the answer never arrives: the socket hangs (the client times out) or is cut.
      const mode = lose;
      lose = null;
      if (mode === 'hang') hanging.push(res); else res.socket?.destroy();
      return;
    }
    if (mangle && answer.status < 300) {
      const f = mangle;
      mangle = null;
      send(res, { ...answer, body: JSON.stringify(f(JSON.parse(answer.body))) });
      return;
    }
    if (op) {
      const schema = responseSchema(doc, op, answer.status);
      if (schema === undefined) violations.push(`${op.operationId}: HTTP ${answer.status} is not in the contract`);
      else if (schema) violations.push(...validate(doc, schema, JSON.parse(answer.body), `${op.operationId} ${answer.status}`));
    }
    send(res, answer);
  }
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  function send(res: ServerResponse, a: Answer): void {
    res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body);
  }

  function stop(): Promise<void> {
    for (const h of hanging.splice(0)) h.destroy();
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  }

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    prefix,
    ledger,
    /** Documents made in the ERP (approved in chat) and the ERP users' moves on them. */
    origin,
    /** Master data the adapter shares. */
    master,
    /** Every request received, in order. */
    requests,
    /** The fake's own answers that broke the contract (a test asserts this stays empty). */
    violations,
    post: (id: string): FakeDocument => ledger.post(id),
    pay: (id: string, amount: string, bankRef: string): FakeDocument => ledger.pay(id, amount, bankRef),
    /** Stops listening (connections are refused); the returned function listens again on the same port. */
    async down(): Promise<() => Promise<void>> {
      await stop();
      return () => new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    /** The next requests get these answers instead, before any check (a 503 with Retry-After, a 200 of garbage…). */
    failNext(...answers: Answer[]): void { failures = [...failures, ...answers]; },
    /** The next successful PUT is applied and its answer lost: it hangs until the client gives up, or the socket is cut. */
    loseNextAnswer(mode: 'hang' | 'reset' = 'hang'): void { lose = mode; },
    /** The next successful answer's JSON goes through `f` (a document that breaks the contract, say), unchecked. */
    mangleNext(f: (body: unknown) => unknown): void { mangle = f; },
    close: stop,
  };
}

/** `<prefix>:<n>` → n; no cursor → 0; anything else → null (not one of ours). */
function cursorOf(raw: string | null, prefix: string): number | null {
  if (raw === null) return 0;
  const m = new RegExp(`^${prefix}:(\\d+)$`).exec(raw);
  return m ? Number(m[1]) : null;
}

export type RestAdapterFake = Awaited<ReturnType<typeof startRestAdapter>>;

/** The headers of a push the adapter sends to `POST /webhooks/erp/<instance>` (the contract's `webhooks`). */
export function signPush(secret: string, rawBody: string, timestamp: number, eventId: string): Record<string, string> {
  const hex = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  return { 'content-type': 'application/json', 'x-erp-event-id': eventId, 'x-erp-timestamp': String(timestamp), 'x-erp-signature': `sha256=${hex}` };
}

/** Sends a push as an adapter would (for the webhook's own tests). */
export async function pushTo(url: string, secret: string, body: { event_id: string; documents: Record<string, string>[] }, timestamp: number): Promise<Response> {
  const raw = JSON.stringify(body);
  return fetch(url, { method: 'POST', headers: signPush(secret, raw, timestamp, body.event_id), body: raw });
}
