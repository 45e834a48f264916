import { sql, type Kysely, type Transaction } from 'kysely';
import type { MasterKind } from '../core/master-kinds.ts';
import type { Database } from '../db/database.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The master data synced from each ERP instance (erp_master_records): one row per (connector, kind, ERP id), kept
 * when the ERP deactivates a record (it is then no longer offered). Rows are written by the master-data sync
 * (src/erp/master-sync.ts) and read by forms whose fields name a kind (`source: { master: … }`).
 */
export interface MasterRow {
  kind: MasterKind;
  erpId: string;
  code?: string | null;
  name: string;
  aliases?: string[];
  active: boolean;
  attrs?: Record<string, string>;
  versionStamp?: string | null;
}

export interface StoredRecord extends Required<Omit<MasterRow, 'versionStamp' | 'code'>> {
  connector: string;
  code: string | null;
  versionStamp: string | null;
}

/** What one upsert did to a record. A rename is the same ERP id under another name than stored. */
export type RecordChange = { kind: MasterKind; erpId: string; name: string } & (
  | { change: 'new' }
  | { change: 'renamed'; from: string; to: string }
  | { change: 'deactivated' }
  | { change: 'changed' }
  | { change: 'unchanged' }
);

/** Rows per insert statement (bounds the statement's size; a page of the sync is usually 100). */
const CHUNK = 200;

/**
 * Writes a page of records of one connector and says, per record, what changed. Records whose stored row is
 * identical (a re-read overlap window) are not written. A record repeated in one batch: the last one wins.
 */
export async function upsertRecords(db: Db, tenantId: string, connector: string, records: MasterRow[], at: Date): Promise<RecordChange[]> {
  const byKey = new Map<string, MasterRow>();
  for (const r of records) {
    if (!r.erpId || !r.name.trim()) throw new Error(`master record of ${connector} without ${r.erpId ? 'a name' : 'an ERP id'}`);
    byKey.set(`${r.kind}\u0000${r.erpId}`, r);
  }
  const unique = [...byKey.values()];
  if (unique.length === 0) return [];
  const stored = new Map<string, StoredRecord>();
  for (const kind of new Set(unique.map((r) => r.kind))) {
    const ids = unique.filter((r) => r.kind === kind).map((r) => r.erpId);
    const rows = await db.selectFrom('erp_master_records').selectAll().where('connector', '=', connector).where('kind', '=', kind)
      .where('erp_id', 'in', ids).execute();
    for (const row of rows) {
      if (row.tenant_id !== tenantId) throw new Error(`ERP instance ${connector} belongs to tenant ${row.tenant_id}, not ${tenantId}`);
      stored.set(`${kind}\u0000${row.erp_id}`, toRecord(row));
    }
  }
  const changes: RecordChange[] = [];
  const writes: MasterRow[] = [];
  for (const r of unique) {
    const before = stored.get(`${r.kind}\u0000${r.erpId}`);
    const base = { kind: r.kind, erpId: r.erpId, name: r.name.trim() };
    const change = classify(before, r);
    changes.push(change.change === 'renamed' ? { ...base, change: 'renamed', from: change.from, to: change.to } : { ...base, change: change.change });
    if (change.change !== 'unchanged') writes.push(r);
  }
  for (let i = 0; i < writes.length; i += CHUNK) {
    const values = writes.slice(i, i + CHUNK).map((r) => ({
      tenant_id: tenantId, connector, kind: r.kind, erp_id: r.erpId, code: r.code?.trim() || null, name: r.name.trim(),
      aliases: JSON.stringify(cleanAliases(r)), active: r.active, attrs: JSON.stringify(r.attrs ?? {}), version_stamp: r.versionStamp ?? null,
      synced_at: at, changed_at: at,
    }));
    await db.insertInto('erp_master_records').values(values).onConflict((oc) => oc.columns(['connector', 'kind', 'erp_id']).doUpdateSet({
      code: sql`excluded.code`, name: sql`excluded.name`, aliases: sql`excluded.aliases`, active: sql`excluded.active`,
      attrs: sql`excluded.attrs`, version_stamp: sql`excluded.version_stamp`, synced_at: sql`excluded.synced_at`, changed_at: sql`excluded.changed_at`,
    })).execute();
  }
  return changes;
}

function cleanAliases(r: MasterRow): string[] {
  return [...new Set((r.aliases ?? []).map((a) => a.trim()).filter((a) => a && a !== r.name.trim()))];
}

function classify(before: StoredRecord | undefined, r: MasterRow): { change: 'new' | 'deactivated' | 'changed' | 'unchanged' } | { change: 'renamed'; from: string; to: string } {
  if (!before) return { change: 'new' };
  const name = r.name.trim();
  if (before.active && !r.active) return { change: 'deactivated' };
  if (before.name !== name) return { change: 'renamed', from: before.name, to: name };
  const same = before.active === r.active && before.code === (r.code?.trim() || null) && before.versionStamp === (r.versionStamp ?? null)
    && JSON.stringify(before.aliases) === JSON.stringify(cleanAliases(r)) && JSON.stringify(sortKeys(before.attrs)) === JSON.stringify(sortKeys(r.attrs ?? {}));
  return { change: same ? 'unchanged' : 'changed' };
}

function sortKeys(o: Record<string, string>): [string, string][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function toRecord(row: { connector: string; kind: string; erp_id: string; code: string | null; name: string; aliases: string[]; active: boolean; attrs: Record<string, string>; version_stamp: string | null }): StoredRecord {
  return {
    connector: row.connector, kind: row.kind as MasterKind, erpId: row.erp_id, code: row.code, name: row.name, aliases: row.aliases ?? [],
    active: row.active, attrs: row.attrs ?? {}, versionStamp: row.version_stamp,
  };
}

export interface ListOptions {
  connector?: string;
  /** Only the records the ERP still has active (what forms offer). */
  activeOnly: boolean;
  /** Name or code containing this text (case-insensitive). */
  query?: string;
  limit: number;
}

/** A tenant's records of one kind, by name. */
export async function listRecords(db: Db, tenantId: string, kind: MasterKind, o: ListOptions): Promise<StoredRecord[]> {
  let q = db.selectFrom('erp_master_records').selectAll().where('tenant_id', '=', tenantId).where('kind', '=', kind);
  if (o.connector) q = q.where('connector', '=', o.connector);
  if (o.activeOnly) q = q.where('active', '=', true);
  const text = o.query?.trim().toLowerCase();
  if (text) {
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb(eb.fn('lower', ['name']), 'like', like), eb(eb.fn('lower', ['code']), 'like', like)]));
  }
  const rows = await q.orderBy('name').orderBy('erp_id').limit(Math.max(1, Math.min(o.limit, 10_000))).execute();
  return rows.map(toRecord);
}

/** Whether the connector has shared any record of the kind (e.g. employees: then requesters must be linked). */
export async function hasRecords(db: Db, tenantId: string, connector: string, kind: MasterKind): Promise<boolean> {
  const row = await db.selectFrom('erp_master_records').select('erp_id').where('connector', '=', connector).where('kind', '=', kind)
    .where('tenant_id', '=', tenantId).limit(1).executeTakeFirst();
  return row !== undefined;
}
