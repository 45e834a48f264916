import { describe, expect, it } from 'vitest';
import { transition } from '../../../src/workflow/approval-machine.ts';
import type { ApprovalEvent, Effect, RequestSnapshot, ResolvedStep, TaskSnapshot } from '../../../src/workflow/approval-states.ts';

const now = new Date('2026-11-23T02:00:00Z');
const name = { zh: '步骤', en: 'step' };
const step = (index: number, approvers: string[], mode: 'any' | 'all' = 'any'): ResolvedStep => ({ index, name, mode, approvers });
const task = (id: string, stepIndex: number, approverId: string, status: TaskSnapshot['status'] = 'pending', remindedAt: Date | null = null): TaskSnapshot =>
  ({ id, stepIndex, approverId, status, remindedAt, createdAt: now });
const snap = (o: Partial<RequestSnapshot> = {}): RequestSnapshot => ({
  status: 'pending', erpStatus: 'none', currentStep: 0, revision: 1, requesterId: 'zs', steps: [step(0, ['ls']), step(1, ['ww'])], tasks: [task('t1', 0, 'ls')], ...o,
});

type Row = [string, RequestSnapshot, ApprovalEvent, Partial<RequestSnapshot> | string, Effect['type'][]?];

const rows: Row[] = [
  ['submit enters the first step', snap({ status: 'draft', tasks: [] }), { type: 'submit' }, { status: 'pending', currentStep: 0 }, ['create_tasks']],
  ['submit with no approvers anywhere approves at once', snap({ status: 'draft', tasks: [], steps: [step(0, [])] }), { type: 'submit' }, { status: 'approved', erpStatus: 'creating' }, ['notify', 'erp_create']],
  ['submit skips a step whose only approver was the requester', snap({ status: 'draft', tasks: [], steps: [step(0, []), step(1, ['ww'])] }), { type: 'submit' }, { status: 'pending', currentStep: 1 }, ['create_tasks']],
  ['submit twice is illegal', snap(), { type: 'submit' }, 'workflow.illegal_transition'],
  ['approve moves to the next step', snap(), { type: 'approve', actor: 'ls', taskId: 't1' }, { status: 'pending', currentStep: 1 }, ['update_task', 'create_tasks']],
  ['approve on the last step approves and asks for the ERP document', snap({ currentStep: 1, tasks: [task('t1', 0, 'ls', 'approved'), task('t2', 1, 'ww')] }), { type: 'approve', actor: 'ww', taskId: 't2' }, { status: 'approved', erpStatus: 'creating' }, ['update_task', 'notify', 'erp_create']],
  ['any-of: one approval closes the others', snap({ steps: [step(0, ['ls', 'ad'])], tasks: [task('t1', 0, 'ls'), task('t3', 0, 'ad')] }), { type: 'approve', actor: 'ad', taskId: 't3' }, { status: 'approved' }, ['update_task', 'close_tasks', 'notify', 'erp_create']],
  ['all-of: the first approval waits for the others', snap({ steps: [step(0, ['ls', 'ad'], 'all')], tasks: [task('t1', 0, 'ls'), task('t3', 0, 'ad')] }), { type: 'approve', actor: 'ls', taskId: 't1' }, { status: 'pending', currentStep: 0 }, ['update_task']],
  ['all-of: the last approval completes the step', snap({ steps: [step(0, ['ls', 'ad'], 'all')], tasks: [task('t1', 0, 'ls', 'approved'), task('t3', 0, 'ad')] }), { type: 'approve', actor: 'ad', taskId: 't3' }, { status: 'approved' }, ['update_task', 'notify', 'erp_create']],
  ['approve by someone else is refused', snap(), { type: 'approve', actor: 'ww', taskId: 't1' }, 'workflow.not_approver'],
  ['approve twice is already handled', snap({ tasks: [task('t1', 0, 'ls', 'approved'), task('t2', 1, 'ww')], currentStep: 1 }), { type: 'approve', actor: 'ls', taskId: 't1' }, 'workflow.already_handled'],
  ['approve a task of an old revision is already handled', snap(), { type: 'approve', actor: 'ls', taskId: 'old' }, 'workflow.already_handled'],
  ['approve after withdrawal is already handled', snap({ status: 'withdrawn', tasks: [task('t1', 0, 'ls', 'cancelled')] }), { type: 'approve', actor: 'ls', taskId: 't1' }, 'workflow.already_handled'],
  ['reject needs a reason', snap(), { type: 'reject', actor: 'ls', taskId: 't1', reason: '  ' }, 'workflow.reason_required'],
  ['reject ends the request and cancels sibling tasks', snap({ steps: [step(0, ['ls', 'ad'], 'all')], tasks: [task('t1', 0, 'ls'), task('t3', 0, 'ad')] }), { type: 'reject', actor: 'ls', taskId: 't1', reason: '缺发票' }, { status: 'rejected' }, ['update_task', 'close_tasks', 'notify']],
  ['reject by a non-approver is refused', snap(), { type: 'reject', actor: 'zs', taskId: 't1', reason: 'no' }, 'workflow.not_approver'],
  ['transfer hands the task over', snap(), { type: 'transfer', actor: 'ls', taskId: 't1', to: 'ad' }, { status: 'pending', currentStep: 0 }, ['update_task', 'create_tasks', 'notify']],
  ['transfer to yourself is refused', snap(), { type: 'transfer', actor: 'ls', taskId: 't1', to: 'ls' }, 'workflow.invalid_transfer'],
  ['transfer to the requester is refused (separation of duties)', snap(), { type: 'transfer', actor: 'ls', taskId: 't1', to: 'zs' }, 'workflow.sod_transfer'],
  ['all-of: transfer to someone who still has the step is refused', snap({ steps: [step(0, ['ls', 'ww'], 'all')], tasks: [task('t1', 0, 'ls'), task('t2', 0, 'ww')] }), { type: 'transfer', actor: 'ls', taskId: 't1', to: 'ww' }, 'workflow.invalid_transfer'],
  ['all-of: transfer to someone who already approved the step is refused (one vote each)', snap({ steps: [step(0, ['ls', 'ww'], 'all')], tasks: [task('t1', 0, 'ls'), task('t2', 0, 'ww', 'approved')] }), { type: 'transfer', actor: 'ls', taskId: 't1', to: 'ww' }, 'workflow.invalid_transfer'],
  ['transfer back to someone who transferred it away is allowed', snap({ tasks: [task('t0', 0, 'ad', 'transferred'), task('t1', 0, 'ls')] }), { type: 'transfer', actor: 'ls', taskId: 't1', to: 'ad' }, { status: 'pending' }, ['update_task', 'create_tasks', 'notify']],
  ['comment by a participant notifies the others', snap(), { type: 'comment', actor: 'zs', text: '请尽快', participants: ['zs', 'ls'] }, { status: 'pending' }, ['notify']],
  ['comment by an outsider is refused', snap(), { type: 'comment', actor: 'xx', text: 'hi', participants: ['zs', 'ls'] }, 'workflow.not_participant'],
  ['withdraw by the requester cancels open tasks', snap(), { type: 'withdraw', actor: 'zs' }, { status: 'withdrawn' }, ['close_tasks', 'notify']],
  ['withdraw by an approver is refused', snap(), { type: 'withdraw', actor: 'ls' }, 'workflow.not_requester'],
  ['withdraw after approval is already handled', snap({ status: 'approved', tasks: [] }), { type: 'withdraw', actor: 'zs' }, 'workflow.already_handled'],
  ['resubmit after rejection starts revision 2 at step 0', snap({ status: 'rejected', tasks: [task('t1', 0, 'ls', 'rejected')] }), { type: 'resubmit', actor: 'zs', steps: [step(0, ['ls'])] }, { status: 'pending', revision: 2, currentStep: 0, tasks: [] }, ['create_tasks']],
  ['resubmit while pending is illegal', snap(), { type: 'resubmit', actor: 'zs', steps: [step(0, ['ls'])] }, 'workflow.illegal_transition'],
  ['resubmit by someone else is refused', snap({ status: 'rejected' }), { type: 'resubmit', actor: 'ls', steps: [] }, 'workflow.not_requester'],
  ['remind notifies pending approvers', snap(), { type: 'remind', actor: 'zs', cooldownMs: 1_800_000 }, { status: 'pending' }, ['remind_tasks']],
  ['remind within the cooldown is refused', snap({ tasks: [task('t1', 0, 'ls', 'pending', new Date(now.getTime() - 60_000))] }), { type: 'remind', actor: 'zs', cooldownMs: 1_800_000 }, 'workflow.remind_cooldown'],
  ['remind after the cooldown works', snap({ tasks: [task('t1', 0, 'ls', 'pending', new Date(now.getTime() - 3_600_000))] }), { type: 'remind', actor: 'zs', cooldownMs: 1_800_000 }, { status: 'pending' }, ['remind_tasks']],
  ['remind by an approver is refused', snap(), { type: 'remind', actor: 'ls', cooldownMs: 0 }, 'workflow.not_requester'],
  ['the SLA timer may remind', snap(), { type: 'remind', actor: 'system', cooldownMs: 0 }, { status: 'pending' }, ['remind_tasks']],
  // ERP moves: approval-machine-erp.test.ts.
];

describe('transition()', () => {
  it.each(rows)('%s', (_name, s, ev, expected, effects) => {
    const t = transition(s, ev, now);
    if (typeof expected === 'string') {
      expect(t.ok).toBe(false);
      if (!t.ok) {
        expect(t.error.code).toBe(expected);
        // Every refusal reaches chat: a Chinese sentence and an English one, never the English in both.
        expect(t.error.localized.zh).toMatch(/[\u4e00-\u9fff]/);
        expect(t.error.localized.en).toMatch(/^[A-Z][^\u4e00-\u9fff]*$/);
      }
      return;
    }
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    expect(t.next).toMatchObject(expected);
    expect(t.effects.map((e) => e.type)).toEqual(effects ?? []);
  });

  it('a reminder says who sent it: the requester, or the SLA timer (system)', () => {
    for (const actor of ['zs', 'system']) {
      const t = transition(snap(), { type: 'remind', actor, cooldownMs: 0 }, now);
      expect(t.ok && t.effects).toEqual([{ type: 'remind_tasks', taskIds: ['t1'], approvers: ['ls'], by: actor }]);
    }
  });

  it('never mutates its input', () => {
    const s = snap();
    const copy = structuredClone(s);
    transition(s, { type: 'approve', actor: 'ls', taskId: 't1' }, now);
    expect(s).toEqual(copy);
  });
});
