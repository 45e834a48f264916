import { describe, expect, it } from 'vitest';
import { transition } from '../../../src/workflow/approval-machine.ts';
import type { ApprovalEvent, ErpStatus, RequestSnapshot, ResolvedStep, TaskSnapshot } from '../../../src/workflow/approval-states.ts';

const now = new Date('2026-11-23T02:00:00Z');
const name = { zh: '步骤', en: 'step' };
const step = (index: number, approvers: string[]): ResolvedStep => ({ index, name, mode: 'any', approvers });
const task = (id: string, stepIndex: number, approverId: string, status: TaskSnapshot['status'] = 'pending'): TaskSnapshot =>
  ({ id, stepIndex, approverId, status, remindedAt: null, createdAt: now });
const approved = (erpStatus: ErpStatus, o: Partial<RequestSnapshot> = {}): RequestSnapshot => ({
  status: 'approved', erpStatus, currentStep: 1, revision: 1, requesterId: 'zs', steps: [step(0, ['ls'])], tasks: [task('t1', 0, 'ls', 'approved')], ...o,
});
const lastStep = (erpStatus: ErpStatus): RequestSnapshot => ({
  status: 'pending', erpStatus, currentStep: 0, revision: 1, requesterId: 'zs', steps: [step(0, ['ls'])], tasks: [task('t1', 0, 'ls')],
});

const paid: ApprovalEvent = { type: 'erp_paid', amount: '3560.00', currency: 'CNY', paidAt: '2026-11-24T04:30:00.000Z', bankRef: 'ICBC-1' };
const part = (amount: string): ApprovalEvent => ({ type: 'erp_paid', partial: true, amount, paidAt: '2026-11-24T04:30:00.000Z' });

/** [what, from, event, to, what the requester is told (undefined: nobody)] */
type Move = [string, ErpStatus, ApprovalEvent, ErpStatus, Record<string, unknown> | undefined];
const moves: Move[] = [
  ['created, with the ERP number', 'creating', { type: 'erp_created', number: 'SBX-000001' }, 'created', { kind: 'erp_created', number: 'SBX-000001' }],
  ['created without a number yet', 'creating', { type: 'erp_created' }, 'created', { kind: 'erp_created' }],
  ['created by a replay after a failure', 'failed', { type: 'erp_created', number: 'INV-7' }, 'created', { kind: 'erp_created', number: 'INV-7' }],
  ['failed with the ERP\'s own message', 'creating', { type: 'erp_failed', reason: 'party "Nobody" does not exist', code: 'erp.validation' }, 'failed', { kind: 'erp_failed', reason: 'party "Nobody" does not exist' }],
  ['replayed: failed goes back to creating, nobody told yet', 'failed', { type: 'erp_retry' }, 'creating', undefined],
  ['no ERP mapping: creating completes', 'creating', { type: 'erp_not_required' }, 'not_required', { kind: 'erp_not_required' }],
  ['no ERP mapping: a failed one completes', 'failed', { type: 'erp_not_required' }, 'not_required', { kind: 'erp_not_required' }],
  ['posted with time and voucher', 'created', { type: 'erp_posted', postedAt: '2026-11-24T04:00:00.000Z', voucher: 'MOVE-12' }, 'posted', { kind: 'erp_posted', at: '2026-11-24T04:00:00.000Z', voucher: 'MOVE-12' }],
  ['paid after posted', 'posted', paid, 'paid', { kind: 'erp_paid', amount: '3560.00', currency: 'CNY', at: '2026-11-24T04:30:00.000Z', bankRef: 'ICBC-1' }],
  ['paid without a separate posting', 'created', paid, 'paid', { kind: 'erp_paid', amount: '3560.00', currency: 'CNY', at: '2026-11-24T04:30:00.000Z', bankRef: 'ICBC-1' }],
  ['paid in full after a part payment', 'partially_paid', paid, 'paid', { kind: 'erp_paid', amount: '3560.00', currency: 'CNY', at: '2026-11-24T04:30:00.000Z', bankRef: 'ICBC-1' }],
  ['partly paid after posted', 'posted', part('1000.00'), 'partially_paid', { kind: 'erp_paid', partial: true, amount: '1000.00', at: '2026-11-24T04:30:00.000Z' }],
  ['partly paid straight from created', 'created', part('1000.00'), 'partially_paid', { kind: 'erp_paid', partial: true, amount: '1000.00', at: '2026-11-24T04:30:00.000Z' }],
];

/** [what, from, event, refusal] */
type Refusal = [string, ErpStatus, ApprovalEvent, 'workflow.already_handled' | 'workflow.illegal_transition'];
const refusals: Refusal[] = [
  ['created twice', 'created', { type: 'erp_created' }, 'workflow.already_handled'],
  ['created reported after the posting', 'posted', { type: 'erp_created' }, 'workflow.already_handled'],
  ['posted twice', 'posted', { type: 'erp_posted' }, 'workflow.already_handled'],
  ['a late "posted" after the payment', 'paid', { type: 'erp_posted' }, 'workflow.already_handled'],
  ['a late "posted" after a part payment', 'partially_paid', { type: 'erp_posted' }, 'workflow.already_handled'],
  ['paid twice', 'paid', paid, 'workflow.already_handled'],
  ['a part payment after the full one', 'paid', part('10.00'), 'workflow.already_handled'],
  ['failed twice', 'failed', { type: 'erp_failed', reason: 'x' }, 'workflow.already_handled'],
  ['a failure reported after the document was made', 'created', { type: 'erp_failed', reason: 'x' }, 'workflow.already_handled'],
  ['a retry that finds the document made', 'created', { type: 'erp_retry' }, 'workflow.already_handled'],
  ['a retry while creating', 'creating', { type: 'erp_retry' }, 'workflow.already_handled'],
  ['not required twice', 'not_required', { type: 'erp_not_required' }, 'workflow.already_handled'],
  ['posted before created', 'creating', { type: 'erp_posted' }, 'workflow.illegal_transition'],
  ['paid before created', 'creating', paid, 'workflow.illegal_transition'],
  ['not required once a document exists', 'created', { type: 'erp_not_required' }, 'workflow.illegal_transition'],
  ['a document for a request that needs none', 'not_required', { type: 'erp_created' }, 'workflow.illegal_transition'],
  ['a retry of a request that never failed', 'none', { type: 'erp_retry' }, 'workflow.illegal_transition'],
];

describe('ERP moves of an approved request', () => {
  it.each(moves)('%s', (_what, from, ev, to, told) => {
    const t = transition(approved(from), ev, now);
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    expect(t.next.erpStatus).toBe(to);
    expect(t.next.status).toBe('approved');
    expect(t.effects).toEqual(told ? [{ type: 'notify', userIds: ['zs'], message: told }] : []);
  });

  it.each(refusals)('refused: %s', (_what, from, ev, code) => {
    const t = transition(approved(from), ev, now);
    expect(t.ok).toBe(false);
    if (t.ok) return;
    expect(t.error.code).toBe(code);
    expect(t.error.localized.zh).toMatch(/[\u4e00-\u9fff]/);
    expect(t.error.localized.en).toMatch(/^[A-Z][^\u4e00-\u9fff]*$/);
  });

  it('ERP events on a request that is not approved are illegal', () => {
    const t = transition(lastStep('none'), { type: 'erp_created' }, now);
    expect(!t.ok && t.error.code).toBe('workflow.illegal_transition');
  });

  it('a second instalment is news only when the paid amount grew', () => {
    const first = transition(approved('posted'), part('1000.00'), now);
    expect(first.ok && first.next).toMatchObject({ erpStatus: 'partially_paid', erpPaid: '1000.00' });
    if (!first.ok) return;
    const again = transition(first.next, part('1000.00'), now);
    expect(!again.ok && again.error.code).toBe('workflow.already_handled');
    const less = transition(first.next, part('999.99'), now);
    expect(!less.ok && less.error.code).toBe('workflow.already_handled');
    const noAmount = transition(first.next, { type: 'erp_paid', partial: true }, now);
    expect(!noAmount.ok && noAmount.error.code).toBe('workflow.already_handled');
    const second = transition(first.next, part('2500.00'), now);
    expect(second.ok && second.next).toMatchObject({ erpStatus: 'partially_paid', erpPaid: '2500.00' });
    expect(second.ok && second.effects).toEqual([{ type: 'notify', userIds: ['zs'], message: { kind: 'erp_paid', partial: true, amount: '2500.00', at: '2026-11-24T04:30:00.000Z' } }]);
  });
});

describe('final approval and the ERP', () => {
  it('a request that needs an ERP document asks for it', () => {
    const t = transition(lastStep('none'), { type: 'approve', actor: 'ls', taskId: 't1' }, now);
    expect(t.ok && t.next).toMatchObject({ status: 'approved', erpStatus: 'creating' });
    expect(t.ok && t.effects.filter((e) => e.type !== 'update_task')).toEqual([{ type: 'notify', userIds: ['zs'], message: { kind: 'approved' } }, { type: 'erp_create' }]);
  });

  it('a request whose intent has no ERP mapping is complete at approval: no erp_create', () => {
    const t = transition(lastStep('not_required'), { type: 'approve', actor: 'ls', taskId: 't1' }, now);
    expect(t.ok && t.next).toMatchObject({ status: 'approved', erpStatus: 'not_required' });
    expect(t.ok && t.effects.filter((e) => e.type !== 'update_task')).toEqual([{ type: 'notify', userIds: ['zs'], message: { kind: 'approved', complete: true } }]);
  });

  it('submit with no approver anywhere completes at once when no ERP document is needed', () => {
    const t = transition({ ...lastStep('not_required'), status: 'draft', steps: [step(0, [])], tasks: [] }, { type: 'submit' }, now);
    expect(t.ok && t.next).toMatchObject({ status: 'approved', erpStatus: 'not_required' });
    expect(t.ok && t.effects.map((e) => e.type)).toEqual(['notify']);
  });

  it('resubmit follows the intent as resubmitted: its ERP mapping decides', () => {
    const rejected: RequestSnapshot = { ...lastStep('none'), status: 'rejected', tasks: [task('t1', 0, 'ls', 'rejected')] };
    const resubmit = (erpRequired?: boolean): ApprovalEvent => ({ type: 'resubmit', actor: 'zs', steps: [step(0, [])], ...(erpRequired === undefined ? {} : { erpRequired }) });
    const without = transition(rejected, resubmit(false), now);
    expect(without.ok && [without.next.erpStatus, without.effects.map((e) => e.type)]).toEqual(['not_required', ['notify']]);
    const withErp = transition({ ...rejected, erpStatus: 'not_required' }, resubmit(true), now);
    expect(withErp.ok && [withErp.next.erpStatus, withErp.effects.map((e) => e.type)]).toEqual(['creating', ['notify', 'erp_create']]);
    const kept = transition({ ...rejected, erpStatus: 'not_required' }, resubmit(), now);
    expect(kept.ok && kept.next.erpStatus).toBe('not_required');
  });
});
