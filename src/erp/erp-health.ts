import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';

/** One connector instance's health, as the admin API and /metrics show it. */
export interface ConnectorHealth {
  connector: string;
  tenant: string;
  kind: string;
  pollIntervalMs: number;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  /** Seconds since the last successful poll (null: never polled successfully). */
  lagSeconds: number | null;
  /** Documents not yet at an end (paid, cancelled, rejected). */
  documentsPending: number;
  /** Documents whose last ERP call failed (creating with an error). */
  documentsFailing: number;
}

export interface FeedInfo { connector: string; tenant: string; kind: string; pollIntervalMs: number }

/** Health of every polled instance, from the cursors table and the open documents. `now` is the service's clock. */
export async function connectorHealth(db: Kysely<Database>, feeds: FeedInfo[], now: Date): Promise<ConnectorHealth[]> {
  if (feeds.length === 0) return [];
  const names = feeds.map((f) => f.connector);
  const [cursors, docs] = await Promise.all([
    db.selectFrom('erp_sync_cursors').selectAll().where('connector', 'in', names).execute(),
    db.selectFrom('erp_documents').select(['connector'])
      .select(sql<string>`count(*)`.as('pending'))
      .select(sql<string>`count(*) filter (where last_error is not null)`.as('failing'))
      .where('connector', 'in', names).where('status', 'not in', ['paid', 'cancelled', 'rejected'])
      .groupBy('connector').execute(),
  ]);
  return feeds.map((f) => {
    const c = cursors.find((x) => x.connector === f.connector && x.tenant_id === f.tenant);
    const d = docs.find((x) => x.connector === f.connector);
    const iso = (t: Date | null | undefined): string | null => (t ? new Date(t).toISOString() : null);
    return {
      connector: f.connector, tenant: f.tenant, kind: f.kind, pollIntervalMs: f.pollIntervalMs,
      lastAttemptAt: iso(c?.last_attempt_at), lastSuccessAt: iso(c?.last_success_at), lastError: c?.last_error ?? null, lastErrorAt: iso(c?.last_error_at),
      lagSeconds: c?.last_success_at ? Math.max(0, Math.round((now.getTime() - new Date(c.last_success_at).getTime()) / 1000)) : null,
      documentsPending: Number(d?.pending ?? 0), documentsFailing: Number(d?.failing ?? 0),
    };
  });
}
