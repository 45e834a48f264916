import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { scopeFilter, type ReportScope } from './cycle-times.ts';
import { count, hours, nearestRank } from './nearest-rank.ts';

/** Task statuses that record an approver's own action (approve, reject, hand over); skipped and cancelled do not. */
const ACTED = ['approved', 'rejected', 'transferred'];

export interface ApproverWait {
  approver: { id: string; name: string | null };
  /** Tasks this approver acted on within the window: how many, and how long each waited (acted_at − created_at). */
  acted: number;
  p50Hours: number | null;
  p90Hours: number | null;
  /** Tasks waiting on them now (the window does not apply), and how long the oldest has waited at `now`. */
  pending: number;
  oldestPendingHours: number | null;
}

/**
 * Per approver: the tasks acted on in [start, end) and the ones pending now. The intent and department filters
 * apply to the request (department: the requester's). Reads the tenant's acted tasks of the window plus its
 * pending ones (the partial index on pending tasks covers the latter).
 */
export async function approverWaits(db: Kysely<Database>, s: ReportScope, now: Date): Promise<ApproverWait[]> {
  const acted = sql`t.status in (${sql.join(ACTED)}) and t.acted_at >= ${s.start} and t.acted_at < ${s.end}`;
  const pending = sql`t.status = 'pending' and r.status = 'pending'`;
  const wait = sql`extract(epoch from t.acted_at - t.created_at)::float8`;
  const { rows } = await sql<{ approver_id: string; name: string | null; acted: string; p50: number | null; p90: number | null; pending: string; oldest: Date | null }>`
    select t.approver_id, a.name, count(*) filter (where ${acted}) as acted,
      ${nearestRank(0.5, wait, acted)} as p50, ${nearestRank(0.9, wait, acted)} as p90,
      count(*) filter (where ${pending}) as pending, min(t.created_at) filter (where ${pending}) as oldest
    from approval_tasks t
    join requests r on r.id = t.request_id
    left join users u on u.tenant_id = r.tenant_id and u.id = r.requester_id
    left join users a on a.tenant_id = t.tenant_id and a.id = t.approver_id
    where t.tenant_id = ${s.tenantId} and ${scopeFilter(s)} and ((${acted}) or (${pending}))
    group by t.approver_id, a.name
    order by t.approver_id`.execute(db);
  return rows.map((r) => ({
    approver: { id: r.approver_id, name: r.name }, acted: count(r.acted), p50Hours: hours(r.p50), p90Hours: hours(r.p90),
    pending: count(r.pending), oldestPendingHours: r.oldest ? hours((now.getTime() - new Date(r.oldest).getTime()) / 1000) : null,
  }));
}

export interface PendingPastSla { intent: string; slaHours: number; pending: number; pastSla: number }

/**
 * Pending tasks per intent and how many have waited longer than the intent's sla_hours at `now`: the same test
 * the SLA reminders apply (src/workflow/sla-reminders.ts: task created before now − sla_hours, request and task
 * pending; an intent no longer in the catalog gets `defaultSlaHours`). Current state: the window does not apply.
 */
export async function pendingPastSla(db: Kysely<Database>, s: Omit<ReportScope, 'start' | 'end'>, slaHours: Record<string, number>, defaultSlaHours: number, now: Date): Promise<PendingPastSla[]> {
  const { rows } = await sql<{ intent_key: string; sla: number; pending: string; past: string }>`
    select r.intent_key, coalesce(sla.hours::float8, ${defaultSlaHours}::float8) as sla, count(*) as pending,
      count(*) filter (where t.created_at < ${now}::timestamptz - coalesce(sla.hours::float8, ${defaultSlaHours}::float8) * interval '1 hour') as past
    from approval_tasks t
    join requests r on r.id = t.request_id
    left join users u on u.tenant_id = r.tenant_id and u.id = r.requester_id
    left join jsonb_each_text(${JSON.stringify(slaHours)}::jsonb) as sla(key, hours) on sla.key = r.intent_key
    where t.tenant_id = ${s.tenantId} and ${scopeFilter(s)} and t.status = 'pending' and r.status = 'pending'
    group by r.intent_key, sla.hours
    order by r.intent_key`.execute(db);
  return rows.map((r) => ({ intent: r.intent_key, slaHours: Number(r.sla), pending: count(r.pending), pastSla: count(r.past) }));
}
