import type { Localized } from '../config/intent-schema.ts';
import {
  STATUS_WORDS, type ApprovalEvent, type Effect, type RequestSnapshot, type ResolvedStep, type TaskSnapshot, type Transition,
  type TransitionError, type TransitionErrorCode,
} from './approval-states.ts';

/**
 * The approval state machine: pure, no I/O, no clock of its own. Every state change of a request goes
 * through here; the service persists `next` and turns `effects` into rows and outbox jobs.
 */
export function transition(s: RequestSnapshot, ev: ApprovalEvent, now: Date): Transition {
  switch (ev.type) {
    case 'submit': return submit(s);
    case 'approve': return approve(s, ev);
    case 'reject': return reject(s, ev);
    case 'transfer': return transfer(s, ev);
    case 'comment': return comment(s, ev);
    case 'withdraw': return withdraw(s, ev);
    case 'resubmit': return resubmit(s, ev);
    case 'remind': return remind(s, ev, now);
    case 'erp_created': return erpMove(s, ['creating', 'failed'], 'created');
    case 'erp_failed': return erpMove(s, ['creating'], 'failed');
    case 'erp_posted': return erpMove(s, ['created'], 'posted');
    case 'erp_paid': return erpMove(s, ['created', 'posted'], 'paid');
  }
}

/** A refusal: English for logs and the API, and a sentence in both languages for the person who acted. */
const refusal = (code: TransitionErrorCode, text: Localized, retryAfterMs?: number): TransitionError => {
  const localized = { zh: text.zh, en: text.en.charAt(0).toUpperCase() + text.en.slice(1) };
  return retryAfterMs === undefined ? { code, message: text.en, localized } : { code, message: text.en, localized, retryAfterMs };
};
const fail = (code: TransitionErrorCode, text: Localized, retryAfterMs?: number): Transition => ({ ok: false, error: refusal(code, text, retryAfterMs) });
const word = (status: keyof typeof STATUS_WORDS): Localized => STATUS_WORDS[status];

/** Enters the first step with approvers at or after `from`; no step left means approved. */
function enterStep(s: RequestSnapshot, steps: ResolvedStep[], from: number, effects: Effect[]): RequestSnapshot {
  const step = steps.find((st) => st.index >= from && st.approvers.length > 0);
  if (!step) {
    effects.push({ type: 'notify', userIds: [s.requesterId], message: { kind: 'approved' } }, { type: 'erp_create' });
    return { ...s, steps, status: 'approved', erpStatus: 'creating', currentStep: from };
  }
  effects.push({ type: 'create_tasks', stepIndex: step.index, approvers: [...new Set(step.approvers)] });
  return { ...s, steps, status: 'pending', currentStep: step.index };
}

function submit(s: RequestSnapshot): Transition {
  if (s.status !== 'draft') return fail('workflow.illegal_transition', { en: `cannot submit a ${s.status} request`, zh: `申请${word(s.status).zh}，不能提交` });
  const effects: Effect[] = [];
  return { ok: true, next: enterStep(s, s.steps, 0, effects), effects };
}

/** The pending task an actor may act on, or the reason they may not. */
function actionableTask(s: RequestSnapshot, actor: string, taskId: string): TaskSnapshot | TransitionError {
  const task = s.tasks.find((t) => t.id === taskId);
  if (!task) return refusal('workflow.already_handled', { en: 'this task belongs to an earlier revision of the request', zh: '这个审批任务属于申请的旧版本，已失效' });
  if (task.approverId !== actor) return refusal('workflow.not_approver', { en: 'you are not the approver of this task', zh: '你不是这个任务的审批人' });
  if (s.status !== 'pending' || task.status !== 'pending') {
    const now = word(task.status === 'pending' ? s.status : task.status);
    return refusal('workflow.already_handled', { en: `this task was already handled (${now.en})`, zh: `这个任务已经处理过了（${now.zh}）` });
  }
  return task;
}

const isError = (x: TaskSnapshot | TransitionError): x is TransitionError => 'code' in x;

function approve(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'approve' }>): Transition {
  const task = actionableTask(s, ev.actor, ev.taskId);
  if (isError(task)) return { ok: false, error: task };
  const effects: Effect[] = [{ type: 'update_task', taskId: task.id, status: 'approved', actor: ev.actor, ...(ev.comment ? { comment: ev.comment } : {}) }];
  const tasks = s.tasks.map((t) => (t.id === task.id ? { ...t, status: 'approved' as const } : t));
  const stepTasks = tasks.filter((t) => t.stepIndex === task.stepIndex);
  const mode = s.steps.find((st) => st.index === task.stepIndex)?.mode ?? 'any';
  const open = stepTasks.filter((t) => t.status === 'pending');
  if (mode === 'all' && open.length > 0) return { ok: true, next: { ...s, tasks }, effects };
  if (open.length > 0) effects.push({ type: 'close_tasks', taskIds: open.map((t) => t.id), status: 'skipped' });
  const closed = tasks.map((t) => (open.some((o) => o.id === t.id) ? { ...t, status: 'skipped' as const } : t));
  return { ok: true, next: enterStep({ ...s, tasks: closed }, s.steps, task.stepIndex + 1, effects), effects };
}

function reject(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'reject' }>): Transition {
  const task = actionableTask(s, ev.actor, ev.taskId);
  if (isError(task)) return { ok: false, error: task };
  if (!ev.reason.trim()) return fail('workflow.reason_required', { en: 'a reason is required to reject', zh: '驳回需要填写原因' });
  const others = s.tasks.filter((t) => t.status === 'pending' && t.id !== task.id).map((t) => t.id);
  const effects: Effect[] = [{ type: 'update_task', taskId: task.id, status: 'rejected', actor: ev.actor, comment: ev.reason.trim() }];
  if (others.length) effects.push({ type: 'close_tasks', taskIds: others, status: 'cancelled' });
  effects.push({ type: 'notify', userIds: [s.requesterId], message: { kind: 'rejected', reason: ev.reason.trim() } });
  const tasks = s.tasks.map((t) => (t.id === task.id ? { ...t, status: 'rejected' as const } : others.includes(t.id) ? { ...t, status: 'cancelled' as const } : t));
  return { ok: true, next: { ...s, status: 'rejected', tasks }, effects };
}

function transfer(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'transfer' }>): Transition {
  const task = actionableTask(s, ev.actor, ev.taskId);
  if (isError(task)) return { ok: false, error: task };
  if (ev.to === ev.actor) return fail('workflow.invalid_transfer', { en: 'cannot transfer a task to yourself', zh: '不能转交给自己' });
  if (ev.to === s.requesterId) return fail('workflow.invalid_transfer', { en: 'cannot transfer a task to the requester', zh: '不能转交给申请人' });
  // Someone who holds or already approved this step can't take a second task in it (one vote each in 会签).
  const theirs = s.tasks.find((t) => t.stepIndex === task.stepIndex && t.approverId === ev.to && (t.status === 'pending' || t.status === 'approved'));
  if (theirs) return fail('workflow.invalid_transfer', theirs.status === 'pending' ? { en: 'that person already has this task', zh: '对方已经有这个审批任务' } : { en: 'that person already approved this step', zh: '对方已经同意过这一步' });
  const effects: Effect[] = [
    { type: 'update_task', taskId: task.id, status: 'transferred', actor: ev.actor, ...(ev.comment ? { comment: ev.comment } : {}) },
    { type: 'create_tasks', stepIndex: task.stepIndex, approvers: [ev.to], transferredFrom: ev.actor },
    { type: 'notify', userIds: [s.requesterId], message: { kind: 'transferred', by: ev.actor } },
  ];
  const tasks = s.tasks.map((t) => (t.id === task.id ? { ...t, status: 'transferred' as const } : t));
  return { ok: true, next: { ...s, tasks }, effects };
}

function comment(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'comment' }>): Transition {
  if (!ev.text.trim()) return fail('workflow.reason_required', { en: 'a comment needs text', zh: '评论内容不能为空' });
  if (!ev.participants.includes(ev.actor)) return fail('workflow.not_participant', { en: 'only the requester and approvers can comment', zh: '只有申请人和审批人可以评论' });
  const others = ev.participants.filter((p) => p !== ev.actor);
  return { ok: true, next: s, effects: [{ type: 'notify', userIds: others, message: { kind: 'comment', by: ev.actor, text: ev.text.trim() } }] };
}

function withdraw(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'withdraw' }>): Transition {
  if (ev.actor !== s.requesterId) return fail('workflow.not_requester', { en: 'only the requester can withdraw', zh: '只有申请人可以撤回' });
  if (s.status !== 'pending') return fail('workflow.already_handled', { en: `the request is already ${s.status}`, zh: `申请${word(s.status).zh}` });
  const open = s.tasks.filter((t) => t.status === 'pending');
  const effects: Effect[] = [];
  if (open.length) effects.push({ type: 'close_tasks', taskIds: open.map((t) => t.id), status: 'cancelled' });
  effects.push({ type: 'notify', userIds: [...new Set(open.map((t) => t.approverId))], message: { kind: 'withdrawn' } });
  const tasks = s.tasks.map((t) => (t.status === 'pending' ? { ...t, status: 'cancelled' as const } : t));
  return { ok: true, next: { ...s, status: 'withdrawn', tasks }, effects };
}

function resubmit(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'resubmit' }>): Transition {
  if (ev.actor !== s.requesterId) return fail('workflow.not_requester', { en: 'only the requester can resubmit', zh: '只有申请人可以重新提交' });
  if (s.status !== 'rejected' && s.status !== 'withdrawn') return fail('workflow.illegal_transition', { en: `cannot resubmit a ${s.status} request`, zh: `申请${word(s.status).zh}，不能重新提交` });
  const effects: Effect[] = [];
  const next = enterStep({ ...s, revision: s.revision + 1, tasks: [] }, ev.steps, 0, effects);
  return { ok: true, next, effects };
}

function remind(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'remind' }>, now: Date): Transition {
  if (ev.actor !== 'system' && ev.actor !== s.requesterId) return fail('workflow.not_requester', { en: 'only the requester can send a reminder', zh: '只有申请人可以催办' });
  if (s.status !== 'pending') return fail('workflow.already_handled', { en: `the request is already ${s.status}`, zh: `申请${word(s.status).zh}` });
  const open = s.tasks.filter((t) => t.status === 'pending');
  const last = Math.max(0, ...open.map((t) => t.remindedAt?.getTime() ?? 0));
  const wait = last + ev.cooldownMs - now.getTime();
  if (last > 0 && wait > 0) return fail('workflow.remind_cooldown', { en: `a reminder was sent recently; try again in ${Math.ceil(wait / 60000)} min`, zh: `刚刚催办过，请 ${Math.ceil(wait / 60000)} 分钟后再试` }, wait);
  const approvers = [...new Set(open.map((t) => t.approverId))];
  return { ok: true, next: s, effects: [{ type: 'remind_tasks', taskIds: open.map((t) => t.id), approvers, by: ev.actor }] };
}

function erpMove(s: RequestSnapshot, from: RequestSnapshot['erpStatus'][], to: RequestSnapshot['erpStatus']): Transition {
  if (s.status !== 'approved') return fail('workflow.illegal_transition', { en: `ERP updates need an approved request (is ${s.status})`, zh: `申请${word(s.status).zh}，不能更新 ERP 状态` });
  if (s.erpStatus === to) return fail('workflow.already_handled', { en: `ERP status is already ${to}`, zh: `ERP 状态已经是「${word(to).zh}」` });
  if (!from.includes(s.erpStatus)) return fail('workflow.illegal_transition', { en: `ERP status cannot go from ${s.erpStatus} to ${to}`, zh: `ERP 状态不能从「${word(s.erpStatus).zh}」变为「${word(to).zh}」` });
  return { ok: true, next: { ...s, erpStatus: to }, effects: [] };
}
