import type { App } from '../src/app/create-app.ts';
import { TrytonRpcClient } from '../src/erp/connectors/tryton/rpc-client.ts';
import { trytonDate, trytonDecimal } from '../src/erp/connectors/tryton/rpc-codec.ts';
import type { StatusSnapshot } from '../src/erp/erp-connector.ts';
import { EMPLOYEE } from '../test/support/tryton/connector-harness.ts';
import { startTryton, type TrytonServer } from '../test/support/tryton/start-tryton.ts';
import { trytonInstalled } from '../test/support/tryton/template.ts';
import { allChanges, type ErpMeter, linkDocuments, pollPasses, round1 } from './erp-meter.ts';
import { runPool, summarize } from './stats.ts';

/**
 * The Tryton half of the ERP bench: a real trytond 6.0 (Debian's packages, the tests' ready database on SQLite,
 * test/support/tryton/) as an instance of the app (`kind: tryton`, the least-privileged bot user).
 * - Create: CREATES (40) supplier invoices through the app's connector, one at a time (each: look up by reference, create,
 *   validate, read back), after two warm-up documents (login, account and journal lookups).
 * - Poll: Tryton's admin loads the rest of POLL_DOCS draft invoices of ours in a few bulk `create` calls (a data load,
 *   not the connector), every document is linked at its current version, then syncConnector passes from no cursor.
 *   Tryton's feed re-reads a 60 s overlap window (src/erp/connectors/tryton/feed.ts), so right after a burst every
 *   poll pays what such a pass pays.
 */
export const TRYTON_BENCH_ID = 'tryton-bench';
const CREATES = 40;
const WARM_UP = 2;
const POLL_DOCS = 1000;
const LOAD_CHUNK = 250;
const PASSES = 3;

export interface BenchTryton { server: TrytonServer; instanceFile: string; env: Record<string, string> }

/** A running Tryton and its instance file, or why there is none (not installed, or it would not start). */
export async function prepareTryton(): Promise<BenchTryton | { reason: string }> {
  if (!trytonInstalled()) return { reason: 'Tryton 6.0 is not installed (Debian packages; .ci/tryton-install.sh)' };
  let server: TrytonServer | null;
  try {
    server = await startTryton();
  } catch (e) {
    return { reason: `Tryton did not start: ${(e as Error).message.split('\n')[0]}` };
  }
  if (!server) return { reason: 'Tryton 6.0 is not installed' };
  const instanceFile = [
    `id: ${TRYTON_BENCH_ID}`, 'kind: tryton', `base_url: ${server.url}`,
    'credentials: { login: TRYTON_BENCH_LOGIN, password: TRYTON_BENCH_PASSWORD }',
    'poll_interval_seconds: 86400', 'timeout_ms: 60000',
    'settings:', `  database: ${server.database}`, '  timezone: Asia/Shanghai', '  expense: { journal: EXP, account: Main Expense }', '',
  ].join('\n');
  return { server, instanceFile, env: { TRYTON_BENCH_LOGIN: server.bot.login, TRYTON_BENCH_PASSWORD: server.bot.password } };
}

/** Draft supplier invoices of ours (reference approval:bench:…), as Tryton's admin loads them. */
async function bulkLoad(t: TrytonServer, count: number): Promise<void> {
  const admin = new TrytonRpcClient({ url: t.url, database: t.database, login: t.admin.login, password: t.admin.password, timeoutMs: 300_000 });
  const date = trytonDate(`${t.fiscalYear}-06-12`);
  try {
    for (let from = 0; from < count; from += LOAD_CHUNK) {
      const values = Array.from({ length: Math.min(LOAD_CHUNK, count - from) }, (_, k) => {
        const i = from + k;
        return {
          type: 'in', party: t.ids.party_employee, invoice_address: t.ids.party_employee_address, account: t.ids.account_payable,
          journal: t.ids.journal_expense, reference: `approval:bench:L-${i}:r1`, invoice_date: date, description: `Bench load ${i}`,
          lines: [['create', [{ account: t.ids.account_expense, description: `Bench load ${i}`, quantity: 1, unit_price: trytonDecimal(`${100 + (i % 900)}.00`) }]]],
        };
      });
      await admin.create('account.invoice', values);
    }
  } finally {
    await admin.logout().catch(() => undefined);
  }
}

export async function benchTryton(app: App, meter: ErpMeter, t: BenchTryton, sandboxPerS: number): Promise<Record<string, unknown>> {
  const connector = app.erp.connector(TRYTON_BENCH_ID);
  const claim = (i: number) => ({
    docKind: 'expense_reimbursement' as const, externalKey: { namespace: 'approval:bench', key: `T-${i}:r1` }, autoApprove: true,
    payload: { amount: `${200 + i}.${String(i % 100).padStart(2, '0')}`, party: EMPLOYEE, description: `Bench claim ${i}`, date: `${t.server.fiscalYear}-06-12` },
  });
  const made: StatusSnapshot[] = [];
  for (let i = 0; i < WARM_UP; i++) made.push((await connector.createDocument(claim(i))).snapshot);
  const run = await meter.measure(() => runPool(CREATES, 1, async (i) => {
    const res = await connector.createDocument(claim(WARM_UP + i));
    if (!res.created || res.snapshot.status !== 'approved') throw new Error(`Tryton document ${i}: created ${res.created}, ${res.snapshot.status}`);
    made.push(res.snapshot);
  }));
  const created = summarize(run.value.latencies, run.value.elapsedMs);

  const loadStart = performance.now();
  await bulkLoad(t.server, POLL_DOCS - made.length);
  const loadMs = performance.now() - loadStart;
  const docs = await allChanges(app, TRYTON_BENCH_ID);
  if (docs.length !== POLL_DOCS) throw new Error(`Tryton's feed has ${docs.length} documents of ours, expected ${POLL_DOCS}`);
  await linkDocuments(app, TRYTON_BENCH_ID, docs);
  const full = await pollPasses(app, meter, TRYTON_BENCH_ID, PASSES, true);
  if (full.applied !== 0) throw new Error(`Tryton poll of unchanged documents applied ${full.applied}`);
  return {
    erp_create_tryton_docs: created.n, erp_create_tryton_per_s: round1((created.n / run.value.elapsedMs) * 1000), erp_create_tryton_p50_ms: created.p50_ms,
    erp_create_tryton_p99_ms: created.p99_ms, erp_create_tryton_rpc_per_doc: round1(run.calls / created.n),
    erp_create_tryton_vs_sandbox: Math.round(((created.n / run.value.elapsedMs) * 1000 / sandboxPerS) * 10_000) / 10_000,
    erp_poll_tryton_docs: POLL_DOCS, erp_poll_tryton_load_ms: Math.round(loadMs),
    erp_poll_tryton_full_pass_ms_per_1000: round1((full.ms * 1000) / POLL_DOCS), erp_poll_tryton_full_pass_rpc_calls: full.calls,
    erp_poll_tryton_full_pass_queries: full.queries,
  };
}
