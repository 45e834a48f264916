import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database.ts';

/** Refused requests counted so far (refusal_counts), summed per `source|reason`, and the rows holding them. */
export async function refusalCounts(db: Kysely<Database>): Promise<{ rows: number; total: number; by: Record<string, number> }> {
  const rows = await db.selectFrom('refusal_counts').select(['source', 'reason', 'count']).execute();
  const by: Record<string, number> = {};
  for (const r of rows) by[`${r.source}|${r.reason}`] = (by[`${r.source}|${r.reason}`] ?? 0) + Number(r.count);
  return { rows: rows.length, total: rows.reduce((s, r) => s + Number(r.count), 0), by };
}

/** How much each reason grew between two readings (any source). */
export function grownReasons(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    const reason = k.slice(k.indexOf('|') + 1);
    if (d > 0) out[reason] = (out[reason] ?? 0) + d;
  }
  return out;
}
