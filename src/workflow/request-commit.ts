import { sql, type Kysely, type Transaction } from 'kysely';
import { auditRecord, type AuditEntry, type AuditRecord } from '../audit/audit-log.ts';
import type { ChatTarget, InboundEvent } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import { inboxRow, type InboxEventRow } from '../inbox/inbox-repo.ts';
import { jobRow, type JobRow } from '../jobs/enqueue.ts';
import type { ErpOrigin, ErpStatus, RequestStatus, ResolvedStep, TaskStatus } from './approval-states.ts';
import type { WritePlan } from './request-effects.ts';
import type { RequestRecord } from './request-repo.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type CommitOutcome = 'written' | 'stale' | 'duplicate';

/** The request row as commit_request_change() inserts or updates it (dates go as ISO strings, JSON.stringify). */
export interface CommitRequestRow {
  id: string; tenant_id: string; number: string; intent_key: string; intent_version: number; requester_id: string; status: RequestStatus;
  current_step: number; revision: number; fields: Record<string, unknown>; amount: string | null; route: ResolvedStep[]; erp_status: ErpStatus;
  erp_ref: Record<string, unknown> | null; origin: ChatTarget; reject_reason: string | null; version: number;
  created_at: Date; updated_at: Date; submitted_at: Date; decided_at: Date | null; erp_origin: ErpOrigin | null;
}

/**
 * The argument of commit_request_change() (src/db/sql/commit_request_change.v<newest>.sql): one request state
 * change, all it writes; commit_request_changes() takes an array of them. Built by commitPayload() only.
 * test/unit/db/commit-payload-keys.test.ts checks that every key the SQL reads is one this builds.
 */
export interface CommitPayload {
  mode: 'insert' | 'update';
  /** The version an update expects to find (optimistic lock); null for an insert. */
  expected_version: number | null;
  at: string;
  max_attempts: number;
  request: CommitRequestRow;
  /** The inbound event that caused the change (inbox_record() row), recorded handled with it; null for none. */
  inbound: InboxEventRow | null;
  task_updates: { id: string; status: TaskStatus; acted_by: string | null; comment: string | null }[];
  task_inserts: { id: string; step_index: number; approver_id: string; transferred_from: string | null }[];
  /** Ids of the tasks whose reminder count goes up. */
  reminded: string[];
  /** Outbox jobs (outbox_enqueue() rows). */
  jobs: JobRow[];
  audit: AuditRecord;
}

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
      created_at: r.createdAt, updated_at: r.updatedAt, submitted_at: r.submittedAt, decided_at: r.decidedAt, erp_origin: r.erpOrigin,
    },
    inbound: inbound ? inboxRow(inbound) : null,
    task_updates: plan.taskUpdates.map((u) => ({ id: u.id, status: u.status, acted_by: u.actedBy, comment: u.comment })),
    task_inserts: plan.taskInserts.map((t) => ({ id: t.id, step_index: t.stepIndex, approver_id: t.approverId, transferred_from: t.transferredFrom })),
    reminded: plan.remindedTaskIds,
    jobs: plan.jobs.map(jobRow),
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
