import { describe, expect, it } from 'vitest';
import type { IntentDefinition } from '../../../src/config/intent-schema.ts';
import { intentSchema } from '../../../src/config/intent-schema.ts';
import type { DirectoryView } from '../../../src/directory/directory-view.ts';
import { evaluateCondition, resolveRoute } from '../../../src/workflow/route-resolver.ts';

const users: Record<string, { id: string; departmentId: string | null; managerId: string | null; roles: string[] }> = {
  zs: { id: 'zs', departmentId: 'sales', managerId: 'ls', roles: [] },
  ls: { id: 'ls', departmentId: 'sales', managerId: 'ad', roles: ['manager'] },
  ww: { id: 'ww', departmentId: 'finance', managerId: 'ad', roles: ['finance'] },
  ad: { id: 'ad', departmentId: 'hq', managerId: null, roles: ['admin'] },
  orphan: { id: 'orphan', departmentId: null, managerId: null, roles: [] },
  lone: { id: 'lone', departmentId: 'lab', managerId: null, roles: [] },
};
const depts: Record<string, { leaderIds: string[]; parentId: string | null }> = {
  hq: { leaderIds: ['ad'], parentId: null }, sales: { leaderIds: ['ls'], parentId: 'hq' }, finance: { leaderIds: ['ww'], parentId: 'hq' },
  lab: { leaderIds: [], parentId: null },
};
const dir: DirectoryView = {
  user: (id) => users[id], department: (id) => depts[id],
  usersWithRole: (r) => Object.values(users).filter((u) => u.roles.includes(r)).map((u) => u.id),
};
const name = { zh: 'x', en: 'x' };
const intent = (steps: unknown[]): IntentDefinition => intentSchema.parse({
  key: 't', prefix: 'TT', name, description: name, examples: { zh: [], en: [] },
  fields: [{ name: 'amount', type: 'money', label: name }, { name: 'kind', type: 'text', label: name }], route: { steps },
});

describe('resolveRoute', () => {
  const rows: [string, unknown[], string, Record<string, unknown>, string[][] | string][] = [
    ['manager', [{ name, approvers: { rule: 'manager' } }], 'zs', {}, [['ls']]],
    ['department leader', [{ name, approvers: { rule: 'department_leader' } }], 'zs', {}, [['ls']]],
    ['department leader of a leader is the parent department leader', [{ name, approvers: { rule: 'department_leader' } }], 'ls', {}, [['ad']]],
    ['role', [{ name, approvers: { rule: 'role', role: 'finance' } }], 'zs', {}, [['ww']]],
    ['named user', [{ name, approvers: { rule: 'user', user: 'ad' } }], 'zs', {}, [['ad']]],
    ['condition false drops the step', [{ name, approvers: { rule: 'manager' } }, { name, approvers: { rule: 'role', role: 'finance' }, when: { field: 'amount', op: 'gt', value: 5000 } }], 'zs', { amount: '5000.00' }, [['ls']]],
    ['condition true keeps the step (decimal compare)', [{ name, approvers: { rule: 'manager' } }, { name, approvers: { rule: 'role', role: 'finance' }, when: { field: 'amount', op: 'gt', value: 5000 } }], 'zs', { amount: '5000.01' }, [['ls'], ['ww']]],
    // Separation of duties (more in separation.test.ts): a step that is only the requester's is never skipped.
    ['a step only the requester could approve, with no fallback, is refused', [{ name, approvers: { rule: 'role', role: 'finance' } }], 'ww', {}, 'workflow.no_separate_approver'],
    ['department leader for the head of the top department, with no fallback, is refused', [{ name, approvers: { rule: 'department_leader' } }], 'ad', {}, 'workflow.no_separate_approver'],
    ['a top department without a leader is an error', [{ name, approvers: { rule: 'department_leader' } }], 'lone', {}, 'workflow.no_approver'],
    ['no manager is an error', [{ name, approvers: { rule: 'manager' } }], 'orphan', {}, 'workflow.no_approver'],
    ['unknown named user is an error', [{ name, approvers: { rule: 'user', user: 'ghost' } }], 'zs', {}, 'workflow.no_approver'],
  ];
  it.each(rows)('%s', (_n, steps, requester, fields, expected) => {
    const r = resolveRoute(intent(steps), fields, requester, dir);
    if (typeof expected === 'string') {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe(expected);
    } else {
      expect(r.ok && r.steps.map((s) => s.approvers)).toEqual(expected);
    }
  });
});

describe('evaluateCondition', () => {
  const rows: [string, Parameters<typeof evaluateCondition>[0], Record<string, unknown>, boolean][] = [
    ['gt money', { field: 'amount', op: 'gt', value: 5000 }, { amount: '5000.50' }, true],
    ['gte equal', { field: 'amount', op: 'gte', value: '5000' }, { amount: '5000.00' }, true],
    ['lt', { field: 'amount', op: 'lt', value: 100 }, { amount: 99.99 }, true],
    ['lte false', { field: 'amount', op: 'lte', value: 100 }, { amount: '100.01' }, false],
    ['eq text', { field: 'kind', op: 'eq', value: 'sales' }, { kind: 'sales' }, true],
    ['ne text', { field: 'kind', op: 'ne', value: 'sales' }, { kind: 'service' }, true],
    ['in list', { field: 'kind', op: 'in', value: ['sales', 'purchase'] }, { kind: 'purchase' }, true],
    ['missing field is false', { field: 'amount', op: 'gt', value: 1 }, {}, false],
    ['missing field is "not equal"', { field: 'amount', op: 'ne', value: 1 }, {}, true],
    ['all', { all: [{ field: 'amount', op: 'gt', value: 1 }, { field: 'kind', op: 'eq', value: 'x' }] }, { amount: '2', kind: 'x' }, true],
    ['any', { any: [{ field: 'amount', op: 'gt', value: 100 }, { field: 'kind', op: 'eq', value: 'x' }] }, { amount: '2', kind: 'x' }, true],
    ['requester department', { field: 'requester.department', op: 'eq', value: 'sales' }, {}, true],
  ];
  it.each(rows)('%s', (_n, c, fields, expected) => {
    expect(evaluateCondition(c, fields, 'sales')).toBe(expected);
  });
});
