import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { AuditEntry } from '../audit/audit-log.ts';
import { auditAppendCall } from '../audit/audit-log.ts';
import type { InboundEvent } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import { conversationKey } from '../inbox/inbox-repo.ts';
import type { WritePlan } from './request-effects.ts';
import type { RequestRecord } from './request-repo.ts';

type Db = Kysely<Database> | Transaction<Database>;

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/**
 * Commits a state change in ONE statement: the request (inserted, or updated only if its version is
 * still `expectedVersion`), its task rows, its outbox jobs and its audit row. Every other write is
 * gated on the request write, so a lost race writes nothing. Returns false for a lost race.
 */
export async function commitRequestChange(
  db: Db, r: RequestRecord, expectedVersion: number | null, plan: WritePlan, audit: AuditEntry, maxAttempts: number, inbound?: InboundEvent,
): Promise<'written' | 'stale' | 'duplicate'> {
  const head = expectedVersion === null ? insertRequest(r) : updateRequest(r, expectedVersion, inbound !== undefined);
  const parts: RawBuilder<unknown>[] = [];
  if (inbound) parts.push(sql`ev as (${inboxInsert(inbound)})`);
  parts.push(sql`r as (${head})`);
  if (plan.taskUpdates.length) {
    const rows = sql.join(plan.taskUpdates.map((u) => sql`(${u.id}::uuid, ${u.status}::text, ${u.actedBy}::text, ${u.comment}::text)`));
    parts.push(sql`tu as (update approval_tasks t set status = v.status, acted_by = coalesce(v.acted_by, t.acted_by), acted_at = ${plan.at},
      comment = coalesce(v.comment, t.comment) from (values ${rows}) as v(id, status, acted_by, comment) where t.id = v.id and exists (select 1 from r))`);
  }
  if (plan.taskInserts.length) {
    const rows = sql.join(plan.taskInserts.map((t) => sql`(${t.id}::uuid, ${t.stepIndex}::int, ${t.approverId}::text, ${t.transferredFrom}::text)`));
    parts.push(sql`ti as (insert into approval_tasks (id, tenant_id, request_id, revision, step_index, approver_id, status, transferred_from, created_at)
      select v.id, ${r.tenantId}, ${r.id}::uuid, ${r.revision}, v.step_index, v.approver_id, 'pending', v.transferred_from, ${plan.at}::timestamptz
      from (values ${rows}) as v(id, step_index, approver_id, transferred_from) where exists (select 1 from r))`);
  }
  if (plan.remindedTaskIds.length) {
    parts.push(sql`tr as (update approval_tasks set reminded_at = ${plan.at}, remind_count = remind_count + 1
      where id = any(${plan.remindedTaskIds}::uuid[]) and exists (select 1 from r))`);
  }
  if (plan.jobs.length) {
    const rows = sql.join(plan.jobs.map((j) => sql`(${j.tenantId}::text, ${j.kind}::text, ${JSON.stringify(j.payload)}::jsonb, ${j.idempotencyKey}::text, ${j.queueKey ?? null}::text)`));
    parts.push(sql`j as (insert into outbox_jobs (tenant_id, kind, payload, idempotency_key, queue_key, max_attempts)
      select v.t, v.k, v.p, v.key, v.q, ${maxAttempts}::int from (values ${rows}) as v(t, k, p, key, q) where exists (select 1 from r)
      on conflict (idempotency_key) do nothing)`);
  }
  parts.push(sql`a as (select ${auditAppendCall(audit)} as hash from r)`);
  // `a` is a plain SELECT CTE: it runs only because the final select reads it.
  const res = await sql<{ changed: number; audited: number; fresh: number }>`with ${sql.join(parts)}
    select (select count(*) from r)::int as changed, (select count(*) from a)::int as audited,
      ${inbound ? sql`(select count(*) from ev)::int` : sql`1`} as fresh`.execute(db);
  const row = res.rows[0];
  if (row?.fresh === 0) return 'duplicate';
  if ((row?.changed ?? 0) === 0) return 'stale';
  return 'written';
}

/** The inbound event, stored as handled (dedupe on source + event id) in the same statement as its effect. */
function inboxInsert(e: InboundEvent): RawBuilder<unknown> {
  return sql`insert into inbox_events (tenant_id, source, event_id, kind, conversation_key, payload, status, attempts, processed_at)
    values (${e.tenantId}, ${e.source}, ${e.eventId}, ${e.kind}, ${conversationKey(e)}, ${JSON.stringify(e)}::jsonb, 'done', 1, now())
    on conflict (source, event_id) do nothing returning id`;
}

function fieldsOf(r: RequestRecord) {
  return {
    status: r.status, step: r.currentStep, revision: r.revision, fields: json(r.fields), amount: r.amount, route: json(r.steps),
    erp: r.erpStatus, erpRef: json(r.erpRef), reason: r.rejectReason, updated: r.updatedAt, decided: r.decidedAt, submitted: r.submittedAt,
  };
}

function updateRequest(r: RequestRecord, expectedVersion: number, gatedOnInbox: boolean): RawBuilder<unknown> {
  const f = fieldsOf(r);
  return sql`update requests set status = ${f.status}, current_step = ${f.step}, revision = ${f.revision}, fields = ${f.fields}::jsonb,
    amount = ${f.amount}::numeric, route = ${f.route}::jsonb, erp_status = ${f.erp}, erp_ref = ${f.erpRef}::jsonb, reject_reason = ${f.reason},
    version = ${expectedVersion + 1}, updated_at = ${f.updated}, decided_at = ${f.decided}::timestamptz, submitted_at = ${f.submitted}
    where id = ${r.id}::uuid and version = ${expectedVersion} ${gatedOnInbox ? sql`and exists (select 1 from ev)` : sql``} returning id`;
}

function insertRequest(r: RequestRecord): RawBuilder<unknown> {
  const f = fieldsOf(r);
  return sql`insert into requests (id, tenant_id, number, intent_key, intent_version, requester_id, status, current_step, revision, fields,
    amount, route, erp_status, origin, reject_reason, version, created_at, updated_at, submitted_at, decided_at)
    values (${r.id}::uuid, ${r.tenantId}, ${r.number}, ${r.intentKey}, ${r.intentVersion}, ${r.requesterId}, ${f.status}, ${f.step}, ${f.revision},
      ${f.fields}::jsonb, ${f.amount}::numeric, ${f.route}::jsonb, ${f.erp}, ${json(r.origin)}::jsonb, ${f.reason}, ${r.version},
      ${r.createdAt}, ${f.updated}, ${f.submitted}, ${f.decided}::timestamptz) returning id`;
}
