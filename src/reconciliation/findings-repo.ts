import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, ReconFindingsTable } from '../db/database.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Reconciliation and drift findings (recon_findings): one open row per (tenant, kind, key). Finding the same thing
 * again only moves `last_seen_at`; a finding that no longer holds is closed (`closed_at`), and one that comes back
 * later opens a new row. Kinds:
 * - `approved_without_document`: approved for N minutes and no ERP document yet;
 * - `amount_mismatch`: the ERP document's amount differs from the approved amount;
 * - `approved_in_erp_without_chat`: an ERP-originated document approved in the ERP with no approval in chat;
 * - `posted_unpaid`: posted N days ago and not paid;
 * - `duplicate_documents`: two ERP documents carry one request's key;
 * - `drift.renamed`: a master-data record (a supplier, a customer…) was renamed in the ERP;
 * - `drift.departed_approver`: someone who left (inactive in the directory or in the ERP) still holds approval tasks;
 * - `drift.unlinked_person`: a directory person with no ERP counterpart where one is needed.
 */
export const FINDING_KINDS = [
  'approved_without_document', 'amount_mismatch', 'approved_in_erp_without_chat', 'posted_unpaid', 'duplicate_documents',
  'drift.renamed', 'drift.departed_approver', 'drift.unlinked_person',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface FindingInput {
  tenantId: string;
  kind: FindingKind;
  /** What makes it one finding (a request id, a connector + ERP id): the same key is the same finding. */
  key: string;
  requestId?: string | null;
  connector?: string | null;
  erpId?: string | null;
  details?: Record<string, unknown>;
}

export interface Finding {
  id: string; tenantId: string; kind: FindingKind; key: string; requestId: string | null; connector: string | null; erpId: string | null;
  details: Record<string, unknown>; openedAt: Date; lastSeenAt: Date; closedAt: Date | null; notifiedAt: Date | null;
}

/** Opens the finding, or refreshes the open one with the same key. Returns whether it is new (not open before). */
export async function openFinding(db: Db, f: FindingInput, at: Date, newId: () => string): Promise<boolean> {
  const details = JSON.stringify(f.details ?? {});
  const r = await sql<{ inserted: boolean }>`
    insert into recon_findings (id, tenant_id, kind, key, request_id, connector, erp_id, details, opened_at, last_seen_at)
    values (${newId()}, ${f.tenantId}, ${f.kind}, ${f.key}, ${f.requestId ?? null}, ${f.connector ?? null}, ${f.erpId ?? null}, ${details}::jsonb, ${at}, ${at})
    on conflict (tenant_id, kind, key) where closed_at is null
    do update set last_seen_at = excluded.last_seen_at, details = excluded.details
    returning (xmax = 0) as inserted`.execute(db);
  return r.rows[0]?.inserted ?? false;
}

/**
 * Closes the open findings of `kind` (of a tenant) whose keys are not in `stillOpen`: what a full check of that
 * kind no longer finds is resolved. Returns how many were closed.
 */
export async function closeResolved(db: Db, tenantId: string, kind: FindingKind, stillOpen: string[], at: Date): Promise<number> {
  let q = db.updateTable('recon_findings').set({ closed_at: at }).where('tenant_id', '=', tenantId).where('kind', '=', kind).where('closed_at', 'is', null);
  if (stillOpen.length) q = q.where('key', 'not in', stillOpen);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Closes one open finding by key (fixed where it was found, e.g. a drift acknowledged). */
export async function closeFinding(db: Db, tenantId: string, kind: FindingKind, key: string, at: Date): Promise<boolean> {
  const r = await db.updateTable('recon_findings').set({ closed_at: at }).where('tenant_id', '=', tenantId).where('kind', '=', kind)
    .where('key', '=', key).where('closed_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function listFindings(db: Db, tenantId: string, opts: { open?: boolean; kind?: FindingKind; limit?: number } = {}): Promise<Finding[]> {
  let q = db.selectFrom('recon_findings').selectAll().where('tenant_id', '=', tenantId);
  if (opts.open === true) q = q.where('closed_at', 'is', null);
  if (opts.open === false) q = q.where('closed_at', 'is not', null);
  if (opts.kind) q = q.where('kind', '=', opts.kind);
  const rows = await q.orderBy('opened_at', 'desc').orderBy('id').limit(opts.limit ?? 500).execute();
  return rows.map(toFinding);
}

export function toFinding(r: Selectable<ReconFindingsTable>): Finding {
  return {
    id: r.id, tenantId: r.tenant_id, kind: r.kind as FindingKind, key: r.key, requestId: r.request_id, connector: r.connector, erpId: r.erp_id,
    details: r.details, openedAt: r.opened_at, lastSeenAt: r.last_seen_at, closedAt: r.closed_at, notifiedAt: r.notified_at,
  };
}

export async function findingById(db: Db, tenantId: string, id: string): Promise<Finding | null> {
  const r = await db.selectFrom('recon_findings').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return r ? toFinding(r) : null;
}

/** Closes one open finding by id (an admin resolved it); null when it is not open (closed already, or another's). */
export async function closeFindingById(db: Db, tenantId: string, id: string, at: Date): Promise<Finding | null> {
  const r = await db.updateTable('recon_findings').set({ closed_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id)
    .where('closed_at', 'is', null).returningAll().executeTakeFirst();
  return r ? toFinding(r) : null;
}

export const isFindingKind = (k: string): k is FindingKind => (FINDING_KINDS as readonly string[]).includes(k);
