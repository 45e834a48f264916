import { compareMoney } from '../core/money.ts';
import { localized, type Localized } from '../i18n/catalog.ts';
import type { NotifyMessage } from '../jobs/job-kinds.ts';
import {
  type ApprovalEvent, type Effect, type ErpStatus, type RequestSnapshot, type ResolvedStep, type TaskSnapshot, type Transition,
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
    case 'erp_created': return erpMove(s, ['creating', 'failed'], 'created', { kind: 'erp_created', ...(ev.number ? { number: ev.number } : {}) });
    case 'erp_failed': return erpMove(s, ['creating'], 'failed', { kind: 'erp_failed', reason: ev.reason });
    case 'erp_retry': return erpMove(s, ['failed'], 'creating');
    case 'erp_not_required': return erpMove(s, ['creating', 'failed'], 'not_required', { kind: 'erp_not_required' });
    case 'erp_posted': return erpMove(s, ['created'], 'posted', { kind: 'erp_posted', ...(ev.postedAt ? { at: ev.postedAt } : {}), ...(ev.voucher ? { voucher: ev.voucher } : {}) });
    case 'erp_paid': return ev.partial ? partPaid(s, ev) : erpMove(s, ['created', 'posted', 'partially_paid'], 'paid', paidMessage(ev));
    case 'erp_revise': return erpRevise(s, ev);
    case 'erp_withdraw': return erpWithdraw(s, ev);
    case 'erp_origin_update': return s.originated ? { ok: true, next: s, effects: [] } : notOriginated();
  }
}

/** A refusal: `message` in English for logs and the API, `text` (from src/i18n) for the person who acted. */
const refusal = (code: TransitionErrorCode, message: string, text: Localized, retryAfterMs?: number): TransitionError =>
  (retryAfterMs === undefined ? { code, message, localized: text } : { code, message, localized: text, retryAfterMs });
const fail = (code: TransitionErrorCode, message: string, text: Localized, retryAfterMs?: number): Transition => ({ ok: false, error: refusal(code, message, text, retryAfterMs) });
/** How a status reads inside a refusal, per language. */
const word = (status: RequestSnapshot['status'] | TaskSnapshot['status'] | RequestSnapshot['erpStatus']): Localized => localized(`status.${status}`);

/**
 * Enters the first step with approvers at or after `from`; no step left means approved, and the ERP document
 * is asked for, unless the request needs none ('not_required'): then approval completes it.
 */
function enterStep(s: RequestSnapshot, steps: ResolvedStep[], from: number, effects: Effect[]): RequestSnapshot {
  const step = steps.find((st) => st.index >= from && st.approvers.length > 0);
  if (!step && s.originated) {
    // The document already exists in the ERP: approval audits it there (nothing is created).
    effects.push({ type: 'notify', userIds: [s.requesterId], message: { kind: 'approved', complete: true } }, { type: 'erp_decide', decision: 'approve' });
    return { ...s, steps, status: 'approved', currentStep: from };
  }
  if (!step && s.erpStatus === 'not_required') {
    effects.push({ type: 'notify', userIds: [s.requesterId], message: { kind: 'approved', complete: true } });
    return { ...s, steps, status: 'approved', currentStep: from };
  }
  if (!step) {
    effects.push({ type: 'notify', userIds: [s.requesterId], message: { kind: 'approved' } }, { type: 'erp_create' });
    return { ...s, steps, status: 'approved', erpStatus: 'creating', currentStep: from };
  }
  effects.push({ type: 'create_tasks', stepIndex: step.index, approvers: [...new Set(step.approvers)] });
  return { ...s, steps, status: 'pending', currentStep: step.index };
}

function submit(s: RequestSnapshot): Transition {
  if (s.status !== 'draft') return fail('workflow.illegal_transition', `cannot submit a ${s.status} request`, localized('error.cannotSubmit', { status: word(s.status) }));
  const effects: Effect[] = [];
  return { ok: true, next: enterStep(s, s.steps, 0, effects), effects };
}

/** The pending task an actor may act on, or the reason they may not. */
function actionableTask(s: RequestSnapshot, actor: string, taskId: string): TaskSnapshot | TransitionError {
  const task = s.tasks.find((t) => t.id === taskId);
  if (!task) return refusal('workflow.already_handled', 'this task belongs to an earlier revision of the request', localized('error.oldRevision'));
  if (task.approverId !== actor) return refusal('workflow.not_approver', 'you are not the approver of this task', localized('error.notApprover'));
  if (s.status !== 'pending' || task.status !== 'pending') {
    const now = task.status === 'pending' ? s.status : task.status;
    return refusal('workflow.already_handled', `this task was already handled (${now})`, localized('error.taskHandled', { status: word(now) }));
  }
  return task;
}

const isError = (x: TaskSnapshot | TransitionError): x is TransitionError => 'code' in x;

function approve(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'approve' }>): Transition {
  const task = actionableTask(s, ev.actor, ev.taskId);
  if (isError(task)) return { ok: false, error: task };
  const refused = approvalRefused(s, task, ev.actor);
  if (refused) return { ok: false, error: refused };
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
  if (!ev.reason.trim()) return fail('workflow.reason_required', 'a reason is required to reject', localized('error.reasonRequired'));
  const others = s.tasks.filter((t) => t.status === 'pending' && t.id !== task.id).map((t) => t.id);
  const effects: Effect[] = [{ type: 'update_task', taskId: task.id, status: 'rejected', actor: ev.actor, comment: ev.reason.trim() }];
  if (others.length) effects.push({ type: 'close_tasks', taskIds: others, status: 'cancelled' });
  effects.push({ type: 'notify', userIds: [s.requesterId], message: { kind: 'rejected', reason: ev.reason.trim() } });
  // An ERP-originated document goes back to its owner in the ERP (un-audit / draft) with the reason.
  if (s.originated) effects.push({ type: 'erp_decide', decision: 'reject', reason: ev.reason.trim() });
  const tasks = s.tasks.map((t) => (t.id === task.id ? { ...t, status: 'rejected' as const } : others.includes(t.id) ? { ...t, status: 'cancelled' as const } : t));
  return { ok: true, next: { ...s, status: 'rejected', tasks }, effects };
}

function transfer(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'transfer' }>): Transition {
  const task = actionableTask(s, ev.actor, ev.taskId);
  if (isError(task)) return { ok: false, error: task };
  if (ev.to === ev.actor) return fail('workflow.invalid_transfer', 'cannot transfer a task to yourself', localized('error.transferToSelf'));
  if (ev.to === s.requesterId) return fail('workflow.sod_transfer', 'cannot transfer a task to the requester: nobody approves their own request', localized('error.sodTransferRequester'));
  // Someone who holds or already approved this step can't take a second task in it (one vote each in 会签).
  const theirs = s.tasks.find((t) => t.stepIndex === task.stepIndex && t.approverId === ev.to && (t.status === 'pending' || t.status === 'approved'));
  if (theirs?.status === 'pending') return fail('workflow.invalid_transfer', 'that person already has this task', localized('error.alreadyHasTask'));
  if (theirs) return fail('workflow.invalid_transfer', 'that person already approved this step', localized('error.alreadyApprovedStep'));
  const steps = ev.steps ?? s.steps;
  const clash = s.sharedSteps ? undefined : otherStepOf(s, steps, task.stepIndex, ev.to, ev.toName ?? ev.to);
  if (clash) return { ok: false, error: clash };
  const effects: Effect[] = [
    { type: 'update_task', taskId: task.id, status: 'transferred', actor: ev.actor, ...(ev.comment ? { comment: ev.comment } : {}) },
    { type: 'create_tasks', stepIndex: task.stepIndex, approvers: [ev.to], transferredFrom: ev.actor },
    { type: 'notify', userIds: [s.requesterId], message: { kind: 'transferred', by: ev.actor } },
  ];
  const tasks = s.tasks.map((t) => (t.id === task.id ? { ...t, status: 'transferred' as const } : t));
  return { ok: true, next: { ...s, steps, tasks }, effects };
}

const stepName = (s: RequestSnapshot, steps: ResolvedStep[], index: number): Localized =>
  steps.find((st) => st.index === index)?.name ?? s.steps.find((st) => st.index === index)?.name ?? { zh: String(index + 1), en: String(index + 1) };

/**
 * Separation of duties on a transfer of a step-`stepIndex` task to `to`: refused when `to` approved or holds a task of
 * another step of this revision, or is an approver of a later step (`steps`: the route after any reassignment the
 * service worked out for `separation.transfer: reassign`, which takes `to` off those steps).
 */
function otherStepOf(s: RequestSnapshot, steps: ResolvedStep[], stepIndex: number, to: string, person: string): TransitionError | undefined {
  const acted = s.tasks.find((t) => t.stepIndex !== stepIndex && t.approverId === to && (t.status === 'approved' || t.status === 'pending'));
  if (acted) {
    const step = stepName(s, steps, acted.stepIndex);
    return refusal('workflow.sod_transfer', `${to} approved or holds another step of this request (${step.en}); nobody approves two steps`,
      localized('error.sodTransferOtherStep', { person, step }));
  }
  const later = steps.find((st) => st.index > stepIndex && st.approvers.includes(to));
  if (later) {
    return refusal('workflow.sod_transfer', `${to} approves a later step of this request (${later.name.en}); nobody approves two steps`,
      localized('error.sodTransferLaterStep', { person, step: later.name }));
  }
  return undefined;
}

/**
 * Separation of duties at the click, whatever put the task there (a route resolved before these rules, a directory
 * changed since): the requester never approves their own request, and nobody approves two steps of one revision.
 * They can still transfer the task, so the request never sticks.
 */
function approvalRefused(s: RequestSnapshot, task: TaskSnapshot, actor: string): TransitionError | undefined {
  if (actor === s.requesterId) return refusal('workflow.sod_self', 'the requester cannot approve their own request', localized('error.sodSelf'));
  if (s.sharedSteps) return undefined;
  const other = s.tasks.find((t) => t.stepIndex !== task.stepIndex && t.approverId === actor && t.status === 'approved');
  if (!other) return undefined;
  const step = stepName(s, s.steps, other.stepIndex);
  return refusal('workflow.sod_two_steps', `${actor} already approved another step of this request (${step.en})`, localized('error.sodTwoSteps', { step }));
}

function comment(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'comment' }>): Transition {
  if (!ev.text.trim()) return fail('workflow.reason_required', 'a comment needs text', localized('error.commentEmpty'));
  if (!ev.participants.includes(ev.actor)) return fail('workflow.not_participant', 'only the requester and approvers can comment', localized('error.notParticipant'));
  const others = ev.participants.filter((p) => p !== ev.actor);
  return { ok: true, next: s, effects: [{ type: 'notify', userIds: others, message: { kind: 'comment', by: ev.actor, text: ev.text.trim() } }] };
}

function withdraw(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'withdraw' }>): Transition {
  if (s.originated) return erpOwned();
  if (ev.actor !== s.requesterId) return fail('workflow.not_requester', 'only the requester can withdraw', localized('error.withdrawNotRequester'));
  if (s.status !== 'pending') return fail('workflow.already_handled', `the request is already ${s.status}`, localized('error.requestAlready', { status: word(s.status) }));
  const open = s.tasks.filter((t) => t.status === 'pending');
  const effects: Effect[] = [];
  if (open.length) effects.push({ type: 'close_tasks', taskIds: open.map((t) => t.id), status: 'cancelled' });
  effects.push({ type: 'notify', userIds: [...new Set(open.map((t) => t.approverId))], message: { kind: 'withdrawn' } });
  const tasks = s.tasks.map((t) => (t.status === 'pending' ? { ...t, status: 'cancelled' as const } : t));
  return { ok: true, next: { ...s, status: 'withdrawn', tasks }, effects };
}

function resubmit(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'resubmit' }>): Transition {
  if (s.originated) return erpOwned();
  if (ev.actor !== s.requesterId) return fail('workflow.not_requester', 'only the requester can resubmit', localized('error.resubmitNotRequester'));
  if (s.status !== 'rejected' && s.status !== 'withdrawn') return fail('workflow.illegal_transition', `cannot resubmit a ${s.status} request`, localized('error.cannotResubmit', { status: word(s.status) }));
  const effects: Effect[] = [];
  const erpStatus: ErpStatus = ev.erpRequired === undefined ? s.erpStatus : ev.erpRequired ? 'none' : 'not_required';
  const next = enterStep({ ...s, revision: s.revision + 1, tasks: [], erpStatus }, ev.steps, 0, effects);
  return { ok: true, next, effects };
}

function remind(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'remind' }>, now: Date): Transition {
  if (ev.actor !== 'system' && ev.actor !== s.requesterId) return fail('workflow.not_requester', 'only the requester can send a reminder', localized('error.remindNotRequester'));
  if (s.status !== 'pending') return fail('workflow.already_handled', `the request is already ${s.status}`, localized('error.requestAlready', { status: word(s.status) }));
  const open = s.tasks.filter((t) => t.status === 'pending');
  const last = Math.max(0, ...open.map((t) => t.remindedAt?.getTime() ?? 0));
  const wait = last + ev.cooldownMs - now.getTime();
  const minutes = Math.ceil(wait / 60000);
  if (last > 0 && wait > 0) return fail('workflow.remind_cooldown', `a reminder was sent recently; try again in ${minutes} min`, localized('error.remindCooldown', { minutes }), wait);
  const approvers = [...new Set(open.map((t) => t.approverId))];
  return { ok: true, next: s, effects: [{ type: 'remind_tasks', taskIds: open.map((t) => t.id), approvers, by: ev.actor }] };
}

/**
 * How far along an ERP document is: a report of a stage the request is already at or past (a repeat, a
 * late poll, a failure reported after the document was made) is already handled, so it notifies nobody twice.
 */
const STAGE: Partial<Record<ErpStatus, number>> = { creating: 1, failed: 1, created: 2, posted: 3, partially_paid: 4, paid: 5 };

/** An ERP move, with the requester's notification of it (none for a retry: its outcome is what they hear of). */
function erpMove(s: RequestSnapshot, from: ErpStatus[], to: ErpStatus, message?: NotifyMessage): Transition {
  if (s.status !== 'approved') return fail('workflow.illegal_transition', `ERP updates need an approved request (is ${s.status})`, localized('error.erpNeedsApproved', { status: word(s.status) }));
  if (s.erpStatus === to) return fail('workflow.already_handled', `ERP status is already ${to}`, localized('error.erpAlready', { status: word(to) }));
  if (!from.includes(s.erpStatus)) {
    const at = STAGE[s.erpStatus];
    const target = STAGE[to];
    if (at !== undefined && target !== undefined && at >= target) return fail('workflow.already_handled', `ERP status is already ${s.erpStatus}`, localized('error.erpAlready', { status: word(s.erpStatus) }));
    return fail('workflow.illegal_transition', `ERP status cannot go from ${s.erpStatus} to ${to}`, localized('error.erpCannotMove', { from: word(s.erpStatus), to: word(to) }));
  }
  const effects: Effect[] = message ? [{ type: 'notify', userIds: [s.requesterId], message }] : [];
  return { ok: true, next: { ...s, erpStatus: to }, effects };
}

/**
 * A part payment: from created or posted; while partly paid, only a larger paid amount than the one recorded
 * is news (a second instalment). The same amount again is a repeat and notifies nobody.
 */
function partPaid(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'erp_paid' }>): Transition {
  if (s.status === 'approved' && s.erpStatus === 'partially_paid' && ev.amount && (!s.erpPaid || compareMoney(ev.amount, s.erpPaid) > 0)) {
    return { ok: true, next: { ...s, erpPaid: ev.amount }, effects: [{ type: 'notify', userIds: [s.requesterId], message: paidMessage(ev) }] };
  }
  const t = erpMove(s, ['created', 'posted'], 'partially_paid', paidMessage(ev));
  return t.ok && ev.amount ? { ...t, next: { ...t.next, erpPaid: ev.amount } } : t;
}

function paidMessage(ev: Extract<ApprovalEvent, { type: 'erp_paid' }>): NotifyMessage {
  return {
    kind: 'erp_paid', ...(ev.partial ? { partial: true } : {}), ...(ev.amount ? { amount: ev.amount } : {}), ...(ev.currency ? { currency: ev.currency } : {}),
    ...(ev.paidAt ? { at: ev.paidAt } : {}), ...(ev.bankRef ? { bankRef: ev.bankRef } : {}),
  };
}

/** Withdrawing or resubmitting a document made in the ERP happens in the ERP (the chat follows it). */
const erpOwned = (): Transition => fail('workflow.erp_owned', 'this document belongs to the ERP: withdraw or edit it there', localized('error.erpOwned'));
const notOriginated = (): Transition => fail('workflow.illegal_transition', 'the request was not made in the ERP', localized('error.notErpOriginated'));

/**
 * The ERP document was resubmitted (after a rejection or a pull-back) or changed while waiting: a new revision
 * starts the route from the first step. Open tasks of the old revision are cancelled (their cards show it was
 * superseded) and their holders told.
 */
function erpRevise(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'erp_revise' }>): Transition {
  if (!s.originated) return notOriginated();
  if (s.status === 'draft') return fail('workflow.illegal_transition', 'cannot revise a draft', localized('error.cannotResubmit', { status: word(s.status) }));
  const open = s.tasks.filter((t) => t.status === 'pending');
  const effects: Effect[] = [];
  if (open.length) effects.push({ type: 'close_tasks', taskIds: open.map((t) => t.id), status: 'cancelled' });
  const next = enterStep({ ...s, revision: s.revision + 1, tasks: [] }, ev.steps, 0, effects);
  return { ok: true, next, effects };
}

/** The document left the approval on the ERP side: the chat request is withdrawn, its approvers and owner told why. */
function erpWithdraw(s: RequestSnapshot, ev: Extract<ApprovalEvent, { type: 'erp_withdraw' }>): Transition {
  if (!s.originated) return notOriginated();
  if (s.status !== 'pending') return fail('workflow.already_handled', `the request is already ${s.status}`, localized('error.requestAlready', { status: word(s.status) }));
  const open = s.tasks.filter((t) => t.status === 'pending');
  const effects: Effect[] = [];
  if (open.length) effects.push({ type: 'close_tasks', taskIds: open.map((t) => t.id), status: 'cancelled' });
  effects.push({ type: 'notify', userIds: [...new Set([s.requesterId, ...open.map((t) => t.approverId)])], message: { kind: 'erp_closed', why: ev.why } });
  const tasks = s.tasks.map((t) => (t.status === 'pending' ? { ...t, status: 'cancelled' as const } : t));
  return { ok: true, next: { ...s, status: 'withdrawn', tasks }, effects };
}
