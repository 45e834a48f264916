import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../src/db/create-db.ts';
import type { Database } from '../../src/db/database.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { TableSizes, tableRowEstimates } from '../../src/observability/table-sizes.ts';
import { TRAFFIC_TABLES } from '../../src/scheduler/retention.ts';
import { spyOn } from '../support/sql-spy.ts';
import { startApp } from '../support/start-app.ts';
import { startTcpProxy } from '../support/tcp-blackhole.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/** /metrics reports the size of every table that grows with traffic, cheaply, and never waits long for the database. */
let tdb: TestDb;
let db: Kysely<Database>;

const count = async (table: string): Promise<number> =>
  Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db)).rows[0]?.n);

const gaugeValue = async (metrics: ReturnType<typeof createMetrics>, table: string): Promise<number | undefined> =>
  (await metrics.tableRows.get()).values.find((v) => v.labels.table === table)?.value;

beforeAll(async () => {
  tdb = await createTestDb();
  db = tdb.handle.db;
  await sql`insert into inbox_events (tenant_id, source, event_id, kind, conversation_key, payload, status)
    select 'default', 'sizes', 'e' || g, 'message', 'k', '{}'::jsonb, 'done' from generate_series(1, 700) g`.execute(db);
});

afterAll(async () => {
  await tdb.drop();
});

describe('table sizes for /metrics', () => {
  it('reports the planner estimate of an analyzed table and counts a small one never analyzed', async () => {
    await sql`analyze inbox_events`.execute(db);
    await sql`insert into console_messages (id, seq, tenant_id, bot_id, user_id, kind, text, idempotency_key)
      select gen_random_uuid(), nextval('console_message_seq'), 'default', 'console', 'u', 'text', 'hi', 'c' || g from generate_series(1, 20) g`.execute(db);
    const sizes = await tableRowEstimates(db, TRAFFIC_TABLES, 1000);
    expect([...sizes.keys()].sort()).toEqual([...TRAFFIC_TABLES].sort());
    expect(sizes.get('inbox_events')).toBe(await count('inbox_events'));
    expect(sizes.get('console_messages')).toBe(20);
    expect(sizes.get('conversation_leases')).toBe(0);
  });

  it('sets the db_table_rows gauge, one series per table', async () => {
    const metrics = createMetrics();
    await new TableSizes(db, TRAFFIC_TABLES, metrics.tableRows, 1000, (e) => { throw e; }).refresh();
    const text = await metrics.registry.metrics();
    for (const t of TRAFFIC_TABLES) expect(text).toMatch(new RegExp(`^db_table_rows\\{table="${t}"\\} \\d+$`, 'm'));
    expect(await gaugeValue(metrics, 'inbox_events')).toBe(await count('inbox_events'));
  });

  it('answers within its timeout when the database does not, keeps the last values, and runs one refresh at a time', async () => {
    // The database's only connection is held: PGlite has one, and a pool of one on PostgreSQL.
    const h: DbHandle = tdb.url ? await createDb({ databaseUrl: tdb.url, poolSize: 1 }) : tdb.handle;
    const metrics = createMetrics();
    const spy = spyOn(h.db);
    const errors: unknown[] = [];
    const sizes = new TableSizes(spy.db, TRAFFIC_TABLES, metrics.tableRows, 300, (e) => errors.push(e));
    await sizes.refresh();
    const before = await gaugeValue(metrics, 'inbox_events');
    expect(before).toBe(await count('inbox_events'));
    let release = (): void => undefined;
    const held = h.db.transaction().execute(() => new Promise<void>((resolve) => { release = resolve; }));
    try {
      const started = performance.now();
      await sizes.refresh();
      await sizes.refresh(); // the first is still waiting: this one does not start another
      expect(performance.now() - started).toBeLessThan(1500);
      expect(await gaugeValue(metrics, 'inbox_events')).toBe(before);
    } finally {
      release();
      await held;
    }
    await sizes.whenIdle();
    expect(spy.queries.filter((q) => q.sql.includes('set_config')).length).toBe(2); // the first refresh, then the held one once
    expect(await gaugeValue(metrics, 'inbox_events')).toBe(before);
    expect(errors).toEqual([]);
    if (tdb.url) await h.close();
  });

  it('a black-holed PostgreSQL: /metrics-style refresh returns within its timeout', async (ctx) => {
    if (!tdb.url) { ctx.skip('needs a PostgreSQL server (DATABASE_URL): PGlite runs inside the process'); return; }
    const u = new URL(tdb.url);
    const proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
    const via = new URL(tdb.url);
    via.port = String(proxy.port);
    const h = await createDb({ databaseUrl: via.toString(), poolSize: 2, timeouts: { connectMs: 500, statementMs: 2000, idleInTransactionMs: 5000, queryMs: 3000, startupMs: 5000 } });
    try {
      const metrics = createMetrics();
      const sizes = new TableSizes(h.db, TRAFFIC_TABLES, metrics.tableRows, 300, () => undefined);
      await sizes.refresh();
      const before = await gaugeValue(metrics, 'inbox_events');
      expect(before).toBeGreaterThan(0);
      proxy.blackhole(true);
      const started = performance.now();
      await sizes.refresh();
      expect(performance.now() - started).toBeLessThan(1000);
      expect(await gaugeValue(metrics, 'inbox_events')).toBe(before);
    } finally {
      proxy.blackhole(false);
      await h.close();
      await proxy.close();
    }
  });

  it('the app serves the gauges on /metrics', async () => {
    const app = await startApp({ db: tdb.handle, noWorkers: true });
    try {
      const res = await app.http.request('/metrics');
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/^db_table_rows\{table="inbox_events"\} \d+$/m);
      expect(text).toMatch(/^db_table_rows\{table="requests"\} \d+$/m);
    } finally {
      await app.stop();
    }
  });
});
