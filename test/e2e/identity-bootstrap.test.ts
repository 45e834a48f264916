import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { systemClock } from '../../src/core/clock.ts';
import { issueBootstrapLink, needsBootstrap } from '../../src/identity/bootstrap.ts';
import { createServiceToken } from '../../src/identity/service-tokens.ts';
import { DEMO_USERS, writeDirectoryFile } from '../support/directory-fixture.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/** A logger whose lines the test reads. */
function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _e, done) { lines.push(...chunk.toString().split('\n').filter(Boolean)); done(); } });
  return { logger: pino({ level: 'info' }, stream), lines };
}
const msgs = (lines: string[]) => lines.map((l) => (JSON.parse(l) as { msg: string }).msg);

let tdb: TestDb;
beforeAll(async () => { tdb = await createTestDb(); });
afterAll(async () => { await tdb.drop(); });

describe('bootstrap link', () => {
  let app: App;
  afterAll(async () => { await app.stop(); });

  it('is printed once at first start, signs in the first admin once, and is not printed again', async () => {
    const { logger, lines } = capture();
    app = await startApp({ db: tdb.handle, env: { CONSOLE_DEMO: 'false', LOG_LEVEL: 'info' }, logger });
    const port = await app.listen();
    const links = msgs(lines).filter((m) => m.includes('/auth/bootstrap?token='));
    expect(links).toHaveLength(1);
    const url = new URL(/(http:\/\/\S+)/.exec(links[0]!)![1]!);
    expect(url.origin).toBe(`http://127.0.0.1:${port}`);
    const token = url.searchParams.get('token')!;
    expect(JSON.stringify(await app.db.db.selectFrom('bootstrap_links').selectAll().execute())).not.toContain(token);

    const first = await fetch(url, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/console');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Lax/);
    const me = await fetch(`http://127.0.0.1:${port}/console/api/session`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(((await me.json()) as { user: { id: string } }).user.id).toBe('admin');
    const admin = await fetch(`http://127.0.0.1:${port}/admin/api/requests`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(admin.status).toBe(200);

    const again = await fetch(url, { redirect: 'manual' });
    expect(again.status).toBe(410);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await needsBootstrap(app.db.db, 'default')).toBe(false);
    expect(await issueBootstrapLink(app.db.db, 'default', systemClock)).toBeNull();
  });
});

describe('a directory without an admin', () => {
  it('answers a page saying so and keeps the link for later', async () => {
    const db2 = await createTestDb();
    const app = await startApp({ db: db2.handle, env: { CONSOLE_DEMO: 'false', DIRECTORY_FILE: writeDirectoryFile(DEMO_USERS.map((u) => (u.id === 'admin' ? { ...u, roles: ['employee'] } : u))) }, noWorkers: true });
    try {
      const token = (await issueBootstrapLink(app.db.db, 'default', systemClock))!;
      const res = await app.http.request(`/auth/bootstrap?token=${token}`);
      expect(res.status).toBe(409);
      expect(await res.text()).toContain('admin');
      expect(await needsBootstrap(app.db.db, 'default')).toBe(true);
    } finally {
      await app.stop();
      await db2.drop();
    }
  });
});

describe('listening beyond loopback without sign-in', () => {
  it('closes the console and admin APIs with 503 auth.not_configured and says why in one start-up line', async () => {
    const { logger, lines } = capture();
    const app = await startApp({ db: tdb.handle, env: { HOST: '0.0.0.0', CONSOLE_DEMO: 'false', LOG_LEVEL: 'info' }, logger, noWorkers: true });
    try {
      const port = await app.listen();
      const why = msgs(lines).filter((m) => m.includes('no sign-in configured'));
      expect(why).toHaveLength(1);
      expect(why[0]).toMatch(/0\.0\.0\.0.*closed/);
      expect(msgs(lines).some((m) => m.includes('/auth/bootstrap'))).toBe(false);
      const { token } = await createServiceToken(app.db.db, { tenantId: 'default', name: 'ops', scopes: ['admin:read'] }, systemClock);
      for (const [path, headers] of [['/console/api/session', {}], ['/console/api/inbox?user=lisi', {}], ['/admin/api/requests', { authorization: `Bearer ${token}` }]] as const) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
        expect(res.status, path).toBe(503);
        expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'auth.not_configured', message: expect.stringMatching(/sign-in/) });
      }
    } finally {
      await app.stop();
    }
  });

  it('on loopback (the default HOST) the same configuration is open to sign-in, and says nothing of it', async () => {
    const { logger, lines } = capture();
    const app = await startApp({ db: tdb.handle, env: { CONSOLE_DEMO: 'false', LOG_LEVEL: 'info' }, logger, noWorkers: true });
    try {
      await app.listen();
      expect(msgs(lines).some((m) => m.includes('no sign-in configured'))).toBe(false);
      expect((await app.http.request('/console/api/inbox?user=lisi')).status).toBe(401);
    } finally {
      await app.stop();
    }
  });
});
