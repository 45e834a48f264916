import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { summarizeRefusals } from '../../src/audit/refusal-counts.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { createSession } from '../../src/identity/sessions.ts';
import { refusalCounts } from '../support/refusal-counts.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * Refused requests are counted, not written a row each, for every method and path; failed authentications are
 * limited per source, in the database every replica shares.
 */
const T0 = new Date('2026-12-01T08:00:10Z');
const clock = fixedClock(T0);
const LIMIT = 20;
const WINDOW_MS = 15 * 60_000;
let tdb: TestDb;
let app: App;
let base: string;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock, noWorkers: true, env: { CONSOLE_DEMO: 'false', AUTH_FAILURE_LIMIT: String(LIMIT), AUTH_FAILURE_WINDOW_MS: String(WINDOW_MS) } });
  base = `http://127.0.0.1:${await app.listen()}`;
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

/** Rows of every table of the schema (migrations' bookkeeping aside). */
async function tableRows(): Promise<Record<string, number>> {
  const { rows } = await sql<{ t: string }>`select tablename as t from pg_tables where schemaname = 'public' and tablename not like 'kysely_%' order by 1`.execute(app.db.db);
  const out: Record<string, number> = {};
  for (const { t } of rows) out[t] = Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(t)}`.execute(app.db.db)).rows[0]?.n);
  return out;
}

/** An in-process request as if from `address` (the socket @hono/node-server would hand over). */
const from = (address: string, path: string, init: RequestInit = {}) => app.http.request(path, init, { incoming: { socket: { remoteAddress: address } } });

/** How many of the flood's POSTs got their 401 before the limit held (the rest: 429). */
let refused401 = 0;

describe('a flood of unauthenticated POSTs', () => {
  it('2,000 POSTs add a bounded number of rows: counters, not a row each', async () => {
    const before = await tableRows();
    const statuses: number[] = [];
    const post = () => fetch(`${base}/console/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'lisi', text: '批准所有申请' }) });
    for (let i = 0; i < 2000; i += 20) statuses.push(...(await Promise.all(Array.from({ length: 20 }, async () => (await post()).status))));
    // The limit is checked before a request and counted after its 401: requests already in flight when the limit is
    // reached (at most two batches of 20 here: one running, one whose checks ran before the first batch's counts
    // landed) still get their 401. On PostgreSQL that overshoot shows; everything after it is refused.
    refused401 = statuses.filter((s) => s === 401).length;
    expect(refused401).toBeGreaterThanOrEqual(LIMIT);
    expect(refused401).toBeLessThan(LIMIT + 40);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2000 - refused401);
    const after = await tableRows();
    const grown = Object.fromEntries(Object.keys(after).filter((t) => after[t] !== before[t]).map((t) => [t, after[t]! - (before[t] ?? 0)]));
    // One counter per (source, reason) this minute, one failed-auth window for the source; nothing else.
    expect(grown).toEqual({ refusal_counts: 2, auth_failures: 1 });
    expect((await refusalCounts(app.db.db)).by).toEqual({ '127.0.0.1|auth.required': refused401, '127.0.0.1|auth.rate_limited': 2000 - refused401 });
  });

  it('GET and admin refusals are counted too, and a settled minute becomes one audit row', async () => {
    expect((await from('198.51.100.7', '/admin/api/requests')).status).toBe(401);
    expect((await from('198.51.100.7', '/console/api/inbox?user=lisi&waitMs=0')).status).toBe(401);
    expect((await from('198.51.100.7', '/no/such/page')).status).toBe(404);
    expect((await refusalCounts(app.db.db)).by).toMatchObject({ '198.51.100.7|auth.required': 2, '198.51.100.7|http.not_found': 1 });
    expect(await summarizeRefusals(app.db.db, clock.now())).toBe(0); // the minute is still being counted
    clock.advance(3 * 60_000);
    expect(await summarizeRefusals(app.db.db, clock.now())).toBe(1);
    const rows = await app.db.db.selectFrom('audit_log').select(['chain', 'action', 'meta']).where('chain', '=', 'endpoint:refused-requests').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.meta).toMatchObject({ minute: '2026-12-01T08:00:00.000Z', total: 2003, others: 0 });
    expect((rows[0]!.meta as { counts: unknown[] }).counts[0]).toEqual({ source: '127.0.0.1', reason: 'auth.rate_limited', count: 2000 - refused401 });
    expect(await summarizeRefusals(app.db.db, clock.now())).toBe(0);
  });
});

describe('failed-auth limit per source', () => {
  it(`after ${LIMIT} failures a source gets 429 auth.rate_limited with Retry-After, even with good credentials; others are not held up`, async () => {
    const src = '203.0.113.9';
    const session = await createSession(app.db.db, { tenantId: 'default', userId: 'admin', via: 'bootstrap' }, clock);
    const cookie = session.setCookie.split(';')[0]!;
    expect((await from(src, '/console/api/users', { headers: { cookie } })).status).toBe(200);
    for (let i = 0; i < LIMIT; i++) expect((await from(src, '/console/api/users', { headers: { cookie: `${cookie}x` } })).status).toBe(401);
    const limited = await from(src, '/console/api/users', { headers: { cookie } });
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('auth.rate_limited');
    const windowEnd = Math.ceil(clock.now().getTime() / WINDOW_MS) * WINDOW_MS;
    expect(limited.headers.get('retry-after')).toBe(String(Math.ceil((windowEnd - clock.now().getTime()) / 1000)));
    expect((await from('203.0.113.10', '/console/api/users', { headers: { cookie } })).status).toBe(200);

    // Another replica on the same database refuses the source as well.
    const replica = await startApp({ db: tdb.handle, clock, noWorkers: true, env: { CONSOLE_DEMO: 'false', AUTH_FAILURE_LIMIT: String(LIMIT), AUTH_FAILURE_WINDOW_MS: String(WINDOW_MS) } });
    try {
      expect((await replica.http.request('/console/api/users', { headers: { cookie } }, { incoming: { socket: { remoteAddress: src } } })).status).toBe(429);
    } finally {
      await replica.stop();
    }
    // Once the window is over the source may try again.
    clock.set(new Date(windowEnd + 1000));
    expect((await from(src, '/console/api/users', { headers: { cookie } })).status).toBe(200);
  });
});
