import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { Command, FieldValue } from './commands.ts';

/**
 * Scoring rules of the NLU evaluation: intent exact; each expected slot once — numbers within
 * 0.005, dates and enums exact, strings equal after trim + case-fold or one containing the other
 * (shorter side at least 2 characters).
 */
export interface EvalCase {
  id: string;
  text: string;
  now: string;
  expect: { intent: string; slots?: Record<string, unknown> };
}

export function intentOf(commands: readonly Command[]): string {
  for (const c of commands) {
    if (c.type === 'start_intent') return c.intent;
    if (c.type === 'status_query') return 'status_query';
  }
  return 'none';
}

export function slotsOf(commands: readonly Command[]): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const c of commands) if (c.type === 'set_field') out[c.field] = c.value;
  return out;
}

function fieldType(catalog: IntentCatalog, intent: string, field: string): string | undefined {
  return catalog.get(intent)?.fields.find((f) => f.name === field)?.type;
}

export function slotMatches(expected: unknown, actual: FieldValue | undefined, type: string | undefined): boolean {
  if (actual === undefined) return false;
  if (typeof expected === 'number' || type === 'money' || type === 'number') {
    const a = typeof actual === 'number' ? actual : typeof actual === 'string' ? Number(actual.replace(/,/g, '')) : NaN;
    const e = typeof expected === 'number' ? expected : Number(expected);
    return Number.isFinite(a) && Math.abs(a - e) < 0.005;
  }
  if (typeof expected === 'object' && expected !== null) return JSON.stringify(expected) === JSON.stringify(actual);
  const e = String(expected).trim().toLowerCase();
  const a = (typeof actual === 'string' ? actual : JSON.stringify(actual)).trim().toLowerCase();
  if (type === 'date' || type === 'month' || type === 'enum') return a === e;
  if (a === e) return true;
  const [shorter, longer] = a.length <= e.length ? [a, e] : [e, a];
  return shorter.length >= 2 && longer.includes(shorter);
}

export interface CaseScore {
  intentOk: boolean;
  slotTotal: number;
  slotOk: number;
  misses: string[];
}

export function scoreCase(c: EvalCase, commands: readonly Command[], catalog: IntentCatalog): CaseScore {
  const intent = intentOf(commands);
  const slots = slotsOf(commands);
  const misses: string[] = [];
  const intentOk = intent === c.expect.intent;
  if (!intentOk) misses.push(`intent: expected ${c.expect.intent}, got ${intent}`);
  let slotOk = 0;
  const expected = Object.entries(c.expect.slots ?? {});
  for (const [name, value] of expected) {
    if (slotMatches(value, slots[name], fieldType(catalog, c.expect.intent, name))) slotOk += 1;
    else misses.push(`${name}: expected ${JSON.stringify(value)}, got ${JSON.stringify(slots[name])}`);
  }
  return { intentOk, slotTotal: expected.length, slotOk, misses };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? 0;
}
