import { parseArgs } from 'node:util';
import { AuditKeys, keyFile } from '../audit/audit-keys.ts';
import { readLines } from '../audit/checkpoint-sink.ts';
import { verifyAudit } from '../audit/verify-audit.ts';
import { loadConfig } from '../config/env.ts';
import { openCliDb } from '../db/create-db.ts';

/**
 * `npm run audit:verify [-- --checkpoints <file>]`: the audit log's rows (hash chains), signed heads (MACs with
 * AUDIT_HMAC_KEYS, or the key file beside DATA_DIR) and checkpoints (AUDIT_CHECKPOINT_FILE, or a copy of what a
 * collector received). One line per broken chain or checkpoint on stderr, the full report as JSON on stdout;
 * exit 1 when anything is broken or could not be checked, 2 when the check itself failed.
 */
const { values } = parseArgs({ options: { checkpoints: { type: 'string' } } });
const cfg = loadConfig();
const keys = cfg.audit.hmacKeys ? new AuditKeys(cfg.audit.hmacKeys) : keyFile(cfg.audit.keyFile, false)?.keys ?? null;
const cpFile = values.checkpoints ?? cfg.audit.checkpointFile;
const h = await openCliDb(cfg, 2);
try {
  const report = await verifyAudit(h.db, { keys, checkpoints: cpFile ? { source: cpFile, lines: await readLines(cpFile) } : undefined });
  for (const t of report.tenants) for (const b of t.broken) console.error(`tenant ${t.tenantId}, chain ${b.chain} (seq ${b.seq}): ${b.reason}`);
  for (const p of report.checkpoints.problems) console.error(`checkpoints ${report.checkpoints.source}: ${p}`);
  for (const note of [report.heads.note, report.checkpoints.note]) if (note) console.error(`note: ${note}`);
  console.log(JSON.stringify(report));
  if (!report.ok) process.exitCode = 1;
} catch (e: unknown) {
  console.error(`audit:verify failed: ${e instanceof Error ? e.message : String(e)} (is the database migrated? npm run migrate)`);
  process.exitCode = 2;
} finally {
  await h.close();
}
