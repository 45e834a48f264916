import { sql, type Kysely, type Transaction } from 'kysely';
import { auditRecord, type AuditEntry } from '../audit/audit-log.ts';
import type { InboundEvent } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import { conversationKey } from '../inbox/inbox-repo.ts';
import type { WritePlan } from './request-effects.ts';
import type { RequestRecord } from './request-repo.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type CommitOutcome = 'written' | 'stale' | 'duplicate';

/** The argument of commit_request_change(): one request state change, all it writes. */
export type CommitPayload = Record<string, unknown>;

export function commitPayload(
  r: RequestRecord, expectedVersion: number | null, plan: WritePlan, audit: AuditEntry, maxAttempts: number, inbound?: InboundEvent,
): CommitPayload {
  return {
    mode: expectedVersion === null ? 'insert' : 'update',
    expected_version: expectedVersion,
    at: plan.at.toISOString(),
    max_attempts: maxAttempts,
    request: {
      id: r.id, tenant_id: r.tenantId, number: r.number, intent_key: r.intentKey, intent_version: r.intentVersion, requester_id: r.requesterId,
      status: r.status, current_step: r.currentStep, revision: r.revision, fields: r.fields, amount: r.amount, route: r.steps,
      erp_status: r.erpStatus, erp_ref: r.erpRef, origin: r.origin, reject_reason: r.rejectReason, version: r.version,
      created_at: r.createdAt, updated_at: r.updatedAt, submitted_at: r.submittedAt, decided_at: r.decidedAt,
    },
    inbound: inbound ? { tenant_id: inbound.tenantId, source: inbound.source, event_id: inbound.eventId, kind: inbound.kind, conversation_key: conversationKey(inbound), payload: inbound } : null,
    task_updates: plan.taskUpdates.map((u) => ({ id: u.id, status: u.status, acted_by: u.actedBy, comment: u.comment })),
    task_inserts: plan.taskInserts.map((t) => ({ id: t.id, step_index: t.stepIndex, approver_id: t.approverId, transferred_from: t.transferredFrom })),
    reminded: plan.remindedTaskIds,
    jobs: plan.jobs.map((j) => ({ tenant_id: j.tenantId, kind: j.kind, payload: j.payload, key: j.idempotencyKey, queue_key: j.queueKey ?? null, coalesce_key: j.coalesceKey ?? null })),
    audit: auditRecord(audit),
  };
}

/**
 * Commits a state change in ONE call to commit_request_change() (see the migrations): the request
 * (inserted, or updated only if its version is still `expectedVersion`), its inbound event, task rows,
 * outbox jobs and audit row, all or nothing. A lost race writes nothing and returns 'stale'; an event
 * seen before returns 'duplicate'. Inside a caller's transaction (submit) this is the way; outside one,
 * the approval service goes through the CommitBatcher.
 */
export async function commitRequestChange(
  db: Db, r: RequestRecord, expectedVersion: number | null, plan: WritePlan, audit: AuditEntry, maxAttempts: number, inbound?: InboundEvent,
): Promise<CommitOutcome> {
  const p = commitPayload(r, expectedVersion, plan, audit, maxAttempts, inbound);
  const res = await sql<{ outcome: CommitOutcome }>`select commit_request_change(${JSON.stringify(p)}::jsonb) as outcome`.execute(db);
  return res.rows[0]?.outcome ?? 'stale';
}
