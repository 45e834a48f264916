import type { z } from 'zod';
import { moneyToFen } from '../core/money.ts';
import { DATE_MAX, DATE_MIN, MONEY_COLUMN_MAX, NUMBER_MAX } from '../core/value-limits.ts';

/**
 * The range keys of an intent's fields, checked when the catalog loads:
 * - `money` and `number`: `min` / `max` are numbers; a money `max` fits the amount columns (numeric(18,2)).
 * - `date`, `date_range`: `min` / `max` are dates (YYYY-MM-DD), inside 1900-01-01..2100-12-31 (the range every
 *   date field keeps when it names none); `month`: months (YYYY-MM).
 * - `not_before: <field>` on a date field: its value may not be before that other date field's (a return date
 *   and its departure).
 */
interface RangeField { name: string; type: string; min?: number | string | undefined; max?: number | string | undefined; not_before?: string | undefined }

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-\d{2}$/;

export function checkFieldRange(f: RangeField, ctx: z.RefinementCtx): void {
  const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', message, path: [key] });
  const numeric = f.type === 'money' || f.type === 'number';
  const dated = f.type === 'date' || f.type === 'date_range';
  for (const key of ['min', 'max'] as const) {
    const v = f[key];
    if (v === undefined) continue;
    if (numeric && typeof v !== 'number') issue(key, `${key} of a ${f.type} field is a number`);
    else if (dated && (typeof v !== 'string' || !DATE.test(v) || v < DATE_MIN || v > DATE_MAX)) issue(key, `${key} of a ${f.type} field is a date YYYY-MM-DD within ${DATE_MIN}..${DATE_MAX}`);
    else if (f.type === 'month' && (typeof v !== 'string' || !MONTH.test(v) || v < DATE_MIN.slice(0, 7) || v > DATE_MAX.slice(0, 7))) issue(key, `${key} of a month field is a month YYYY-MM within ${DATE_MIN.slice(0, 7)}..${DATE_MAX.slice(0, 7)}`);
    else if (!numeric && !dated && f.type !== 'month') issue(key, `${key} is for money, number and date fields`);
  }
  if (f.type === 'money' && typeof f.max === 'number' && (!Number.isFinite(f.max) || moneyToFen(f.max.toFixed(2)) > moneyToFen(MONEY_COLUMN_MAX))) {
    issue('max', `a money max is at most ${MONEY_COLUMN_MAX} (what the amount columns hold)`);
  }
  if (f.type === 'number' && typeof f.max === 'number' && !(Math.abs(f.max) <= NUMBER_MAX)) issue('max', `a number max is at most ${NUMBER_MAX}`);
  if (f.min !== undefined && f.max !== undefined && typeof f.min === typeof f.max && f.min > f.max) issue('min', 'min is above max');
  if (f.not_before !== undefined && f.type !== 'date') issue('not_before', 'not_before is for date fields');
}

/** `not_before` names another date field of the same intent. */
export function checkDatePairs(fields: readonly RangeField[], ctx: z.RefinementCtx): void {
  fields.forEach((f, i) => {
    if (f.not_before === undefined) return;
    const other = fields.find((o) => o.name === f.not_before);
    if (!other || other.name === f.name || other.type !== 'date') {
      ctx.addIssue({ code: 'custom', message: `not_before names another date field of this intent, not "${f.not_before}"`, path: ['fields', i, 'not_before'] });
    }
  });
}
