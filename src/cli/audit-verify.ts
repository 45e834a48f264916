import { loadConfig } from '../config/env.ts';
import { openCliDb } from '../db/create-db.ts';
import { verifyAuditChain } from '../audit/audit-log.ts';

/** `npm run audit:verify`: recomputes every audit hash chain; exit 1 when any chain is broken. */
const cfg = loadConfig();
const h = await openCliDb(cfg, 2);
try {
  const results = await verifyAuditChain(h.db);
  console.log(JSON.stringify({ ok: results.every((r) => r.ok), tenants: results }));
  if (!results.every((r) => r.ok)) process.exitCode = 1;
} catch (e: unknown) {
  console.error(`audit:verify failed: ${e instanceof Error ? e.message : String(e)} (is the database migrated? npm run migrate)`);
  process.exitCode = 2;
} finally {
  await h.close();
}
