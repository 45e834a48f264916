import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import { canonicalJson } from './canonical-json.ts';
import { mayHaveFloor } from './verify-heads.ts';

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

/**
 * One hash chain per subject (a request, a bot, an endpoint). Each state change already owns its
 * subject, so appends to different requests never wait for each other, while every chain still
 * detects an edited, inserted or deleted row.
 */
export function chainOf(e: Pick<AuditEntry, 'subjectType' | 'subjectId'>): string {
  return `${e.subjectType}:${e.subjectId}`;
}

/** What a row's hash covers besides prev_hash and seq; canonical so a jsonb round trip hashes the same. */
function entryBody(e: AuditEntry): string {
  return canonicalJson({
    tenant: e.tenantId, chain: chainOf(e), at: e.at.toISOString(), actor: e.actor, action: e.action, source: e.source,
    subjectType: e.subjectType, subjectId: e.subjectId, before: e.before ?? null, after: e.after ?? null, meta: e.meta ?? null,
  });
}

/** sha256(prev_hash \n seq \n body): the same formula as the audit_append() SQL function. */
function entryHash(prevHash: string, seq: number, e: AuditEntry): string {
  return createHash('sha256').update(`${prevHash}\n${seq}\n${entryBody(e)}`, 'utf8').digest('hex');
}

/**
 * Appends one row to its subject's chain, in the caller's transaction, in one round trip
 * (audit_append() in the foundation migration). The chain head row stays locked until the
 * transaction ends, so appends to one subject are strictly ordered across replicas.
 */
export async function appendAudit(trx: Transaction<Database> | Kysely<Database>, e: AuditEntry): Promise<void> {
  await sql`select audit_append(${e.tenantId}, ${chainOf(e)}, ${e.at}, ${e.actor}, ${e.action}, ${e.source}, ${e.subjectType}, ${e.subjectId},
    ${json(e.before)}::jsonb, ${json(e.after)}::jsonb, ${json(e.meta)}::jsonb, ${entryBody(e)})`.execute(trx);
}

/** The audit_append() arguments as one JSON object, for commit_request_change() which appends in the same call. */
export interface AuditRecord {
  tenant: string; chain: string; at: string; actor: string; action: string; source: AuditSource;
  subject_type: string; subject_id: string; before: unknown; after: unknown; meta: unknown; body: string;
}

export function auditRecord(e: AuditEntry): AuditRecord {
  return {
    tenant: e.tenantId, chain: chainOf(e), at: e.at.toISOString(), actor: e.actor, action: e.action, source: e.source,
    subject_type: e.subjectType, subject_id: e.subjectId, before: e.before ?? null, after: e.after ?? null, meta: e.meta ?? null, body: entryBody(e),
  };
}

function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

export interface VerifyResult { tenantId: string; chains: number; rows: number; ok: boolean; broken: { chain: string; seq: number; reason: string }[] }

/**
 * Recomputes every hash of every chain, in order, and checks each head; returns one result per tenant. A chain whose
 * oldest rows were purged (refusals past their retention, scheduler/retention-audit.ts) is checked from its floor:
 * its first kept row must link to floor_hash.
 */
export async function verifyAuditChain(db: Kysely<Database>): Promise<VerifyResult[]> {
  const heads = await db.selectFrom('audit_heads').select(['tenant_id', 'chain', 'seq', 'hash', 'floor_seq', 'floor_hash']).orderBy('tenant_id').orderBy('chain').execute();
  const byTenant = new Map<string, VerifyResult>();
  for (const h of heads) {
    const r = byTenant.get(h.tenant_id) ?? { tenantId: h.tenant_id, chains: 0, rows: 0, ok: true, broken: [] };
    byTenant.set(h.tenant_id, r);
    r.chains++;
    const rows = await db.selectFrom('audit_log').selectAll().where('tenant_id', '=', h.tenant_id).where('chain', '=', h.chain).orderBy('seq').execute();
    let prev = h.floor_hash ?? GENESIS;
    let expect = Number(h.floor_seq) + 1;
    let problem: string | undefined;
    for (const row of rows) {
      const seq = Number(row.seq);
      const entry: AuditEntry = { tenantId: row.tenant_id, at: row.at, actor: row.actor, action: row.action, source: row.source as AuditSource,
        subjectType: row.subject_type, subjectId: row.subject_id, before: row.before, after: row.after, meta: row.meta };
      problem = seq < expect ? `row ${seq} is below the chain's floor` : seq !== expect ? `row ${expect} is missing` : row.prev_hash !== prev ? 'prev_hash does not match'
        : chainOf(entry) !== h.chain || entryHash(prev, seq, entry) !== row.hash ? 'hash does not match the row' : undefined;
      if (problem) break;
      prev = row.hash;
      expect++;
      r.rows++;
    }
    if (!problem && (Number(h.seq) !== expect - 1 || h.hash !== prev)) problem = 'the chain head does not match the last row';
    // Only refusal chains lose their start to retention; anywhere else a floor hides deleted rows.
    if (!problem && Number(h.floor_seq) > 0 && !mayHaveFloor(h.chain)) problem = `rows 1 to ${Number(h.floor_seq)} were removed (only refusal chains are purged)`;
    if (problem) {
      r.ok = false;
      r.broken.push({ chain: h.chain, seq: expect, reason: problem });
    }
  }
  const orphans = await db.selectFrom('audit_log as l').leftJoin('audit_heads as h', (j) => j.onRef('h.tenant_id', '=', 'l.tenant_id').onRef('h.chain', '=', 'l.chain'))
    .select(['l.tenant_id', 'l.chain', 'l.seq']).where('h.chain', 'is', null).limit(10).execute();
  for (const o of orphans) {
    const r = byTenant.get(o.tenant_id) ?? { tenantId: o.tenant_id, chains: 0, rows: 0, ok: true, broken: [] };
    byTenant.set(o.tenant_id, r);
    r.ok = false;
    r.broken.push({ chain: o.chain, seq: Number(o.seq), reason: 'row without a chain head' });
  }
  // Every request's history starts with its submit: a request without a chain lost its whole history.
  const unchained = await db.selectFrom('requests as q').select(['q.tenant_id', 'q.id'])
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('audit_heads as h').select('h.chain')
      .whereRef('h.tenant_id', '=', 'q.tenant_id').where('h.chain', '=', sql<string>`'request:' || q.id::text`))))
    .limit(10).execute();
  for (const q of unchained) {
    const r = byTenant.get(q.tenant_id) ?? { tenantId: q.tenant_id, chains: 0, rows: 0, ok: true, broken: [] };
    byTenant.set(q.tenant_id, r);
    r.ok = false;
    r.broken.push({ chain: `request:${q.id}`, seq: 1, reason: 'the request has no audit chain (its history was deleted)' });
  }
  return [...byTenant.values()];
}
