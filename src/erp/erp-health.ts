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
  /** The instance's other feeds: documents made in the ERP (`approvals`), master data per kind (`master:<kind>`). */
  feeds: { feed: string; lastAttemptAt: string | null; lastSuccessAt: string | null; lastError: string | null; lagSeconds: number | null }[];
}

export interface FeedInfo { connector: string; tenant: string; kind: string; pollIntervalMs: number }

/** Health of every polled instance, from the cursors table and the open documents. `now` is the service's clock. */
export async function connectorHealth(db: Kysely<Database>, feeds: FeedInfo[], now: Date): Promise<ConnectorHealth[]> {
  if (feeds.length === 0) return [];
  const names = feeds.map((f) => f.connector);
  const [cursors, docs] = await Promise.all([
    db.selectFrom('erp_sync_cursors').selectAll().where((eb) => eb.or([eb('connector', 'in', names), ...names.map((n) => eb('connector', 'like', `${n}#%`))])).execute(),
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
    const lag = (t: Date | null | undefined): number | null => (t ? Math.max(0, Math.round((now.getTime() - new Date(t).getTime()) / 1000)) : null);
    const feedsOf = cursors.filter((x) => x.tenant_id === f.tenant && x.connector.startsWith(`${f.connector}#`)).sort((a, b) => a.connector.localeCompare(b.connector))
      .map((x) => ({ feed: x.connector.slice(f.connector.length + 1), lastAttemptAt: iso(x.last_attempt_at), lastSuccessAt: iso(x.last_success_at), lastError: x.last_error, lagSeconds: lag(x.last_success_at) }));
    return {
      connector: f.connector, tenant: f.tenant, kind: f.kind, pollIntervalMs: f.pollIntervalMs,
      lastAttemptAt: iso(c?.last_attempt_at), lastSuccessAt: iso(c?.last_success_at), lastError: c?.last_error ?? null, lastErrorAt: iso(c?.last_error_at),
      lagSeconds: lag(c?.last_success_at),
      documentsPending: Number(d?.pending ?? 0), documentsFailing: Number(d?.failing ?? 0), feeds: feedsOf,
    };
  });
}
