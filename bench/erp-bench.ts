import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { createApp, type App } from '../src/app/create-app.ts';
import { loadConfig } from '../src/config/env.ts';
import { createDb } from '../src/db/create-db.ts';
import type { StatusSnapshot } from '../src/erp/erp-connector.ts';
import { ErpMeter, linkDocuments, pollPasses, round1 } from './erp-meter.ts';
import { runPool, summarize } from './stats.ts';
import { benchTryton, prepareTryton, TRYTON_BENCH_ID, type BenchTryton } from './erp-tryton-bench.ts';

/**
 * ERP connectors, on one app and one PostgreSQL database of their own:
 * - documents created per second through the connector (createDocument on distinct keys, one at a time as one
 *   erp.create job does it, autoApprove as after a final approval): a real Tryton (erp-tryton-bench.ts) next to the
 *   sandbox ledger (a document is two statements in this database), the same run;
 * - the poller's cost per 1,000 unchanged documents: 1,000 documents the service already knows at their current
 *   version, and ErpService.syncConnector passes that find nothing new (applied 0): the time of a pass, the SQL
 *   statements it sends and, for Tryton, its JSON-RPC calls. "full" passes start without a cursor, so the feed hands
 *   every document over (a lost cursor; also what every poll pays for the documents inside the overlap window before
 *   the newest change, which the feed re-reads until a newer change moves it); "idle" passes start from the stored
 *   cursor with only the newest document inside the window (sandbox: 5 s).
 * Without Tryton the Tryton fields are null and `erp_tryton_reason` says why.
 */
const SANDBOX_DOCS = 1000;
const PASSES = 5;

async function admin(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { await c.query(text); } finally { await c.end(); }
}

const claim = (i: number, tag: string) => ({
  docKind: 'expense_reimbursement' as const, externalKey: { namespace: 'approval:bench', key: `${tag}-${i}:r1` }, autoApprove: true,
  payload: { amount: `${100 + (i % 900)}.${String(i % 100).padStart(2, '0')}`, description: `Bench claim ${tag}-${i}` },
});

async function sandboxPart(app: App, meter: ErpMeter): Promise<Record<string, unknown>> {
  const sandbox = app.erp.connector('sandbox');
  const snapshots: StatusSnapshot[] = [];
  await sandbox.createDocument(claim(0, 'warm')).then((r) => snapshots.push(r.snapshot));
  const made = await meter.measure(() => runPool(SANDBOX_DOCS - 1, 1, async (i) => { snapshots.push((await sandbox.createDocument(claim(i, 'S'))).snapshot); }));
  const created = summarize(made.value.latencies, made.value.elapsedMs);
  await linkDocuments(app, 'sandbox', snapshots);
  const full = await pollPasses(app, meter, 'sandbox', PASSES, true);
  // The same documents as if made 10 s apart over the last few hours: a pass from the stored cursor re-reads only
  // the 5 s overlap window before the newest change (one document). Its cost is the poll's own, whatever the ledger holds.
  await sql`update sandbox_erp_documents set modified_at = now() - interval '1 day' + id * interval '10 seconds'`.execute(app.db.db);
  await pollPasses(app, meter, 'sandbox', 1, true);
  const idle = await pollPasses(app, meter, 'sandbox', PASSES, false);
  if (full.applied !== 0 || idle.applied !== 0) throw new Error(`sandbox poll of unchanged documents applied ${full.applied + idle.applied}`);
  return {
    erp_create_sandbox_docs: created.n, erp_create_sandbox_per_s: created.per_s, erp_create_sandbox_p50_ms: created.p50_ms, erp_create_sandbox_p99_ms: created.p99_ms,
    erp_create_sandbox_queries_per_doc: round1(made.queries / created.n),
    erp_poll_docs: SANDBOX_DOCS,
    erp_poll_sandbox_full_pass_ms_per_1000: round1((full.ms * 1000) / SANDBOX_DOCS), erp_poll_sandbox_full_pass_queries: full.queries,
    erp_poll_sandbox_idle_pass_ms: round1(idle.ms), erp_poll_sandbox_idle_pass_queries: idle.queries,
  };
}

const TRYTON_FIELDS = [
  'erp_create_tryton_docs', 'erp_create_tryton_per_s', 'erp_create_tryton_p50_ms', 'erp_create_tryton_p99_ms', 'erp_create_tryton_rpc_per_doc',
  'erp_create_tryton_vs_sandbox', 'erp_poll_tryton_docs', 'erp_poll_tryton_load_ms', 'erp_poll_tryton_full_pass_ms_per_1000',
  'erp_poll_tryton_full_pass_rpc_calls', 'erp_poll_tryton_full_pass_queries',
] as const;

export async function benchErp(serverUrl: string): Promise<Record<string, unknown>> {
  const name = `aa_bench_erp_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await createDb({ databaseUrl: url.toString(), poolSize: 10 });
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-erp-'));
  const meter = new ErpMeter();
  let tryton: BenchTryton | null = null;
  let reason: string | null = null;
  let app: App | undefined;
  try {
    const erps = join(dir, 'erps');
    mkdirSync(erps);
    const prepared = await prepareTryton();
    if ('reason' in prepared) reason = prepared.reason;
    else {
      tryton = prepared;
      writeFileSync(join(erps, `${TRYTON_BENCH_ID}.yaml`), tryton.instanceFile);
    }
    const env = {
      DATABASE_URL: url.toString(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ERPS_DIR: erps,
      ERP_POLL_MS: '3600000', SLA_CHECK_MS: '3600000', ...tryton?.env,
    };
    app = await createApp({ config: loadConfig(env), db: meter.wrap(handle), env, erpFetch: meter.fetch });
    await app.start();
    // Only the measured calls run: no workers, and the instances' poll timers are an hour or a day apart.
    await Promise.all([app.outbox.stop(), app.inbox.stop()]);
    const out = await sandboxPart(app, meter);
    if (tryton) {
      try {
        Object.assign(out, await benchTryton(app, meter, tryton, out.erp_create_sandbox_per_s as number));
      } catch (e) {
        reason = `the Tryton part failed: ${(e as Error).message.split('\n')[0]}`;
      }
    }
    for (const f of TRYTON_FIELDS) out[f] ??= null;
    out.erp_tryton_reason = reason;
    await unchanged(app);
    return out;
  } finally {
    await app?.stop();
    await tryton?.server.stop();
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
    await admin(serverUrl, `drop database if exists ${name} with (force)`);
  }
}

/** The passes changed nothing on the service's side: every linked document is where the create left it. */
async function unchanged(app: App): Promise<void> {
  const moved = await app.db.db.selectFrom('erp_documents').select(sql<number>`count(*)`.as('n')).where('status', '!=', 'approved').executeTakeFirstOrThrow();
  if (Number(moved.n) !== 0) throw new Error(`${moved.n} documents changed status during the poll passes`);
}
