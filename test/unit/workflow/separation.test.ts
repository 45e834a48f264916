import { describe, expect, it } from 'vitest';
import { intentSchema, type IntentDefinition } from '../../../src/config/intent-schema.ts';
import type { DirectoryView } from '../../../src/directory/directory-view.ts';
import { transition } from '../../../src/workflow/approval-machine.ts';
import type { RequestSnapshot, ResolvedStep, TaskSnapshot } from '../../../src/workflow/approval-states.ts';
import { resolveRoute } from '../../../src/workflow/route-resolver.ts';
import { reassignLaterSteps } from '../../../src/workflow/separation.ts';

type Person = { id: string; departmentId: string | null; managerId: string | null; roles: string[] };
/** zs → ls → ad; ww and zl are finance (manager ad); fz is finance under fm, who reports to ad; cfo is nobody's step. */
const PEOPLE: Person[] = [
  { id: 'zs', departmentId: 'sales', managerId: 'ls', roles: [] },
  { id: 'ls', departmentId: 'sales', managerId: 'ad', roles: ['manager'] },
  { id: 'ww', departmentId: 'finance', managerId: 'ad', roles: ['finance'] },
  { id: 'zl', departmentId: 'finance', managerId: 'ad', roles: ['finance'] },
  { id: 'ad', departmentId: 'hq', managerId: null, roles: ['admin'] },
  { id: 'cfo', departmentId: 'hq', managerId: null, roles: [] },
];
const depts: Record<string, { leaderIds: string[]; parentId: string | null }> = {
  hq: { leaderIds: ['ad'], parentId: null }, sales: { leaderIds: ['ls'], parentId: 'hq' }, finance: { leaderIds: ['ww'], parentId: 'hq' },
};
const directory = (people: Person[]): DirectoryView => ({
  user: (id) => people.find((p) => p.id === id), department: (id) => depts[id],
  usersWithRole: (r) => people.filter((p) => p.roles.includes(r)).map((p) => p.id),
});
const dir = directory(PEOPLE);
/** The finance department with one member (ww). */
const lone = directory(PEOPLE.filter((p) => p.id !== 'zl'));
const name = (en: string) => ({ zh: en, en });
const MANAGER = { name: name('Manager'), approvers: { rule: 'manager' } };
const FINANCE = { name: name('Finance'), approvers: { rule: 'role', role: 'finance' } };
const intent = (steps: unknown[], separation?: unknown): IntentDefinition => intentSchema.parse({
  key: 't', prefix: 'TT', name: name('t'), description: name('t'), examples: { zh: [], en: [] }, route: { steps }, ...(separation ? { separation } : {}),
});
const approvers = (r: ReturnType<typeof resolveRoute>) => (r.ok ? r.steps.map((s) => s.approvers) : r.code);

describe('route resolution: the requester never approves, nobody approves two steps', () => {
  it("a finance member's own claim goes to another finance member, and the step says why", () => {
    const r = resolveRoute(intent([MANAGER, FINANCE]), {}, 'ww', dir);
    expect(approvers(r)).toEqual([['ad'], ['zl']]);
    expect(r.ok && r.steps[1]?.separation).toEqual({ removed: [{ userId: 'ww', why: 'requester' }] });
    // A named finance approver (a user step) who is the requester: role_others has no role to draw on, the next fallback does.
    const named = resolveRoute(intent([MANAGER, { name: name('Finance'), approvers: { rule: 'user', user: 'ww' } }], { fallback: ['role_others', 'user:zl'] }), {}, 'ww', dir);
    expect(approvers(named)).toEqual([['ad'], ['zl']]);
    expect(named.ok && named.steps[1]?.separation).toEqual({ removed: [{ userId: 'ww', why: 'requester' }], fallback: 'user' });
  });

  it('alone in finance with the default fallbacks (nobody above the manager): refused, not skipped', () => {
    const r = resolveRoute(intent([MANAGER, FINANCE]), {}, 'ww', lone);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('workflow.no_separate_approver');
      expect(r.localized.zh).toContain('Finance');
      expect(r.localized.en).toMatch(/Nobody may approve "Finance"/);
    }
  });

  it("managers_manager: the requester's manager's manager", () => {
    const people = [...PEOPLE.filter((p) => p.id !== 'ww' && p.id !== 'zl'), { id: 'fz', departmentId: 'finance', managerId: 'fm', roles: ['finance'] },
      { id: 'fm', departmentId: 'finance', managerId: 'ad', roles: [] }];
    const r = resolveRoute(intent([MANAGER, FINANCE]), {}, 'fz', directory(people));
    expect(approvers(r)).toEqual([['fm'], ['ad']]);
    expect(r.ok && r.steps[1]?.separation?.fallback).toBe('managers_manager');
  });

  it('fallbacks are tried in order; one naming an earlier step\'s approver is passed over', () => {
    const r = resolveRoute(intent([MANAGER, FINANCE], { fallback: ['role_others', 'user:ad', 'user:cfo'] }), {}, 'ww', lone);
    expect(approvers(r)).toEqual([['ad'], ['cfo']]);
    expect(r.ok && r.steps[1]?.separation).toEqual({ removed: [{ userId: 'ww', why: 'requester' }], fallback: 'user' });
  });

  it('a person who would approve two steps: the later step goes to its fallback', () => {
    const steps = [{ name: name('Leader'), approvers: { rule: 'department_leader' } }, { name: name('Admin'), approvers: { rule: 'role', role: 'admin' } }];
    expect(approvers(resolveRoute(intent(steps, { fallback: 'user:cfo' }), {}, 'ls', dir))).toEqual([['ad'], ['cfo']]);
    const r = resolveRoute(intent(steps), {}, 'ls', dir);
    expect(r.ok ? r.steps : r.code).toBe('workflow.no_separate_approver');
    // Turned off per intent, the same person may take both.
    expect(approvers(resolveRoute(intent(steps, { distinct_steps: false }), {}, 'ls', dir))).toEqual([['ad'], ['ad']]);
  });

  it('a step with others left keeps them, and still records who was taken off', () => {
    const steps = [{ name: name('Finance 1'), approvers: { rule: 'user', user: 'ww' } }, FINANCE];
    const r = resolveRoute(intent(steps), {}, 'zs', dir);
    expect(approvers(r)).toEqual([['ww'], ['zl']]);
    expect(r.ok && r.steps[1]?.separation).toEqual({ removed: [{ userId: 'ww', why: 'other_step' }] });
  });

  it('the separation block: defaults on, one fallback or a list, nothing else accepted', () => {
    expect(intent([MANAGER]).separation).toBeUndefined();
    expect(intent([MANAGER], { transfer: 'reassign', fallback: 'managers_manager' }).separation).toEqual({ distinct_steps: true, transfer: 'reassign', fallback: ['managers_manager'] });
    expect(() => intent([MANAGER], { fallback: ['the_boss'] })).toThrow(/role_others, managers_manager or user:<id>/);
    expect(() => intent([MANAGER], { transfer: 'allow' })).toThrow();
  });
});

const now = new Date('2026-12-06T02:00:00Z');
const step = (index: number, ids: string[]): ResolvedStep => ({ index, name: name(index === 0 ? 'Manager' : 'Finance'), mode: 'any', approvers: ids });
const task = (id: string, stepIndex: number, approverId: string, status: TaskSnapshot['status'] = 'pending'): TaskSnapshot =>
  ({ id, stepIndex, approverId, status, remindedAt: null, createdAt: now });
/** zs's claim: ls at the manager step (t1, pending), ww at the finance step. */
const snap = (o: Partial<RequestSnapshot> = {}): RequestSnapshot => ({
  status: 'pending', erpStatus: 'none', currentStep: 0, revision: 1, requesterId: 'zs', steps: [step(0, ['ls']), step(1, ['ww'])], tasks: [task('t1', 0, 'ls')], ...o,
});
const code = (t: ReturnType<typeof transition>) => (t.ok ? 'ok' : t.error.code);

describe('the machine: transfers and approvals that would collapse two steps into one person', () => {
  it("the manager's transfer to the finance approver is refused, saying which step", () => {
    const t = transition(snap(), { type: 'transfer', actor: 'ls', taskId: 't1', to: 'ww' }, now);
    expect(code(t)).toBe('workflow.sod_transfer');
    if (!t.ok) expect(t.error.localized.en).toMatch(/ww.*later step.*Finance/);
  });

  it('with the later step reassigned (separation.transfer: reassign), the transfer goes through with the new route', () => {
    const steps = [step(0, ['ls']), { ...step(1, ['zl']), separation: { removed: [{ userId: 'ww', why: 'other_step' as const }], fallback: 'role_others' as const } }];
    const t = transition(snap(), { type: 'transfer', actor: 'ls', taskId: 't1', to: 'ww', steps }, now);
    expect(t.ok && t.next.steps[1]?.approvers).toEqual(['zl']);
  });

  it('a transfer to whoever approved an earlier step is refused', () => {
    const s = snap({ currentStep: 1, tasks: [task('t1', 0, 'ls', 'approved'), task('t2', 1, 'ww')] });
    expect(code(transition(s, { type: 'transfer', actor: 'ww', taskId: 't2', to: 'ls' }, now))).toBe('workflow.sod_transfer');
  });

  it('approving a second step is refused (they can transfer it), unless the intent allows shared steps', () => {
    const s = snap({ currentStep: 1, steps: [step(0, ['ww']), step(1, ['ww'])], tasks: [task('t1', 0, 'ww', 'approved'), task('t2', 1, 'ww')] });
    expect(code(transition(s, { type: 'approve', actor: 'ww', taskId: 't2' }, now))).toBe('workflow.sod_two_steps');
    expect(code(transition(s, { type: 'transfer', actor: 'ww', taskId: 't2', to: 'zl' }, now))).toBe('ok');
    expect(code(transition({ ...s, sharedSteps: true }, { type: 'approve', actor: 'ww', taskId: 't2' }, now))).toBe('ok');
  });

  it('the requester never approves their own request, even holding a task', () => {
    const s = snap({ steps: [step(0, ['zs'])], tasks: [task('t1', 0, 'zs')] });
    expect(code(transition(s, { type: 'approve', actor: 'zs', taskId: 't1' }, now))).toBe('workflow.sod_self');
    expect(code(transition(snap(), { type: 'transfer', actor: 'ls', taskId: 't1', to: 'zs' }, now))).toBe('workflow.sod_transfer');
  });
});

describe('reassignLaterSteps (separation.transfer: reassign)', () => {
  const def = intent([MANAGER, FINANCE], { transfer: 'reassign' });
  it("takes the new holder off the later step and gives it to the fallback", () => {
    const r = reassignLaterSteps(def, [step(0, ['ls']), step(1, ['ww'])], 0, 'ww', 'zs', ['ls'], dir);
    expect(r.ok && r.steps.map((s) => s.approvers)).toEqual([['ls'], ['zl']]);
    expect(r.ok && r.steps[1]?.separation).toEqual({ removed: [{ userId: 'ww', why: 'other_step' }], fallback: 'role_others' });
  });
  it('alone in finance: the next fallback (the requester\'s manager\'s manager), or a refusal when there is none', () => {
    const r = reassignLaterSteps(def, [step(0, ['ls']), step(1, ['ww'])], 0, 'ww', 'zs', ['ls'], lone);
    expect(r.ok && r.steps[1]).toMatchObject({ approvers: ['ad'], separation: { fallback: 'managers_manager' } });
    const strict = intent([MANAGER, FINANCE], { transfer: 'reassign', fallback: 'role_others' });
    const none = reassignLaterSteps(strict, [step(0, ['ls']), step(1, ['ww'])], 0, 'ww', 'zs', ['ls'], lone);
    expect(none.ok ? none.steps : none.stepName.en).toBe('Finance');
  });
});
