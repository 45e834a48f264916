import type { Locale } from '../core/locale.ts';
import { t } from '../i18n/catalog.ts';
import type { ResolvedStep } from '../workflow/approval-states.ts';

/**
 * What the route preview says of each step separation of duties changed (src/workflow/separation.ts): who the rule
 * named but may not approve it and why (the requester; someone approving another step), and who takes it instead (the
 * step's other approvers, or the fallback that named them). One line per changed step, in the card's language.
 */
export function separationNotes(steps: ResolvedStep[], names: ReadonlyMap<string, string>, locale: Locale): string[] {
  return steps.flatMap((s) => {
    if (!s.separation) return [];
    const why = s.separation.removed.map((r) => {
      const person = names.get(r.userId) ?? r.userId;
      return r.why === 'requester' ? t(locale, 'route.sod.requester', { person }) : t(locale, 'route.sod.otherStep', { person });
    });
    const fallback = s.separation.fallback;
    why.push(fallback ? t(locale, `route.sod.fallback.${fallback}`) : t(locale, 'route.sod.kept'));
    return [t(locale, 'card.dialog.routeSeparation', { step: s.name, why: why.join(t(locale, 'route.sod.separator')) })];
  });
}

/** Everyone a route preview names: approvers and the people separation took off a step. */
export function routePeople(steps: ResolvedStep[]): string[] {
  return [...new Set(steps.flatMap((s) => [...s.approvers, ...(s.separation?.removed.map((r) => r.userId) ?? [])]))];
}
