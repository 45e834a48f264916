import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { isOurOrigin, sameOriginGuard } from '../../../src/http/same-origin.ts';

/** A tiny app behind the guard: every route answers 200 and counts what got through. */
function guarded(trustedOrigins: string[] = []) {
  const reached: string[] = [];
  const app = new Hono();
  app.use('*', sameOriginGuard({ trustedOrigins }));
  app.all('*', (c) => { reached.push(`${c.req.method} ${c.req.path}`); return c.json({ ok: true }); });
  return { app, reached };
}

const HOST = '127.0.0.1:3000';
const post = (app: Hono, path: string, headers: Record<string, string>, body: string | null = '{}') =>
  app.request(`http://${HOST}${path}`, { method: 'POST', headers: { host: HOST, ...headers }, ...(body === null ? {} : { body }) });
const codeOf = async (res: Response) => ((await res.json()) as { error?: { code: string } }).error?.code;

describe('sameOriginGuard: JSON bodies only on the browser-facing APIs', () => {
  it.each(['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'text/json'])('%s → 415', async (type) => {
    const { app, reached } = guarded();
    const res = await post(app, '/console/api/messages', { 'content-type': type });
    expect([res.status, await codeOf(res)]).toEqual([415, 'request.unsupported_media_type']);
    expect(reached).toEqual([]);
  });

  it('application/json (any case, with a charset) passes; so does a POST without body or type (admin actions)', async () => {
    const { app, reached } = guarded();
    expect((await post(app, '/console/api/messages', { 'content-type': 'Application/JSON; charset=utf-8' })).status).toBe(200);
    expect((await post(app, '/admin/api/directory/sync', {}, null)).status).toBe(200);
    expect(reached).toEqual(['POST /console/api/messages', 'POST /admin/api/directory/sync']);
  });

  it('a body without a content type is refused (a no-cors fetch of a Blob sends none)', async () => {
    const { app } = guarded();
    const res = await app.request(`http://${HOST}/admin/api/jobs/1/replay`, { method: 'POST', headers: { host: HOST, 'content-length': '2' }, body: new Uint8Array([123, 125]) });
    expect(res.status).toBe(415);
  });

  it.each(['/console/console2/api/actions', '/admin/api/jobs/x/replay', '/auth/sign-out', '/auth'])('guards %s', async (path) => {
    const { app } = guarded();
    expect((await post(app, path, { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('leaves webhooks, platform callbacks, pages and safe methods alone', async () => {
    const { app, reached } = guarded();
    for (const path of ['/webhooks/feishu/bot1', '/webhooks/erp/tryton', '/console', '/consoles/api/x', '/administrator/api/x']) {
      expect((await post(app, path, { 'content-type': 'text/plain', origin: 'https://evil.example' })).status).toBe(200);
    }
    expect((await app.request(`http://${HOST}/console/api/users`, { headers: { host: HOST, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
    expect(reached).toHaveLength(6);
  });
});

describe('sameOriginGuard: the Origin must be ours', () => {
  it.each([
    ['another port on the same machine', 'http://127.0.0.1:4000'],
    ['another scheme', 'https://127.0.0.1:3000'],
    ['another site', 'https://evil.example'],
    ['an opaque origin (sandboxed frame, no-referrer form)', 'null'],
    ['not an origin at all', 'javascript:alert(1)'],
  ])('%s → 403', async (_what, origin) => {
    const { app, reached } = guarded();
    const res = await post(app, '/console/api/messages', { 'content-type': 'application/json', origin });
    expect([res.status, await codeOf(res)]).toEqual([403, 'auth.cross_origin']);
    expect(reached).toEqual([]);
  });

  it('the cross-origin refusal comes first, even for a text/plain form', async () => {
    const { app } = guarded();
    expect(await codeOf(await post(app, '/console/api/messages', { 'content-type': 'text/plain', origin: 'http://127.0.0.1:4000' }))).toBe('auth.cross_origin');
  });

  it('the loopback address the request was sent to, or a configured origin, passes', async () => {
    const { app } = guarded(['https://approvals.example.com']);
    expect((await post(app, '/console/api/messages', { 'content-type': 'application/json', origin: `http://${HOST}` })).status).toBe(200);
    expect((await post(app, '/console/api/messages', { 'content-type': 'application/json', origin: 'https://approvals.example.com' })).status).toBe(200);
  });

  it('without Origin, Sec-Fetch-Site must be same-origin or none; clients sending neither (curl, servers) pass', async () => {
    const { app } = guarded();
    for (const site of ['cross-site', 'same-site']) {
      expect(await codeOf(await post(app, '/admin/api/x', { 'content-type': 'application/json', 'sec-fetch-site': site }))).toBe('auth.cross_origin');
    }
    for (const site of ['same-origin', 'none']) expect((await post(app, '/admin/api/x', { 'content-type': 'application/json', 'sec-fetch-site': site })).status).toBe(200);
    expect((await post(app, '/admin/api/x', { 'content-type': 'application/json' })).status).toBe(200);
  });
});

describe('isOurOrigin', () => {
  const none = new Set<string>();
  it('trusts a Host only when it is a loopback address: a DNS name could be rebound to this machine', () => {
    const http = (host: string | undefined) => ({ scheme: 'http:', host });
    expect(isOurOrigin('http://localhost:3000', http('localhost:3000'), none)).toBe(true);
    expect(isOurOrigin('http://[::1]:3000', http('[::1]:3000'), none)).toBe(true);
    expect(isOurOrigin('http://127.0.0.2', http('127.0.0.2:80'), none)).toBe(true); // default port on one side only
    expect(isOurOrigin('https://127.0.0.2', http('127.0.0.2'), none)).toBe(false); // another server (port 443)
    expect(isOurOrigin('http://rebound.evil.example:3000', http('rebound.evil.example:3000'), none)).toBe(false);
    expect(isOurOrigin('http://10.0.0.5:3000', http('10.0.0.5:3000'), none)).toBe(false);
    expect(isOurOrigin('http://10.0.0.5:3000', http('10.0.0.5:3000'), new Set(['http://10.0.0.5:3000']))).toBe(true);
    expect(isOurOrigin('http://localhost:3000', http(undefined), none)).toBe(false);
    expect(isOurOrigin('http://localhost:3000', http('localhost:3001'), none)).toBe(false);
  });
});
