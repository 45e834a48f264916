import type { Clock } from '../core/clock.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { CardSyncPayload, MessageSendPayload, NotifyMessage } from '../jobs/job-kinds.ts';
import type { NewJob } from '../jobs/enqueue.ts';
import type { Effect, TaskStatus } from './approval-states.ts';
import type { RequestRecord } from './request-repo.ts';

export interface EffectDeps { clock: Clock; ids: IdGenerator }

export interface TaskInsert { id: string; stepIndex: number; approverId: string; transferredFrom: string | null }
export interface TaskUpdate { id: string; status: TaskStatus; actedBy: string | null; comment: string | null }

/** Every row a transition writes besides the request itself; committed in one statement (request-commit.ts). */
export interface WritePlan {
  at: Date;
  taskInserts: TaskInsert[];
  taskUpdates: TaskUpdate[];
  remindedTaskIds: string[];
  jobs: NewJob[];
}

/**
 * Turns a transition's effects into task rows and outbox jobs. Every participant's card is re-synced
 * so all cards show the new state. `req` carries the version the change commits as (job keys use it).
 */
export function planEffects(deps: EffectDeps, req: RequestRecord, effects: Effect[], knownApprovers: string[]): WritePlan {
  const plan: WritePlan = { at: deps.clock.now(), taskInserts: [], taskUpdates: [], remindedTaskIds: [], jobs: [] };
  const v = req.version;
  for (const e of effects) {
    switch (e.type) {
      case 'create_tasks':
        for (const approverId of e.approvers) plan.taskInserts.push({ id: deps.ids.uuid(), stepIndex: e.stepIndex, approverId, transferredFrom: e.transferredFrom ?? null });
        break;
      case 'update_task':
        plan.taskUpdates.push({ id: e.taskId, status: e.status, actedBy: e.actor ?? null, comment: e.comment ?? null });
        break;
      case 'close_tasks':
        for (const id of e.taskIds) plan.taskUpdates.push({ id, status: e.status, actedBy: null, comment: null });
        break;
      case 'remind_tasks':
        plan.remindedTaskIds.push(...e.taskIds);
        for (const userId of e.approvers) plan.jobs.push(notifyJob(req, v, userId, { kind: 'reminder', by: e.by }));
        break;
      case 'notify':
        for (const userId of e.userIds) plan.jobs.push(notifyJob(req, v, userId, e.message));
        break;
      case 'erp_create':
        plan.jobs.push({ tenantId: req.tenantId, kind: 'erp.create', payload: { requestId: req.id }, idempotencyKey: `erp.create:${req.id}:r${req.revision}` });
        break;
      case 'erp_decide':
        plan.jobs.push({ tenantId: req.tenantId, kind: 'erp.decide', idempotencyKey: `erp.decide:${req.id}:r${req.revision}`,
          payload: { requestId: req.id, revision: req.revision, decision: e.decision, ...(e.reason ? { reason: e.reason } : {}) } });
        break;
    }
  }
  const approvers = [...new Set([...knownApprovers, ...plan.taskInserts.map((t) => t.approverId)])];
  const participants: CardSyncPayload[] = [
    { requestId: req.id, userId: req.requesterId, role: 'requester' },
    ...approvers.filter((a) => a !== req.requesterId).map((userId) => ({ requestId: req.id, userId, role: 'approver' as const })),
  ];
  for (const p of participants) {
    const card = `card.sync:${req.id}:${p.role}:${p.userId}`;
    plan.jobs.push({ tenantId: req.tenantId, kind: 'card.sync', payload: p, idempotencyKey: `${card}:v${v}`, coalesceKey: card });
  }
  return plan;
}

function notifyJob(req: RequestRecord, version: number, userId: string, message: NotifyMessage): NewJob {
  const payload: MessageSendPayload = { userId, notify: { requestId: req.id, message } };
  return { tenantId: req.tenantId, kind: 'message.send', payload, idempotencyKey: `notify:${req.id}:v${version}:${userId}:${message.kind}` };
}
