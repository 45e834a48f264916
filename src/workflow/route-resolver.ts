import { separationOf, type ApproverRule, type Condition, type IntentDefinition } from '../config/intent-schema.ts';
import { compareMoney, normalizeMoney } from '../core/money.ts';
import { localized, type Localized } from '../i18n/catalog.ts';
import type { DirectoryView } from '../directory/directory-view.ts';
import type { ResolvedStep } from './approval-states.ts';
import { placeStep } from './separation.ts';

export type RouteResult =
  | { ok: true; steps: ResolvedStep[] }
  /**
   * `message` for logs and the API; `localized` for the person in chat. `workflow.no_approver`: the rule names nobody;
   * `workflow.no_separate_approver`: it names only people separation of duties keeps off the step, and no fallback helps.
   */
  | { ok: false; code: 'workflow.no_approver' | 'workflow.no_separate_approver'; message: string; localized: Localized };

/**
 * Evaluates the intent's route for a request: conditions on fields, approvers resolved to user ids, then separation
 * of duties (separation.ts): the requester is never an approver and, with `distinct_steps`, nobody approves two steps;
 * a step left with nobody goes to the intent's fallbacks, and when none names anyone the route is refused, not skipped.
 */
export function resolveRoute(intent: IntentDefinition, fields: Record<string, unknown>, requesterId: string, dir: DirectoryView): RouteResult {
  const requester = dir.user(requesterId);
  const sep = separationOf(intent);
  const steps: ResolvedStep[] = [];
  const taken = new Set<string>();
  for (const [index, step] of intent.route.steps.entries()) {
    if (step.when && !evaluateCondition(step.when, fields, requester?.departmentId ?? null)) continue;
    const candidates = approversFor(step.approvers, requesterId, dir);
    if (candidates.length === 0) {
      const message = `no approver found for step "${step.name.en}" (${describeRule(step.approvers)})`;
      return { ok: false, code: 'workflow.no_approver', message,
        localized: localized('error.noApprover', { step: step.name, rule: ruleInWords(step.approvers) }) };
    }
    const placed = placeStep(step.approvers, candidates, { requesterId, others: sep.distinct_steps ? taken : new Set() }, sep, dir);
    if (!placed.ok) {
      const message = `nobody may approve step "${step.name.en}": ${placed.removed.map((r) => `${r.userId} (${r.why})`).join(', ')}; no fallback (${sep.fallback.join(', ')}) names anyone else`;
      return { ok: false, code: 'workflow.no_separate_approver', message, localized: localized('error.noSeparateApprover', { step: step.name }) };
    }
    for (const id of placed.approvers) taken.add(id);
    steps.push({ index, name: step.name, mode: step.mode, approvers: placed.approvers, ...(placed.separation ? { separation: placed.separation } : {}) });
  }
  return { ok: true, steps };
}

function approversFor(rule: ApproverRule, requesterId: string, dir: DirectoryView): string[] {
  const requester = dir.user(requesterId);
  switch (rule.rule) {
    case 'manager': return requester?.managerId && dir.user(requester.managerId) ? [requester.managerId] : [];
    case 'department_leader': return departmentLeaders(requester?.departmentId ?? null, requesterId, dir);
    case 'role': return dir.usersWithRole(rule.role);
    case 'user': return dir.user(rule.user) ? [rule.user] : [];
  }
}

/**
 * Leaders of the requester's department; if the requester leads it, the parent department's leaders.
 * The head of the top department has nobody above: the step is theirs (`[requester]`), so it goes to the
 * intent's fallback like any other step whose only approver is the requester.
 */
function departmentLeaders(deptId: string | null, requesterId: string, dir: DirectoryView): string[] {
  let id = deptId;
  for (let depth = 0; id && depth < 10; depth++) {
    const dept = dir.department(id);
    if (!dept) return [];
    const leaders = dept.leaderIds.filter((l) => dir.user(l));
    if (leaders.some((l) => l !== requesterId)) return leaders;
    if (!dept.parentId) return leaders;
    id = dept.parentId;
  }
  return [];
}

function describeRule(rule: ApproverRule): string {
  switch (rule.rule) {
    case 'role': return `role ${rule.role}`;
    case 'user': return `user ${rule.user}`;
    default: return rule.rule;
  }
}

/** Who a step asks for, for the person told that nobody was found. */
function ruleInWords(rule: ApproverRule): Localized {
  switch (rule.rule) {
    case 'manager': return localized('route.rule.manager');
    case 'department_leader': return localized('route.rule.department_leader');
    case 'role': return localized('route.rule.role', { role: rule.role });
    case 'user': return localized('route.rule.user', { user: rule.user });
  }
}

/** Structured condition evaluation; money and numbers compare as decimals, never as floats. */
export function evaluateCondition(c: Condition, fields: Record<string, unknown>, requesterDepartment: string | null): boolean {
  if ('all' in c) return c.all.every((x) => evaluateCondition(x, fields, requesterDepartment));
  if ('any' in c) return c.any.some((x) => evaluateCondition(x, fields, requesterDepartment));
  const actual = c.field === 'requester.department' ? requesterDepartment : fields[c.field];
  if (actual === undefined || actual === null || actual === '') return c.op === 'ne';
  if (c.op === 'in') return Array.isArray(c.value) && c.value.map(String).includes(String(actual));
  if (Array.isArray(c.value)) return false;
  const cmp = compare(actual, c.value);
  switch (c.op) {
    case 'gt': return cmp > 0;
    case 'gte': return cmp >= 0;
    case 'lt': return cmp < 0;
    case 'lte': return cmp <= 0;
    case 'eq': return cmp === 0;
    case 'ne': return cmp !== 0;
  }
}

function compare(actual: unknown, expected: string | number): number {
  const a = typeof actual === 'number' || typeof actual === 'string' ? normalizeMoney(actual) : null;
  const b = normalizeMoney(expected);
  if (a !== null && b !== null) return compareMoney(a, b);
  const sa = String(actual);
  const sb = String(expected);
  return sa === sb ? 0 : sa < sb ? -1 : 1;
}
