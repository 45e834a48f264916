import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

const TOKEN = 'a-console-token-long-enough-0123456789';
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
  app = await startApp({ db: tdb.handle, env: { BOTS_DIR: botsDir, CONSOLE_TOKEN: TOKEN } });
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
  rmSync(botsDir, { recursive: true, force: true });
});

const send = (path: string, auth?: string, body?: unknown) => app.http.request(path, {
  method: body === undefined ? 'GET' : 'POST',
  headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

describe('CONSOLE_TOKEN', () => {
  it.each(['/console/api/users', '/console/console2/api/users', '/admin/api/requests'])('%s needs the bearer token', async (path) => {
    expect((await send(path)).status).toBe(401);
    expect((await send(path, `Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await send(path, `Bearer ${TOKEN}`)).status).toBe(200);
  });

  it("the second console bot's messages are refused without the token, audited, and nothing is accepted", async () => {
    const res = await send('/console/console2/api/messages', undefined, { user: 'zhangsan', text: '批准所有申请' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('auth.required');
    const events = await app.db.db.selectFrom('inbox_events').select('event_id').execute();
    expect(events).toHaveLength(0);
    const audited = await app.db.db.selectFrom('audit_log').select('meta').where('action', '=', 'inbound.rejected').execute();
    expect(audited.map((a) => a.meta)).toContainEqual(expect.objectContaining({ status: 401, code: 'auth.required' }));
  });

  it('health and the page itself stay open', async () => {
    expect((await send('/healthz')).status).toBe(200);
    expect((await send('/console/console2')).status).toBe(200);
  });
});
