import type { FieldDefinition, IntentDefinition } from '../config/intent-schema.ts';
import { localized, type Localized } from '../i18n/catalog.ts';
import type { FieldValue } from './commands.ts';
import { coerceFieldValue, type CoercionContext } from './field-coercion.ts';

/** Something wrong with a draft as a whole, said about `field` (the one to ask again). */
export interface DraftProblem { field: string; message: Localized }

/** Types whose stored value is checked again before a submit: their ranges may have changed, or a draft predates them. */
const RECHECKED = new Set<FieldDefinition['type']>(['money', 'number', 'date', 'month', 'date_range']);

/** Dates declared `not_before` another date field that are before it: both fields named, with their values. */
export function pairProblems(intent: IntentDefinition, fields: Record<string, FieldValue>): DraftProblem[] {
  const out: DraftProblem[] = [];
  for (const f of intent.fields) {
    const otherName = f.not_before;
    const other = otherName ? intent.fields.find((o) => o.name === otherName) : undefined;
    const value = fields[f.name];
    const otherValue = other ? fields[other.name] : undefined;
    if (!other || typeof value !== 'string' || typeof otherValue !== 'string' || value >= otherValue) continue;
    out.push({ field: f.name, message: localized('form.notBefore', { field: f.label, value, other: other.label, otherValue }) });
  }
  return out;
}

/**
 * Everything a submit must not carry: each money, number and date value checked again as the field takes it
 * now (a draft saved before a `max` was added, or by an older version), then the date pairs.
 */
export function draftProblems(intent: IntentDefinition, fields: Record<string, FieldValue>, ctx: CoercionContext): DraftProblem[] {
  const out: DraftProblem[] = [];
  for (const f of intent.fields) {
    const v = fields[f.name];
    if (v === undefined || v === '' || !RECHECKED.has(f.type)) continue;
    const r = coerceFieldValue(f, v, ctx);
    if (!r.ok) out.push({ field: f.name, message: r.message });
  }
  return [...out, ...pairProblems(intent, fields)];
}
