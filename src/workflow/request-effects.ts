import type { Transaction } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { Database } from '../db/database.ts';
import { JOB, type CardSyncPayload, type MessageSendPayload } from '../outbox/job-kinds.ts';
import { enqueue, type NewJob } from '../outbox/outbox-repo.ts';
import type { Effect, NotifyMessage } from './approval-states.ts';
import * as requestRepo from './request-repo.ts';
import type { RequestRecord } from './request-repo.ts';

export interface EffectDeps { clock: Clock; ids: IdGenerator; maxAttempts: number }

/**
 * Turns a transition's effects into task rows and outbox jobs, in the transaction of the state change.
 * Every participant's card is re-synced so all cards show the new state.
 */
export async function applyEffects(trx: Transaction<Database>, deps: EffectDeps, req: RequestRecord, effects: Effect[], knownApprovers: string[]): Promise<void> {
  const now = deps.clock.now();
  const jobs: NewJob[] = [];
  const v = req.version;
  for (const e of effects) {
    switch (e.type) {
      case 'create_tasks':
        await requestRepo.insertTasks(trx, e.approvers.map((approverId) => ({
          id: deps.ids.uuid(), tenantId: req.tenantId, requestId: req.id, revision: req.revision, stepIndex: e.stepIndex, approverId,
          ...(e.transferredFrom ? { transferredFrom: e.transferredFrom } : {}), createdAt: now,
        })));
        break;
      case 'update_task':
        await requestRepo.updateTask(trx, e.taskId, { status: e.status, actedBy: e.actor ?? null, actedAt: now, ...(e.comment ? { comment: e.comment } : {}) });
        break;
      case 'close_tasks':
        for (const id of e.taskIds) await requestRepo.updateTask(trx, id, { status: e.status, actedAt: now });
        break;
      case 'remind_tasks':
        await requestRepo.markReminded(trx, e.taskIds, now);
        for (const userId of e.approvers) jobs.push(notifyJob(req, v, userId, { kind: 'reminder', by: req.requesterId }));
        break;
      case 'notify':
        for (const userId of e.userIds) jobs.push(notifyJob(req, v, userId, e.message));
        break;
      case 'erp_create':
        jobs.push({ tenantId: req.tenantId, kind: JOB.erpCreate, payload: { requestId: req.id }, idempotencyKey: `erp.create:${req.id}:r${req.revision}` });
        break;
    }
  }
  const created = effects.flatMap((e) => (e.type === 'create_tasks' ? e.approvers : []));
  const approvers = [...new Set([...knownApprovers, ...created])];
  const participants: CardSyncPayload[] = [
    { requestId: req.id, userId: req.requesterId, role: 'requester' },
    ...approvers.filter((a) => a !== req.requesterId).map((userId) => ({ requestId: req.id, userId, role: 'approver' as const })),
  ];
  for (const p of participants) {
    jobs.push({ tenantId: req.tenantId, kind: JOB.cardSync, payload: p, idempotencyKey: `card.sync:${req.id}:${p.role}:${p.userId}:v${v}` });
  }
  await enqueue(trx, jobs, deps.maxAttempts);
}

function notifyJob(req: RequestRecord, version: number, userId: string, message: NotifyMessage): NewJob {
  const payload: MessageSendPayload = { userId, notify: { requestId: req.id, message } };
  return { tenantId: req.tenantId, kind: JOB.messageSend, payload, idempotencyKey: `notify:${req.id}:v${version}:${userId}:${message.kind}` };
}
