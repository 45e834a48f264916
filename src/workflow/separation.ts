import { separationOf, type ApproverRule, type IntentDefinition, type Separation } from '../config/intent-schema.ts';
import type { DirectoryView } from '../directory/directory-view.ts';
import type { FallbackKind, ResolvedStep, SeparationWhy, StepSeparation } from './approval-states.ts';

/**
 * Separation of duties: who may not approve a step, and who approves it instead. The requester never approves their
 * own request; with `distinct_steps` (the default) nobody approves two steps of one request. A step left with nobody
 * goes to the intent's fallbacks in order, and when none names anyone the caller refuses: a step is never skipped.
 */

/** What a step may not be given to: the requester, and (with distinct steps) whoever approves another step. */
export interface Exclusions { requesterId: string; others: ReadonlySet<string> }

export type Placement =
  | { ok: true; approvers: string[]; separation?: StepSeparation }
  | { ok: false; removed: StepSeparation['removed'] };

/** The people a fallback names for a step with rule `rule` (before exclusions). */
function fallbackApprovers(fallback: string, rule: ApproverRule, requesterId: string, dir: DirectoryView): { kind: FallbackKind; ids: string[] } {
  if (fallback === 'role_others') return { kind: 'role_others', ids: rule.rule === 'role' ? dir.usersWithRole(rule.role) : [] };
  if (fallback === 'managers_manager') {
    const manager = dir.user(requesterId)?.managerId;
    const above = manager ? dir.user(manager)?.managerId : null;
    return { kind: 'managers_manager', ids: above && dir.user(above) ? [above] : [] };
  }
  const id = fallback.slice('user:'.length);
  return { kind: 'user', ids: dir.user(id) ? [id] : [] };
}

const whyNot = (id: string, ex: Exclusions): SeparationWhy | null => (id === ex.requesterId ? 'requester' : ex.others.has(id) ? 'other_step' : null);

/**
 * The approvers of a step whose rule named `candidates`: those allowed stay; when nobody is left, the first fallback
 * that names someone allowed. `ok: false` when no fallback does (the caller refuses and says why).
 */
export function placeStep(rule: ApproverRule, candidates: string[], ex: Exclusions, sep: Separation, dir: DirectoryView): Placement {
  const removed = candidates.flatMap((id) => { const why = whyNot(id, ex); return why ? [{ userId: id, why }] : []; });
  const allowed = candidates.filter((id) => whyNot(id, ex) === null);
  if (removed.length === 0) return { ok: true, approvers: candidates };
  if (allowed.length > 0) return { ok: true, approvers: allowed, separation: { removed } };
  for (const f of sep.fallback) {
    const { kind, ids } = fallbackApprovers(f, rule, ex.requesterId, dir);
    const picked = [...new Set(ids.filter((id) => whyNot(id, ex) === null))];
    if (picked.length > 0) return { ok: true, approvers: picked, separation: { removed, fallback: kind } };
  }
  return { ok: false, removed };
}

export type Reassignment = { ok: true; steps: ResolvedStep[] } | { ok: false; stepName: ResolvedStep['name'] };

/**
 * `separation.transfer: reassign`: a task of step `fromStep` goes to `to`, who is an approver of a later step. Each
 * such later step loses `to`; one left with nobody goes to its fallback, which may name nobody who already approves,
 * holds or acted on another step (`acted`: approvers of this revision's tasks), nor the requester. Only called with
 * `distinct_steps` on: without it, a later step may be the same person's.
 */
export function reassignLaterSteps(
  intent: IntentDefinition, steps: ResolvedStep[], fromStep: number, to: string, requesterId: string, acted: string[], dir: DirectoryView,
): Reassignment {
  const out: ResolvedStep[] = [];
  for (const step of steps) {
    if (step.index <= fromStep || !step.approvers.includes(to)) { out.push(step); continue; }
    const rule = intent.route.steps[step.index]?.approvers;
    const others = new Set([to, ...acted, ...steps.filter((s) => s.index !== step.index).flatMap((s) => s.approvers), ...out.flatMap((s) => s.approvers)]);
    const placed = rule ? placeStep(rule, step.approvers, { requesterId, others }, separationOf(intent), dir) : { ok: false as const, removed: [] };
    if (!placed.ok) return { ok: false, stepName: step.name };
    const before = step.separation?.removed ?? [];
    const removed = [...before, ...(placed.separation?.removed ?? []).filter((r) => !before.some((b) => b.userId === r.userId))];
    const fallback = placed.separation?.fallback ?? step.separation?.fallback;
    out.push({ ...step, approvers: placed.approvers, separation: { removed, ...(fallback ? { fallback } : {}) } });
  }
  return { ok: true, steps: out };
}
