import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { createApp } from '../src/app/create-app.ts';
import type { CardView } from '../src/core/card-view.ts';
import { loadConfig } from '../src/config/env.ts';
import { createDb } from '../src/db/create-db.ts';
import { createHttpApp } from '../src/http/server.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { loadFromChild } from './child-load.ts';
import { runPool, summarize } from './stats.ts';

const REQUESTS = 3000;
const CONCURRENCY = 8;

async function admin(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { await c.query(text); } finally { await c.end(); }
}

/**
 * Approve clicks through the console HTTP API on real PostgreSQL, next to a bare single-row update
 * transaction loop on the same pool (the baseline), in the same run; the loop is also run CONCURRENCY
 * times side by side, and the bare transaction behind the HTTP stack, so all three comparisons show.
 */
export async function benchApprovals(serverUrl: string) {
  const name = `aa_bench_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await createDb({ databaseUrl: url.toString(), poolSize: 20 });
  // Demo mode: the load client clicks as the approver from this machine's loopback, as the console page does in demo mode.
  const config = loadConfig({ DATABASE_URL: url.toString(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', WORKER_POLL_MS: '20', DATABASE_POOL_SIZE: '20', CONSOLE_DEMO: 'true' });
  const app = await createApp({ config, db });
  const stops: (() => Promise<void>)[] = [];
  try {
    const port = await app.listen();
    const base = `http://127.0.0.1:${port}`;
    const intent = app.catalog.get('expense_claim');
    if (!intent) throw new Error('expense_claim missing');
    await runPool(REQUESTS, 8, async () => {
      await db.db.transaction().execute((trx) => app.approvals.submit(trx, {
        tenantId: 'default', intent, intentVersion: 1, requesterId: 'zhangsan', fields: { category: 'meal', amount: '320.00', date: '2026-11-20' },
        origin: { platform: 'console', botId: 'console', userExternalId: 'zhangsan' }, source: 'api',
      }));
    });
    await waitForCards(db.db, REQUESTS);
    const cards = await db.db.selectFrom('console_messages').select(['id', 'card']).where('user_id', '=', 'lisi').execute();
    const targets = cards.filter((c) => (c.card as CardView).blocks.some((b) => b.type === 'form')).map((c) => c.id);
    const half = Math.floor(targets.length / 2);
    const clicks = (ids: string[]) => ids.map((id) => ({ body: JSON.stringify({ user: 'lisi', messageId: id, actionId: 'approve', form: {} }) }));
    const clickPlan = (ids: string[]) => ({ url: `${base}/console/api/actions`, concurrency: CONCURRENCY, requests: clicks(ids) });
    // First half: the outbox workers run meanwhile (each approval enqueues card updates, a notification
    // and the ERP document). Second half: workers paused, the click path alone; then the backlog drains.
    const busy = await loadFromChild(clickPlan(targets.slice(0, half)));
    await app.outbox.stop();
    await app.inbox.stop();
    const a = await loadFromChild(clickPlan(targets.slice(half)));
    const doneBefore = await doneJobs(db.db);
    const drainStart = performance.now();
    app.outbox.start();
    await waitForIdleOutbox(db.db);
    const drainMs = performance.now() - drainStart;
    const drained = (await doneJobs(db.db)) - doneBefore;
    await sql`create table bench_counter (id int primary key, n bigint not null)`.execute(db.db);
    await sql`insert into bench_counter select g, 0 from generate_series(0, ${CONCURRENCY - 1}) g`.execute(db.db);
    // The baseline as the issue words it: a loop of bare single-row update transactions on the same pool,
    // one after another. Also run as CONCURRENCY such loops side by side (the clicks' concurrency).
    const bareTx = async (i: number): Promise<void> => {
      await db.db.transaction().execute((trx) => sql`update bench_counter set n = n + 1 where id = ${i % CONCURRENCY}`.execute(trx));
    };
    const loop = await runPool(targets.length, 1, bareTx);
    const b = summarize(loop.latencies, loop.elapsedMs);
    const loops = await runPool(targets.length * 2, CONCURRENCY, bareTx);
    const bx = summarize(loops.latencies, loops.elapsedMs);
    // The same bare transaction behind the same HTTP stack and load generator: what any click path
    // that commits one transaction could reach here at most.
    const txPlan = (n: number, base: string) => ({ url: `${base}/bench/tx`, concurrency: CONCURRENCY, requests: Array.from({ length: n }, () => ({ body: '{}' })) });
    const txBase = await serveBareTx(db.db, stops);
    await loadFromChild(txPlan(1000, txBase)); // warm-up, like the busy half before the click run
    const httpTx = await loadFromChild(txPlan(targets.length * 2, txBase));
    return {
      approve_clicks: a.n, approve_per_s: a.per_s, approve_p50_ms: a.p50_ms, approve_p99_ms: a.p99_ms,
      approve_with_workers_per_s: busy.per_s, approve_with_workers_p50_ms: busy.p50_ms, approve_with_workers_p99_ms: busy.p99_ms,
      outbox_backlog_drain_ms: Math.round(drainMs), outbox_backlog_jobs: drained, outbox_jobs_per_s: Math.round((drained / drainMs) * 1000),
      baseline_loop_tx_per_s: b.per_s, baseline_loop_p50_ms: b.p50_ms, baseline_loop_p99_ms: b.p99_ms,
      approve_vs_baseline_loop: ratio(a.per_s, b.per_s),
      [`baseline_${CONCURRENCY}_loops_tx_per_s`]: bx.per_s, [`baseline_${CONCURRENCY}_loops_p50_ms`]: bx.p50_ms, [`baseline_${CONCURRENCY}_loops_p99_ms`]: bx.p99_ms,
      [`approve_vs_baseline_${CONCURRENCY}_loops`]: ratio(a.per_s, bx.per_s),
      http_bare_tx_per_s: httpTx.per_s, http_bare_tx_p50_ms: httpTx.p50_ms, http_bare_tx_p99_ms: httpTx.p99_ms,
      approve_vs_http_bare_tx: ratio(a.per_s, httpTx.per_s), concurrency: CONCURRENCY,
    };
  } finally {
    for (const stop of stops) await stop();
    await app.stop();
    await db.close();
    await admin(serverUrl, `drop database if exists ${name} with (force)`);
  }
}

const ratio = (x: number, y: number): number => Math.round((x / y) * 100) / 100;

/** Serves POST /bench/tx (one bare update transaction) through the app's HTTP stack; returns the base URL. */
async function serveBareTx(db: Awaited<ReturnType<typeof createDb>>['db'], stops: (() => Promise<void>)[]): Promise<string> {
  let i = 0;
  const tx = new Hono().post('/tx', async (c) => {
    await db.transaction().execute((trx) => sql`update bench_counter set n = n + 1 where id = ${i++ % CONCURRENCY}`.execute(trx));
    return c.json({ ok: true });
  });
  const http = createHttpApp({ logger: pino({ level: 'warn' }), metrics: createMetrics(), ready: async () => true, mounts: [{ path: '/bench', app: tx }] });
  return new Promise((resolve) => {
    const server = serve({ fetch: http.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`));
    stops.push(() => new Promise<void>((res) => server.close(() => res())));
  });
}

async function doneJobs(db: Awaited<ReturnType<typeof createDb>>['db']): Promise<number> {
  const r = await db.selectFrom('outbox_jobs').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'done').executeTakeFirstOrThrow();
  return Number(r.n);
}

async function waitForIdleOutbox(db: Awaited<ReturnType<typeof createDb>>['db']): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    // Answered from the partial indexes on pending and running jobs (no scan of the finished ones).
    const r = await sql<{ busy: boolean }>`select exists (select 1 from outbox_jobs where status = 'pending')
      or exists (select 1 from outbox_jobs where status = 'running') as busy`.execute(db);
    if (!r.rows[0]?.busy) return;
    if (Date.now() > deadline) throw new Error('the outbox did not drain in 5 minutes');
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function waitForCards(db: Awaited<ReturnType<typeof createDb>>['db'], n: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await db.selectFrom('console_messages').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', 'lisi').executeTakeFirstOrThrow();
    if (Number(r.n) >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${r.n} of ${n} approver cards delivered`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
