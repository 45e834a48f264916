import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { verifyAuditChain, type VerifyResult } from './audit-log.ts';
import type { AuditKeys } from './audit-keys.ts';
import { checkCheckpoints } from './verify-checkpoints.ts';
import { checkSignedHeads, type ChainProblem } from './verify-heads.ts';

export interface AuditReport {
  ok: boolean;
  /** Per tenant: chains and rows checked, and each broken chain with its problem. */
  tenants: VerifyResult[];
  heads: { checked: boolean; signed: number; note?: string };
  checkpoints: { source: string; checked: boolean; lines: number; chains: number; problems: string[]; note?: string };
}

export interface VerifyOptions {
  /** Null: no key available (audit:verify without AUDIT_HMAC_KEYS or the key file): heads and checkpoints unchecked, and the report says so. */
  keys: AuditKeys | null;
  /** The export's lines (null: missing) and where they came from; undefined: no export to check. */
  checkpoints?: { source: string; lines: string[] | null } | undefined;
}

/**
 * audit:verify and GET /admin/api/audit/verify: the rows (each chain's hashes, head = last row), the signed heads
 * (MACs, and the chains still reaching them) and the checkpoints (the export intact and every chain in it still
 * there). ok only when all three hold; a check that could not run makes it not ok either.
 */
export async function verifyAudit(db: Kysely<Database>, o: VerifyOptions): Promise<AuditReport> {
  const tenants = await verifyAuditChain(db);
  const report: AuditReport = {
    ok: true, tenants,
    heads: { checked: false, signed: 0 },
    checkpoints: { source: o.checkpoints?.source ?? 'none', checked: false, lines: 0, chains: 0, problems: [] },
  };
  if (!o.keys) {
    report.heads.note = 'no audit key (AUDIT_HMAC_KEYS or the key file): signed heads and checkpoints were not checked';
    report.ok = false;
  } else {
    const heads = await checkSignedHeads(db, o.keys);
    report.heads = { checked: true, signed: heads.signed };
    addProblems(tenants, heads.problems);
    if (!o.checkpoints) {
      report.checkpoints.note = 'no checkpoint export configured (AUDIT_CHECKPOINT_FILE): deleted chains are caught only while their signed head remains';
    } else if (o.checkpoints.lines === null) {
      report.checkpoints.problems.push(`${o.checkpoints.source} is missing`);
    } else {
      const cp = await checkCheckpoints(db, o.keys, o.checkpoints.lines);
      report.checkpoints = { source: o.checkpoints.source, checked: true, lines: cp.lines, chains: cp.chains, problems: cp.problems };
      addProblems(tenants, cp.chainProblems);
    }
  }
  report.ok = report.ok && tenants.every((t) => t.ok) && report.checkpoints.problems.length === 0;
  return report;
}

/** Adds chain problems to their tenant's result (once per chain and reason: a head and a checkpoint often see the same cut). */
function addProblems(tenants: VerifyResult[], problems: ChainProblem[]): void {
  for (const p of problems) {
    let t = tenants.find((x) => x.tenantId === p.tenantId);
    if (!t) {
      t = { tenantId: p.tenantId, chains: 0, rows: 0, ok: true, broken: [] };
      tenants.push(t);
    }
    t.ok = false;
    if (!t.broken.some((b) => b.chain === p.chain && b.reason === p.reason)) t.broken.push({ chain: p.chain, seq: p.seq, reason: p.reason });
  }
}
