import { describe, expect, it } from 'vitest';
import { transition } from '../../../src/workflow/approval-machine.ts';
import type { ApprovalEvent, RequestSnapshot, ResolvedStep, TaskSnapshot } from '../../../src/workflow/approval-states.ts';

/** Requests that approve a document made in the ERP: the decision goes back to it, and the ERP side drives revisions. */
const now = new Date('2026-12-01T02:00:00Z');
const name = { zh: '步骤', en: 'step' };
const step = (index: number, approvers: string[]): ResolvedStep => ({ index, name, mode: 'any', approvers });
const task = (id: string, stepIndex: number, approverId: string, status: TaskSnapshot['status'] = 'pending'): TaskSnapshot =>
  ({ id, stepIndex, approverId, status, remindedAt: null, createdAt: now });
const pending = (o: Partial<RequestSnapshot> = {}): RequestSnapshot => ({
  status: 'pending', erpStatus: 'not_required', currentStep: 0, revision: 1, requesterId: 'owner', steps: [step(0, ['boss']), step(1, ['cfo'])],
  tasks: [task('t1', 0, 'boss')], originated: true, ...o,
});

describe('ERP-originated requests in the machine', () => {
  it('the last approval audits the document in the ERP instead of creating one', () => {
    const s = pending({ currentStep: 1, tasks: [task('t1', 0, 'boss', 'approved'), task('t2', 1, 'cfo')] });
    const t = transition(s, { type: 'approve', actor: 'cfo', taskId: 't2' }, now);
    expect(t.ok && t.next.status).toBe('approved');
    expect(t.ok && t.next.erpStatus).toBe('not_required');
    expect(t.ok && t.effects.filter((e) => e.type === 'erp_decide' || e.type === 'erp_create')).toEqual([{ type: 'erp_decide', decision: 'approve' }]);
  });

  it('a rejection sends the reason back to the document', () => {
    const t = transition(pending(), { type: 'reject', actor: 'boss', taskId: 't1', reason: ' wrong model ' }, now);
    expect(t.ok && t.effects.find((e) => e.type === 'erp_decide')).toEqual({ type: 'erp_decide', decision: 'reject', reason: 'wrong model' });
  });

  it('a chat request that began in chat never sends a decision back', () => {
    const t = transition(pending({ originated: false, erpStatus: 'none' }), { type: 'reject', actor: 'boss', taskId: 't1', reason: 'no' }, now);
    expect(t.ok && t.effects.some((e) => e.type === 'erp_decide')).toBe(false);
  });

  it('the requester cannot withdraw or resubmit in chat: that happens in the ERP', () => {
    for (const ev of [{ type: 'withdraw', actor: 'owner' }, { type: 'resubmit', actor: 'owner', steps: [step(0, ['boss'])] }] as ApprovalEvent[]) {
      const t = transition(ev.type === 'resubmit' ? pending({ status: 'rejected', tasks: [] }) : pending(), ev, now);
      expect(t.ok ? null : t.error.code).toBe('workflow.erp_owned');
    }
  });

  it('a revision from the ERP cancels open tasks and starts the route again, from pending, rejected or withdrawn', () => {
    for (const status of ['pending', 'rejected', 'withdrawn'] as const) {
      const tasks = status === 'pending' ? [task('t1', 0, 'boss')] : [task('t1', 0, 'boss', 'rejected')];
      const t = transition(pending({ status, tasks }), { type: 'erp_revise', steps: [step(0, ['boss2'])] }, now);
      expect(t.ok).toBe(true);
      if (!t.ok) continue;
      expect(t.next).toMatchObject({ status: 'pending', revision: 2, currentStep: 0 });
      expect(t.effects.find((e) => e.type === 'create_tasks')).toMatchObject({ approvers: ['boss2'] });
      expect(t.effects.some((e) => e.type === 'close_tasks')).toBe(status === 'pending');
    }
    const draft = transition(pending({ status: 'draft', tasks: [] }), { type: 'erp_revise', steps: [step(0, ['b'])] }, now);
    expect(draft.ok).toBe(false);
  });

  it('closed from the ERP side: pending → withdrawn, approvers and owner told why; anything else is already handled', () => {
    const t = transition(pending(), { type: 'erp_withdraw', why: 'deleted' }, now);
    expect(t.ok && t.next.status).toBe('withdrawn');
    expect(t.ok && t.effects).toEqual([
      { type: 'close_tasks', taskIds: ['t1'], status: 'cancelled' },
      { type: 'notify', userIds: ['owner', 'boss'], message: { kind: 'erp_closed', why: 'deleted' } },
    ]);
    const again = transition(pending({ status: 'withdrawn', tasks: [] }), { type: 'erp_withdraw', why: 'deleted' }, now);
    expect(again.ok ? null : again.error.code).toBe('workflow.already_handled');
  });

  it('ERP-side events are refused for a request that began in chat', () => {
    for (const ev of [{ type: 'erp_revise', steps: [] }, { type: 'erp_withdraw', why: 'draft' }, { type: 'erp_origin_update' }] as ApprovalEvent[]) {
      const t = transition(pending({ originated: false }), ev, now);
      expect(t.ok ? null : t.error.code).toBe('workflow.illegal_transition');
    }
  });
});
