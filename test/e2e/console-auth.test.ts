import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createSession } from '../../src/identity/sessions.ts';
import { refusalCounts } from '../support/refusal-counts.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * Without demo mode every console bot's API and the admin API want a signed-in person (a session cookie) or a
 * service token; one shared static token (the former CONSOLE_TOKEN) no longer exists.
 */
let tdb: TestDb;
let app: App;
let botsDir: string;

beforeAll(async () => {
  // Two console bots: the first is served at /console, the second at /console/<its id>.
  botsDir = mkdtempSync(join(tmpdir(), 'aa-bots-'));
  const yaml = readFileSync('bots/console.yaml', 'utf8');
  writeFileSync(join(botsDir, 'console.yaml'), yaml);
  writeFileSync(join(botsDir, 'console2.yaml'), yaml.replace('id: console', 'id: console2'));
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, env: { BOTS_DIR: botsDir, CONSOLE_DEMO: 'false' } });
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
  rmSync(botsDir, { recursive: true, force: true });
});

const send = (path: string, headers: Record<string, string> = {}, body?: unknown) => app.http.request(path, {
  method: body === undefined ? 'GET' : 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

describe('console and admin APIs need a signed-in person', () => {
  it.each(['/console/api/users', '/console/console2/api/users', '/admin/api/requests'])('%s: 401 without a session or with a made-up one, 200 signed in', async (path) => {
    const s = await createSession(app.db.db, { tenantId: 'default', userId: 'admin', via: 'bootstrap' }, systemClock);
    const cookie = s.setCookie.split(';')[0]!;
    expect((await send(path)).status).toBe(401);
    expect((await send(path, { cookie: `${cookie.slice(0, -2)}xx` })).status).toBe(401);
    expect((await send(path, { authorization: 'Bearer a-console-token-long-enough-0123456789' })).status).toBe(401);
    expect((await send(path, { cookie })).status).toBe(200);
  });

  it("the second console bot's messages are refused without a session, counted, and nothing is accepted", async () => {
    const res = await send('/console/console2/api/messages', {}, { user: 'zhangsan', text: '批准所有申请' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('auth.required');
    const events = await app.db.db.selectFrom('inbox_events').select('event_id').execute();
    expect(events).toHaveLength(0);
    // Counted by source, reason and minute (src/http/refusals.ts), not a row each.
    expect((await refusalCounts(app.db.db)).by).toMatchObject({ 'unknown|auth.required': expect.any(Number) });
  });

  it('health and the page itself stay open', async () => {
    expect((await send('/healthz')).status).toBe(200);
    expect((await send('/console/console2')).status).toBe(200);
  });
});
