import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import { canonicalJson } from './canonical-json.ts';

export type AuditSource = 'chat' | 'card' | 'api' | 'erp' | 'system';

export interface AuditEntry {
  tenantId: string;
  at: Date;
  actor: string;
  action: string;
  source: AuditSource;
  subjectType: string;
  subjectId: string;
  before?: unknown;
  after?: unknown;
  meta?: unknown;
}

const GENESIS = '0'.repeat(64);

function entryHash(prevHash: string, seq: number, e: AuditEntry): string {
  const body = canonicalJson({
    seq, tenant: e.tenantId, at: e.at.toISOString(), actor: e.actor, action: e.action, source: e.source,
    subjectType: e.subjectType, subjectId: e.subjectId, before: e.before ?? null, after: e.after ?? null, meta: e.meta ?? null,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/**
 * Appends one row to the tenant's hash chain. The head row is locked by the UPDATE until the
 * transaction ends, so call this as the LAST statement of a state change: the lock is then held only
 * for the commit, and chains stay linear across replicas.
 */
export async function appendAudit(trx: Transaction<Database> | Kysely<Database>, e: AuditEntry): Promise<void> {
  // First row of a tenant: inserts seq 1 with the genesis hash as "previous"; later rows bump seq and
  // read the previous hash in the same statement.
  const head = await sql<{ seq: number; hash: string }>`
    insert into audit_heads (tenant_id, seq, hash) values (${e.tenantId}, 1, ${GENESIS})
    on conflict (tenant_id) do update set seq = audit_heads.seq + 1 returning seq, hash`.execute(trx);
  const row = head.rows[0];
  if (!row) throw new Error('audit head missing');
  const seq = Number(row.seq);
  const hash = entryHash(row.hash, seq, e);
  await sql`
    with ins as (
      insert into audit_log (tenant_id, seq, at, actor, action, source, subject_type, subject_id, before, after, meta, prev_hash, hash)
      values (${e.tenantId}, ${seq}, ${e.at}, ${e.actor}, ${e.action}, ${e.source}, ${e.subjectType}, ${e.subjectId},
        ${json(e.before)}, ${json(e.after)}, ${json(e.meta)}, ${row.hash}, ${hash}) returning hash)
    update audit_heads set hash = (select hash from ins) where tenant_id = ${e.tenantId}`.execute(trx);
}

function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

export interface VerifyResult { tenantId: string; rows: number; ok: boolean; brokenAt?: number; reason?: string }

/** Recomputes every hash of every tenant's chain, in seq order, in pages. */
export async function verifyAuditChain(db: Kysely<Database>): Promise<VerifyResult[]> {
  const tenants = await db.selectFrom('audit_heads').select(['tenant_id', 'seq', 'hash']).execute();
  const results: VerifyResult[] = [];
  for (const t of tenants) {
    let prev = GENESIS;
    let expectSeq = 1;
    let result: VerifyResult = { tenantId: t.tenant_id, rows: 0, ok: true };
    for (;;) {
      const page = await db.selectFrom('audit_log').selectAll().where('tenant_id', '=', t.tenant_id)
        .where('seq', '>=', expectSeq).orderBy('seq').limit(1000).execute();
      if (page.length === 0) break;
      for (const r of page) {
        const seq = Number(r.seq);
        const entry: AuditEntry = {
          tenantId: r.tenant_id, at: r.at, actor: r.actor, action: r.action, source: r.source as AuditSource,
          subjectType: r.subject_type, subjectId: r.subject_id, before: r.before, after: r.after, meta: r.meta,
        };
        const reason = seq !== expectSeq ? `missing row ${expectSeq}` : r.prev_hash !== prev ? 'prev_hash does not match'
          : entryHash(prev, seq, entry) !== r.hash ? 'hash does not match the row' : undefined;
        if (reason) return [...results, { tenantId: t.tenant_id, rows: result.rows, ok: false, brokenAt: expectSeq, reason }];
        prev = r.hash;
        expectSeq++;
        result = { ...result, rows: result.rows + 1 };
      }
    }
    if (Number(t.seq) !== expectSeq - 1 || t.hash !== prev) result = { ...result, ok: false, brokenAt: expectSeq, reason: 'head does not match the last row' };
    results.push(result);
  }
  return results;
}
