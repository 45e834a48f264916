import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createServiceToken, listServiceTokens, revokeServiceToken } from '../../src/identity/service-tokens.ts';
import { createSession } from '../../src/identity/sessions.ts';
import { DEMO_USERS, writeDirectoryFile } from '../support/directory-fixture.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * Every admin API route checks role and tenant (issue 14). The expected table is written out here, by hand, apart
 * from src/identity/permissions.ts: a rule changed by mistake fails, and a route the app serves that is missing
 * here fails too (the routes are read from the hono app).
 */
const EXPECTED: Record<string, string[]> = {
  'GET /admin/api/requests': ['admin', 'finance', 'auditor'],
  'GET /admin/api/requests/:id': ['admin', 'finance', 'auditor'],
  'GET /admin/api/requests/:id/timeline': ['admin', 'finance', 'auditor'],
  'GET /admin/api/cycle-times': ['admin', 'finance', 'auditor'],
  'GET /admin/api/erp/connectors': ['admin', 'finance', 'auditor'],
  'GET /admin/api/reconciliation/findings': ['admin', 'finance', 'auditor'],
  'POST /admin/api/reconciliation/run': ['admin', 'finance'],
  'POST /admin/api/reconciliation/findings/:id/resolve': ['admin', 'finance'],
  'GET /admin/api/jobs/dead': ['admin', 'auditor'],
  'POST /admin/api/jobs/:id/replay': ['admin'],
  'GET /admin/api/audit/verify': ['admin', 'auditor'],
  'POST /admin/api/directory/sync': ['admin'],
};
const PEOPLE = { admin: 'admin', finance: 'wangwu', auditor: 'shenji', employee: 'zhangsan' } as const;

let tdb: TestDb;
let app: App;
beforeAll(async () => {
  tdb = await createTestDb();
  const users = [...DEMO_USERS, { id: 'shenji', name: '审计', department: 'hq', roles: ['employee', 'auditor'] }];
  app = await startApp({ db: tdb.handle, env: { DIRECTORY_FILE: writeDirectoryFile(users) }, noWorkers: true });
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

async function sessionOf(userId: string, tenantId = 'default'): Promise<Record<string, string>> {
  const s = await createSession(app.db.db, { tenantId, userId, via: 'feishu' }, systemClock);
  return { cookie: s.setCookie.split(';')[0]!, 'x-csrf-token': s.csrf };
}

/** A concrete path for a route pattern: ids that exist nowhere (an allowed call answers 404 or 400, never 401/403). */
function concrete(path: string): string {
  return path.replace('/requests/:id', '/requests/no-such-request').replace('/findings/:id', '/findings/00000000-0000-4000-8000-000000000000')
    .replace('/jobs/:id', '/jobs/999999');
}

async function call(method: string, path: string, headers: Record<string, string>): Promise<{ status: number; code: string | undefined }> {
  const res = await app.http.request(path, { method, headers: { 'content-type': 'application/json', ...headers }, ...(method === 'POST' ? { body: '{}' } : {}) });
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code };
}

describe('admin API: route × role', () => {
  it('lists the same routes as the app serves', () => {
    const served = app.http.routes.filter((r) => r.path.startsWith('/admin/api/') && r.method !== 'ALL').map((r) => `${r.method} ${r.path}`);
    expect([...new Set(served)].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s → allowed for %j, refused (403 auth.forbidden) for the other roles', async (route, allowed) => {
    const [method, path] = route.split(' ') as [string, string];
    for (const [role, person] of Object.entries(PEOPLE)) {
      const r = await call(method, concrete(path), await sessionOf(person));
      if (allowed.includes(role)) expect(r.code ?? '', `${role} on ${route}`).not.toMatch(/^auth\./);
      else expect(r, `${role} on ${route}`).toEqual({ status: 403, code: 'auth.forbidden' });
    }
    expect(await call(method, concrete(path), {}), `anonymous on ${route}`).toEqual({ status: 401, code: 'auth.required' });
  });
});

describe('admin API: tenant and CSRF', () => {
  it('an admin asking for another tenant with ?tenant= is refused and audited; the own tenant is fine', async () => {
    const h = await sessionOf('admin');
    expect(await call('GET', '/admin/api/requests?tenant=acme', h)).toEqual({ status: 403, code: 'auth.tenant_mismatch' });
    expect((await call('GET', '/admin/api/requests?tenant=default', h)).status).toBe(200);
    const rows = await app.db.db.selectFrom('audit_log').select(['actor', 'action', 'meta']).where('action', '=', 'auth.refused').execute();
    expect(rows).toContainEqual(expect.objectContaining({ actor: 'user:admin', meta: expect.objectContaining({ code: 'auth.tenant_mismatch', status: 403 }) }));
  });

  it('an employee session asking for another tenant gets nothing', async () => {
    expect((await call('GET', '/admin/api/requests?tenant=acme', await sessionOf('zhangsan'))).status).toBe(403);
  });

  it('a session of another tenant sees its own tenant only, whatever the query says', async () => {
    // No person "admin" in tenant acme's directory: the session names nobody there, so it is no session.
    expect((await call('GET', '/admin/api/requests', await sessionOf('admin', 'acme'))).status).toBe(401);
  });

  it('a POST with a session but without its CSRF token is refused', async () => {
    const { cookie } = await sessionOf('admin');
    expect(await call('POST', '/admin/api/reconciliation/run', { cookie: cookie! })).toEqual({ status: 403, code: 'auth.csrf' });
  });
});

describe('service tokens', () => {
  it('scopes: admin:read reads and cannot change; admin:write changes; tokens are per tenant', async () => {
    const read = await createServiceToken(app.db.db, { tenantId: 'default', name: 'monitor', scopes: ['admin:read'] }, systemClock);
    const write = await createServiceToken(app.db.db, { tenantId: 'default', name: 'ops', scopes: ['admin:read', 'admin:write'] }, systemClock);
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    expect((await call('GET', '/admin/api/requests', bearer(read.token))).status).toBe(200);
    expect(await call('POST', '/admin/api/reconciliation/run', bearer(read.token))).toEqual({ status: 403, code: 'auth.forbidden' });
    expect((await call('POST', '/admin/api/reconciliation/run', bearer(write.token))).status).toBe(200);
    expect(await call('GET', '/admin/api/requests?tenant=acme', bearer(write.token))).toEqual({ status: 403, code: 'auth.tenant_mismatch' });
    await expect(createServiceToken(app.db.db, { tenantId: 'default', name: 'x', scopes: ['admin:everything'] }, systemClock)).rejects.toThrow(/scopes/);
  });

  it('rotation: a new token works next to the old; the revoked old one is refused; only hashes are stored', async () => {
    const old = await createServiceToken(app.db.db, { tenantId: 'default', name: 'ci', scopes: ['admin:read'] }, systemClock);
    const next = await createServiceToken(app.db.db, { tenantId: 'default', name: 'ci', scopes: ['admin:read'] }, systemClock);
    const get = (t: string) => call('GET', '/admin/api/requests', { authorization: `Bearer ${t}` });
    expect((await get(old.token)).status).toBe(200);
    expect((await get(next.token)).status).toBe(200);
    expect(await revokeServiceToken(app.db.db, old.id, systemClock)).toBe(true);
    expect(await get(old.token)).toEqual({ status: 401, code: 'auth.invalid_token' });
    expect((await get(next.token)).status).toBe(200);
    const rows = JSON.stringify(await app.db.db.selectFrom('service_tokens').selectAll().execute());
    expect(rows).not.toContain(old.token.slice(4));
    expect(rows).not.toContain(next.token.slice(4));
    const listed = await listServiceTokens(app.db.db, 'default');
    expect(listed.find((t) => t.id === old.id)?.revokedAt).not.toBeNull();
    expect(listed.find((t) => t.id === next.id)?.lastUsedAt).not.toBeNull();
  });

  it('an expired token is refused', async () => {
    const t = await createServiceToken(app.db.db, { tenantId: 'default', name: 'short', scopes: ['admin:read'], expiresAt: new Date(Date.now() - 1000) }, systemClock);
    expect((await call('GET', '/admin/api/requests', { authorization: `Bearer ${t.token}` })).status).toBe(401);
  });
});
