import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createServiceToken } from '../../src/identity/service-tokens.ts';
import { createSession } from '../../src/identity/sessions.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/** The console acts as the signed-in person (issue 14, finding 1): the session decides, a claimed `user` does not. */
let tdb: TestDb;
let app: App;
beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, env: { CONSOLE_DEMO: 'false' } });
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

async function signIn(userId: string): Promise<{ cookie: string; csrf: string }> {
  const s = await createSession(app.db.db, { tenantId: 'default', userId, via: 'feishu' }, systemClock);
  return { cookie: s.setCookie.split(';')[0]!, csrf: s.csrf };
}

function call(path: string, o: { method?: string; body?: unknown; cookie?: string; csrf?: string; env?: unknown } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.cookie) headers['cookie'] = o.cookie;
  if (o.csrf) headers['x-csrf-token'] = o.csrf;
  return Promise.resolve(app.http.request(path, { method: o.method ?? 'GET', headers, ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}) }, o.env as never));
}

const events = async () => Number((await sql<{ n: string }>`select count(*) as n from inbox_events`.execute(app.db.db)).rows[0]!.n);

describe('console API acts as the signed-in person', () => {
  it('GET /console/api/session tells the page who is signed in, its CSRF token, and that this is no demo', async () => {
    const z = await signIn('zhangsan');
    expect(await (await call('/console/api/session', { cookie: z.cookie })).json()).toEqual({ user: { id: 'zhangsan', name: '张三' }, demo: false, csrf: z.csrf, signIn: [] });
    expect(await (await call('/console/api/session')).json()).toEqual({ user: null, demo: false, csrf: null, signIn: [] });
  });

  it('zhangsan posting as lisi is refused with auth.impersonation, audited, and nothing is accepted', async () => {
    const z = await signIn('zhangsan');
    const before = await events();
    const res = await call('/console/api/messages', { method: 'POST', cookie: z.cookie, csrf: z.csrf, body: { user: 'lisi', text: '报销 100 元' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('auth.impersonation');
    expect(await events()).toBe(before);
    const rows = await app.db.db.selectFrom('audit_log').select(['actor', 'action', 'meta']).where('action', '=', 'auth.impersonation').execute();
    expect(rows).toEqual([expect.objectContaining({ actor: 'user:zhangsan', action: 'auth.impersonation', meta: expect.objectContaining({ claimed: 'lisi', status: 403 }) })]);
    // The same for reading lisi's chat and clicking on a card as lisi.
    expect((await call('/console/api/inbox?user=lisi', { cookie: z.cookie })).status).toBe(403);
    const click = await call('/console/api/actions', { method: 'POST', cookie: z.cookie, csrf: z.csrf, body: { user: 'lisi', messageId: 'm1', actionId: 'approve' } });
    expect([click.status, ((await click.json()) as { error: { code: string } }).error.code]).toEqual([403, 'auth.impersonation']);
  });

  it('the session is who speaks: a message without `user` is zhangsan\'s; without the CSRF header it is refused', async () => {
    const z = await signIn('zhangsan');
    const before = await events();
    const noCsrf = await call('/console/api/messages', { method: 'POST', cookie: z.cookie, body: { text: '/help' } });
    expect([noCsrf.status, ((await noCsrf.json()) as { error: { code: string } }).error.code]).toEqual([403, 'auth.csrf']);
    expect(await events()).toBe(before);
    const ok = await call('/console/api/messages', { method: 'POST', cookie: z.cookie, csrf: z.csrf, body: { text: '/help' } });
    expect(ok.status).toBe(202);
    const row = await app.db.db.selectFrom('inbox_events').select(['payload']).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect((row.payload as { sender: { externalId: string } }).sender.externalId).toBe('zhangsan');
    const users = (await (await call('/console/api/users', { cookie: z.cookie })).json()) as { users: { id: string }[] };
    expect(users.users.map((u) => u.id)).toEqual(['zhangsan']); // no picker of everyone outside demo mode
  });

  it('without a session and without demo mode the console answers 401 auth.required', async () => {
    const res = await call('/console/api/messages', { method: 'POST', body: { user: 'lisi', text: 'hello' } });
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([401, 'auth.required']);
    expect((await call('/console/api/inbox?user=lisi')).status).toBe(401);
    expect((await call('/console/api/users')).status).toBe(401);
  });

  it('a signed-out (revoked) or expired session is no session', async () => {
    const s = await createSession(app.db.db, { tenantId: 'default', userId: 'lisi', via: 'dingtalk' }, systemClock, { ttlMs: 1 });
    await new Promise((r) => setTimeout(r, 5));
    expect((await call('/console/api/inbox', { cookie: s.setCookie.split(';')[0]! })).status).toBe(401);
  });

  it('a console:act-as service token speaks for the named person; an admin-only token cannot', async () => {
    const actAs = await createServiceToken(app.db.db, { tenantId: 'default', name: 'driver', scopes: ['console:act-as'] }, systemClock);
    const adminOnly = await createServiceToken(app.db.db, { tenantId: 'default', name: 'ops', scopes: ['admin:read'] }, systemClock);
    const as = (token: string) => app.http.request('/console/api/inbox?user=lisi', { headers: { authorization: `Bearer ${token}` } });
    expect((await as(actAs.token)).status).toBe(200);
    expect((await as(adminOnly.token)).status).toBe(403);
    expect((await as('aat_not-a-real-token')).status).toBe(401);
  });
});

describe('demo mode answers loopback clients only', () => {
  let demo: App;
  beforeAll(async () => { demo = await startApp({ db: tdb.handle, env: { CONSOLE_DEMO: 'true' }, noWorkers: true }); });
  afterAll(async () => { await demo.stop(); });
  // What @hono/node-server passes as c.env: the Node request, whose socket says where the client is.
  const from = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

  it('a client on this machine picks anyone; the same request from the network is refused', async () => {
    const get = (env: unknown) => Promise.resolve(demo.http.request('/console/api/inbox?user=lisi', {}, env as never));
    expect((await get(from('127.0.0.1'))).status).toBe(200);
    expect((await get(from('::1'))).status).toBe(200);
    const far = await get(from('203.0.113.7'));
    expect([far.status, ((await far.json()) as { error: { code: string } }).error.code]).toEqual([403, 'auth.demo_loopback_only']);
    expect((await get(from('::ffff:10.1.2.3'))).status).toBe(403);
    expect(await (await demo.http.request('/console/api/session', {}, from('127.0.0.1') as never)).json()).toMatchObject({ user: null, demo: true });
    expect(await (await demo.http.request('/console/api/session', {}, from('203.0.113.7') as never)).json()).toMatchObject({ user: null, demo: false });
  });

  it('a signed-in person in demo mode is still only themselves', async () => {
    const z = await createSession(demo.db.db, { tenantId: 'default', userId: 'zhangsan', via: 'demo' }, systemClock);
    const res = await demo.http.request('/console/api/inbox?user=wangwu', { headers: { cookie: z.setCookie.split(';')[0]! } });
    expect(res.status).toBe(403);
  });
});
