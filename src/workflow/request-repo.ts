import { sql, type Kysely, type Transaction } from 'kysely';
import type { ChatTarget } from '../core/inbound-event.ts';
import type { Database, RequestRow, TaskRow } from '../db/database.ts';
import type { ErpOrigin, ErpStatus, RequestStatus, ResolvedStep, TaskSnapshot, TaskStatus } from './approval-states.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A request as the domain sees it. */
export interface RequestRecord {
  id: string;
  tenantId: string;
  number: string;
  intentKey: string;
  intentVersion: number;
  requesterId: string;
  status: RequestStatus;
  currentStep: number;
  revision: number;
  fields: Record<string, unknown>;
  amount: string | null;
  steps: ResolvedStep[];
  erpStatus: ErpStatus;
  erpRef: Record<string, unknown> | null;
  origin: ChatTarget;
  rejectReason: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date;
  decidedAt: Date | null;
  /** The ERP document the request approves, when it was made in the ERP (null: the request began in chat). */
  erpOrigin: ErpOrigin | null;
}

export interface TaskRecord extends TaskSnapshot {
  revision: number;
  actedBy: string | null;
  actedAt: Date | null;
  comment: string | null;
  transferredFrom: string | null;
  remindCount: number;
}

export function toRequest(r: RequestRow): RequestRecord {
  return {
    id: r.id, tenantId: r.tenant_id, number: r.number, intentKey: r.intent_key, intentVersion: r.intent_version, requesterId: r.requester_id,
    status: r.status as RequestStatus, currentStep: r.current_step, revision: r.revision, fields: r.fields as Record<string, unknown>,
    amount: r.amount, steps: r.route as ResolvedStep[], erpStatus: r.erp_status as ErpStatus, erpRef: (r.erp_ref ?? null) as Record<string, unknown> | null,
    origin: r.origin as ChatTarget, rejectReason: r.reject_reason, version: r.version, createdAt: r.created_at, updatedAt: r.updated_at,
    submittedAt: r.submitted_at, decidedAt: r.decided_at, erpOrigin: (r.erp_origin ?? null) as ErpOrigin | null,
  };
}

export function toTask(t: TaskRow): TaskRecord {
  return {
    id: t.id, stepIndex: t.step_index, approverId: t.approver_id, status: t.status as TaskStatus, remindedAt: t.reminded_at, createdAt: t.created_at,
    revision: t.revision, actedBy: t.acted_by, actedAt: t.acted_at, comment: t.comment, transferredFrom: t.transferred_from, remindCount: t.remind_count,
  };
}

export async function findRequest(db: Db, tenantId: string, id: string): Promise<RequestRecord | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const row = await db.selectFrom('requests').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return row && toRequest(row);
}

/** All tasks of the request aliased `r`, oldest first, as one JSON array (one round trip with the request). */
const tasksOfR = sql<TaskJson[]>`(select coalesce(json_agg(t order by t.created_at, t.id), '[]') from approval_tasks t where t.request_id = r.id)`;

/** Several requests with their tasks in one round trip (the approval service batches concurrent loads). */
export async function findRequestsWithTasks(db: Db, ids: string[]): Promise<Map<string, { request: RequestRecord; tasks: TaskRecord[] }>> {
  const valid = [...new Set(ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id)))];
  if (valid.length === 0) return new Map();
  const rows = await db.selectFrom('requests as r').selectAll('r').select(tasksOfR.as('tasks')).where('r.id', 'in', valid).execute();
  return new Map(rows.map(({ tasks, ...request }) => [request.id, { request: toRequest(request), tasks: tasks.map((t) => toTask(reviveTask(t))) }]));
}

/** The latest ERP document of a request, as a card shows it. */
export interface RequestErpDoc {
  number: string | null;
  status: string;
  amount: string | null;
  paidAmount: string | null;
  postedAt: Date | null;
  paidAt: Date | null;
  bankRef: string | null;
  connector: string;
  /** The posting's own number (voucher, journal entry) where the ERP has one. */
  voucher: string | null;
  /** The last error the ERP gave for this document (its own message). */
  lastError: string | null;
}

type ErpDocJson = Omit<RequestErpDoc, 'postedAt' | 'paidAt'> & { postedAt: string | null; paidAt: string | null };

/** What a request's card shows: the request, its tasks and its latest ERP document, in one round trip. */
export async function findRequestForCard(db: Db, tenantId: string, id: string): Promise<{ request: RequestRecord; tasks: TaskRecord[]; erp: RequestErpDoc | undefined } | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const row = await db.selectFrom('requests as r').selectAll('r')
    .select(tasksOfR.as('tasks'))
    // Money as text (a JSON number would lose "320.00"); the newest document wins.
    .select(sql<ErpDocJson | null>`(select json_build_object('number', e.number, 'status', e.status, 'amount', e.amount::text, 'paidAmount', e.paid_amount::text,
      'postedAt', e.posted_at, 'paidAt', e.paid_at, 'bankRef', e.bank_ref, 'connector', e.connector,
      'voucher', e.voucher, 'lastError', e.last_error)
      from erp_documents e where e.request_id = r.id order by e.created_at desc limit 1)`.as('erp'))
    .where('r.tenant_id', '=', tenantId).where('r.id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const { tasks, erp, ...request } = row;
  const d = (v: string | null): Date | null => (v === null ? null : new Date(v));
  return {
    request: toRequest(request), tasks: tasks.map((t) => toTask(reviveTask(t))),
    erp: erp ? { ...erp, postedAt: d(erp.postedAt), paidAt: d(erp.paidAt) } : undefined,
  };
}

type TaskJson = Omit<TaskRow, 'acted_at' | 'reminded_at' | 'created_at'> & { acted_at: string | null; reminded_at: string | null; created_at: string };

function reviveTask(t: TaskJson): TaskRow {
  const d = (v: string | null): Date | null => (v === null ? null : new Date(v));
  return { ...t, acted_at: d(t.acted_at), reminded_at: d(t.reminded_at), created_at: new Date(t.created_at) };
}

/** All tasks of a request, every revision, oldest first. */
export async function listTasks(db: Db, requestId: string): Promise<TaskRecord[]> {
  const rows = await db.selectFrom('approval_tasks').selectAll().where('request_id', '=', requestId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toTask);
}

/** Next readable number: TRV-202611-0001, counted per tenant, prefix and month. */
export async function nextRequestNumber(trx: Db, tenantId: string, prefix: string, period: string): Promise<string> {
  const r = await sql<{ last: number }>`
    insert into request_counters (tenant_id, prefix, period, last) values (${tenantId}, ${prefix}, ${period}, 1)
    on conflict (tenant_id, prefix, period) do update set last = request_counters.last + 1 returning last`.execute(trx);
  return `${prefix}-${period}-${String(r.rows[0]?.last ?? 1).padStart(4, '0')}`;
}

/**
 * A requester's newest requests; `intent` narrows to one intent, `open` to those not finished (pending, or approved
 * and not yet paid; one that needs no ERP document is finished at approval).
 */
export async function listByRequester(db: Db, tenantId: string, requesterId: string, limit: number, only: { intent?: string; open?: boolean } = {}): Promise<RequestRecord[]> {
  let q = db.selectFrom('requests').selectAll().where('tenant_id', '=', tenantId).where('requester_id', '=', requesterId);
  if (only.intent) q = q.where('intent_key', '=', only.intent);
  if (only.open) q = q.where((eb) => eb.or([eb('status', '=', 'pending'), eb.and([eb('status', '=', 'approved'), eb('erp_status', 'not in', ['paid', 'not_required'])])]));
  const rows = await q.orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map(toRequest);
}
