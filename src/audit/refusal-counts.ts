import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { appendAudit } from './audit-log.ts';

/** One refused request: whose tenant, from where (client address or `bot:<id>`), why (the error code), on which path. */
export interface Refusal { tenantId: string; source: string; reason: string; path: string; at: Date }

const MINUTE_MS = 60_000;

export function minuteOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS);
}

/**
 * Counts a refusal: one upsert on (tenant, source, reason, minute). A flood from one source adds to one counter a
 * minute, never a row per request; the last path is kept for a look (it is the client's, so cut short).
 */
export async function countRefusal(db: Kysely<Database>, r: Refusal): Promise<void> {
  await db.insertInto('refusal_counts')
    .values({ tenant_id: r.tenantId, source: r.source.slice(0, 100), reason: r.reason.slice(0, 80), minute: minuteOf(r.at), count: 1, last_path: r.path.slice(0, 200) })
    .onConflict((oc) => oc.columns(['tenant_id', 'source', 'reason', 'minute']).doUpdateSet((eb) => ({
      count: sql<number>`${eb.ref('refusal_counts.count')} + 1`, last_path: eb.ref('excluded.last_path'),
    })))
    .execute();
}

/** Counters of a minute still being counted are left alone: a request refused at 12:00:59.9 may be counted at 12:01:00.1. */
const SETTLE_MS = 2 * MINUTE_MS;
/** A summary row names this many (source, reason) pairs, the largest first; the rest are summed up. */
const SUMMARY_TOP = 50;

/**
 * Folds settled minutes into the audit log: one `inbound.rejected` row per tenant and minute in the chain
 * `endpoint:refused-requests`, with the total and the largest counters. Once there, they are covered by the chain's
 * hashes, its signed head and the checkpoints; retention purges them like any refusal. Answers the rows written.
 */
export async function summarizeRefusals(db: Kysely<Database>, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ tenant_id: string; minute: Date; source: string; reason: string; count: string | number }>`
      update refusal_counts set summarized = true
      where not summarized and minute < ${new Date(now.getTime() - SETTLE_MS)}
      returning tenant_id, minute, source, reason, count`.execute(trx);
    const groups = new Map<string, typeof rows>();
    for (const r of rows) {
      const k = `${r.tenant_id}\u0000${new Date(r.minute).toISOString()}`;
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    const ordered = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, g] of ordered) {
      const counts = g.map((r) => ({ source: r.source, reason: r.reason, count: Number(r.count) })).sort((a, b) => b.count - a.count);
      const minute = new Date(g[0]!.minute);
      await appendAudit(trx, {
        tenantId: g[0]!.tenant_id, at: minute, actor: 'anonymous', action: 'inbound.rejected', source: 'api',
        subjectType: 'endpoint', subjectId: 'refused-requests',
        meta: {
          minute: minute.toISOString(), total: counts.reduce((s, c) => s + c.count, 0), counts: counts.slice(0, SUMMARY_TOP),
          others: counts.slice(SUMMARY_TOP).reduce((s, c) => s + c.count, 0),
        },
      });
    }
    return groups.size;
  });
}
