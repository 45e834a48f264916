import { parseArgs } from 'node:util';
import { loadSettings } from '../app/wire-config.ts';
import { loadConfig, processEnv } from '../config/env.ts';
import { systemClock } from '../core/clock.ts';
import { randomIds } from '../core/ids.ts';
import { openCliDb } from '../db/create-db.ts';
import { jsonLines, tableLines } from '../reconciliation/findings-output.ts';
import { runReconciliation } from '../reconciliation/reconcile.ts';

/**
 * `npm run reconcile [-- --tenant <id>] [--json]`: runs every reconciliation check once for each tenant (or one), as
 * the service's periodic run does (new findings' digests are queued for the service's outbox to deliver), and prints
 * the open findings: a table, or one JSON object a line with `--json`. Findings are not a failure: exit 0; 2 when it
 * could not run.
 */
let args: { tenant?: string; json: boolean };
try {
  const { values } = parseArgs({ options: { tenant: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true });
  args = { json: values.json, ...(values.tenant ? { tenant: values.tenant } : {}) };
} catch (e: unknown) {
  console.error(`${e instanceof Error ? e.message : String(e)}\nusage: npm run reconcile -- [--tenant <id>] [--json]`);
  process.exit(2);
}
let cfg: ReturnType<typeof loadConfig>;
let settings: ReturnType<typeof loadSettings>;
try {
  cfg = loadConfig();
  settings = loadSettings(cfg, processEnv());
} catch (e: unknown) {
  console.error(`reconcile: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}
if (args.tenant && !settings.tenants.includes(args.tenant)) {
  console.error(`reconcile: no tenant "${args.tenant}" in the configuration (tenants: ${settings.tenants.join(', ')})`);
  process.exit(2);
}
const h = await openCliDb(cfg, 2);
try {
  const deps = {
    db: h.db, clock: systemClock, ids: randomIds, thresholds: cfg.reconcile, bots: settings.bots, timeZone: cfg.timeZone,
    maxAttempts: cfg.workers.maxAttempts,
  };
  for (const tenant of args.tenant ? [args.tenant] : settings.tenants) {
    const result = await runReconciliation(deps, tenant);
    for (const line of args.json ? jsonLines(tenant, result) : tableLines(tenant, result)) console.log(line);
  }
} catch (e: unknown) {
  console.error(`reconcile failed: ${e instanceof Error ? e.message : String(e)} (is the database migrated? npm run migrate)`);
  process.exitCode = 2;
} finally {
  await h.close();
}
