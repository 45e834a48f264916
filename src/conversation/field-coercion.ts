import type { FieldDefinition } from '../config/intent-schema.ts';
import { dropThousandsSeparators, formatMoney, normalizeMoney } from '../core/money.ts';
import { formatLocalDate, localDateOf } from '../core/time-zone.ts';
import { DATE_MAX, DATE_MIN, MONEY_COLUMN_MAX, moneyFitsColumn, NUMBER_MAX } from '../core/value-limits.ts';
import { localized, type Localized } from '../i18n/catalog.ts';
import type { FieldValue } from './commands.ts';
import { amountToMoney, parseAmount } from './extractors/amount-expression.ts';
import { isValidDate } from './extractors/calendar.ts';
import { findDates } from './extractors/date-extractor.ts';
import { matchEnumOption } from './extractors/enum-matcher.ts';
import { parseQuantity } from './extractors/quantity-expression.ts';

/**
 * Turns a typed answer or an edited form input into the normalized value of a field
 * (see FieldValue), or says in both languages why it can't. Pure: "today" comes from ctx.
 */
export type CoercionResult = { ok: true; value: FieldValue } | { ok: false; message: Localized };
export interface CoercionContext { now: Date; timeZone: string }

const TEXT_MAX = 500;

function fail(message: Localized): CoercionResult {
  return { ok: false, message };
}

function asText(input: unknown): string | null {
  if (typeof input === 'string') return input.trim();
  if (typeof input === 'number' && Number.isFinite(input)) return String(input);
  return null;
}

function checkRange(field: FieldDefinition, n: number): CoercionResult | null {
  if (typeof field.min === 'number' && n < field.min) return fail(localized('form.atLeast', { field: field.label, min: field.min }));
  if (typeof field.max === 'number' && n > field.max) return fail(localized('form.atMost', { field: field.label, max: field.max }));
  return null;
}

/** A plain decimal (thousands separators in their places) read exactly, as a string: no float between it and the column. */
const PLAIN_AMOUNT = /^[¥￥]?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(?:元|CNY|RMB)?$/i;

function coerceMoney(field: FieldDefinition, input: unknown): CoercionResult {
  const raw = typeof input === 'number' ? input : asText(input);
  if (typeof raw === 'string' && /\d[,，]\d/.test(raw) && dropThousandsSeparators(raw) === null) {
    return fail(localized('form.amountGroups', { field: field.label, value: raw.slice(0, 40) }));
  }
  const exact = typeof raw === 'string' && PLAIN_AMOUNT.test(raw) ? normalizeMoney(raw) : null;
  const n = exact !== null ? Number(exact) : raw === null ? null : parseAmount(raw);
  const money = exact ?? (n === null ? null : amountToMoney(n));
  if (n === null || money === null) return fail(localized('form.amount'));
  // Past what the amount columns hold (numeric(18,2)), the submit would fail in the database: say so now.
  if (!moneyFitsColumn(money)) return fail(localized('form.amountTooLarge', { field: field.label, max: formatMoney(typeof field.max === 'number' ? amountToMoney(field.max) ?? MONEY_COLUMN_MAX : MONEY_COLUMN_MAX) }));
  return checkRange(field, n) ?? { ok: true, value: money };
}

function coerceNumber(field: FieldDefinition, input: unknown): CoercionResult {
  const raw = typeof input === 'number' ? input : asText(input);
  const n = typeof raw === 'number' ? raw : raw === null ? null : parseQuantity(raw);
  if (n === null || !Number.isFinite(n)) return fail(localized('form.number'));
  if (Math.abs(n) > NUMBER_MAX) return fail(localized('form.numberTooLarge', { field: field.label, max: typeof field.max === 'number' ? field.max : NUMBER_MAX }));
  return checkRange(field, n) ?? { ok: true, value: n };
}

/** A day within the field's `min`/`max` dates, or the default 1900..2100 range (a year 0001 is a typo, not a trip). */
function checkDay(field: FieldDefinition, day: string): CoercionResult | null {
  const min = typeof field.min === 'string' ? field.min : DATE_MIN;
  const max = typeof field.max === 'string' ? field.max : DATE_MAX;
  const ymd = /^(\d+)-(\d{2})-(\d{2})$/.exec(day);
  const padded = ymd ? `${ymd[1]!.padStart(4, '0')}-${ymd[2]}-${ymd[3]}` : day;
  if (padded < min) return fail(localized('form.dateTooEarly', { field: field.label, min }));
  if (padded > max) return fail(localized('form.dateTooLate', { field: field.label, max }));
  return null;
}

function checkMonth(field: FieldDefinition, month: string): CoercionResult | null {
  const min = typeof field.min === 'string' ? field.min : DATE_MIN.slice(0, 7);
  const max = typeof field.max === 'string' ? field.max : DATE_MAX.slice(0, 7);
  const padded = month.padStart(7, '0');
  if (padded < min) return fail(localized('form.dateTooEarly', { field: field.label, min }));
  if (padded > max) return fail(localized('form.dateTooLate', { field: field.label, max }));
  return null;
}

function isoDate(s: string): string | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isValidDate(y, mo, d) ? formatLocalDate({ year: y, month: mo, day: d }) : null;
}

function parseDay(input: unknown, ctx: CoercionContext): CoercionResult {
  if (input instanceof Date && !Number.isNaN(input.getTime())) return { ok: true, value: formatLocalDate(localDateOf(input, ctx.timeZone)) };
  const s = asText(input);
  if (s) {
    const iso = isoDate(s);
    if (iso) return { ok: true, value: iso };
    const found = findDates(s, ctx.now, ctx.timeZone);
    const day = found.days[0]?.value ?? found.ranges[0]?.value.start;
    if (day) return { ok: true, value: day };
  }
  return fail(localized('form.date'));
}

function parseMonth(input: unknown, ctx: CoercionContext): CoercionResult {
  const s = asText(input);
  if (s) {
    const m = /^(\d{4})[-/.年](\d{1,2})月?$/.exec(s);
    if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return { ok: true, value: `${m[1]}-${m[2]?.padStart(2, '0')}` };
    const found = findDates(s, ctx.now, ctx.timeZone);
    const month = found.months[0]?.value ?? found.days[0]?.value.slice(0, 7);
    if (month) return { ok: true, value: month };
  }
  return fail(localized('form.month'));
}

function coerceDate(field: FieldDefinition, input: unknown, ctx: CoercionContext): CoercionResult {
  const r = parseDay(input, ctx);
  return r.ok && typeof r.value === 'string' ? checkDay(field, r.value) ?? r : r;
}

function coerceMonth(field: FieldDefinition, input: unknown, ctx: CoercionContext): CoercionResult {
  const r = parseMonth(input, ctx);
  return r.ok && typeof r.value === 'string' ? checkMonth(field, r.value) ?? r : r;
}

function coerceDateRange(field: FieldDefinition, input: unknown, ctx: CoercionContext): CoercionResult {
  const r = parseDateRange(input, ctx);
  if (!r.ok || typeof r.value !== 'object' || r.value === null || !('start' in r.value)) return r;
  return checkDay(field, r.value.start) ?? checkDay(field, r.value.end) ?? r;
}

function parseDateRange(input: unknown, ctx: CoercionContext): CoercionResult {
  if (typeof input === 'object' && input !== null && 'start' in input && 'end' in input) {
    const a = parseDay(input.start, ctx);
    const b = parseDay(input.end, ctx);
    if (a.ok && b.ok && typeof a.value === 'string' && typeof b.value === 'string') {
      return a.value <= b.value ? { ok: true, value: { start: a.value, end: b.value } } : fail(localized('form.endBeforeStart'));
    }
  }
  const s = asText(input);
  if (s) {
    const found = findDates(s, ctx.now, ctx.timeZone);
    const range = found.ranges[0]?.value;
    if (range) return range.start <= range.end ? { ok: true, value: range } : fail(localized('form.endBeforeStart'));
    const day = found.days[0]?.value;
    if (day) return { ok: true, value: { start: day, end: day } };
  }
  return fail(localized('form.dateRange'));
}

function coerceEnum(field: FieldDefinition, input: unknown): CoercionResult {
  const s = asText(input);
  const match = s ? matchEnumOption(field, s) : null;
  if (match) return { ok: true, value: match.value };
  const options = localized('form.choose.separator');
  const labels = (l: keyof Localized): string => (field.options ?? []).map((o) => o.label[l]).join(options[l]);
  return fail(localized('form.choose', { options: { zh: labels('zh'), en: labels('en') } }));
}

function coerceText(field: FieldDefinition, input: unknown): CoercionResult {
  const s = asText(input);
  if (!s) return fail(localized('form.enterText', { field: field.label }));
  if (s.length > TEXT_MAX) return fail(localized('form.tooLong', { field: field.label, max: TEXT_MAX }));
  return { ok: true, value: s };
}

export function coerceFieldValue(field: FieldDefinition, input: unknown, ctx: CoercionContext): CoercionResult {
  switch (field.type) {
    case 'money': return coerceMoney(field, input);
    case 'number': return coerceNumber(field, input);
    case 'date': return coerceDate(field, input, ctx);
    case 'month': return coerceMonth(field, input, ctx);
    case 'date_range': return coerceDateRange(field, input, ctx);
    case 'enum': return coerceEnum(field, input);
    case 'text':
    case 'textarea': return coerceText(field, input);
    case 'user': {
      const s = asText(input);
      return s ? { ok: true, value: s } : fail(localized('form.person'));
    }
    case 'attachment': {
      const s = asText(input);
      return s ? { ok: true, value: s } : fail(localized('form.attachment'));
    }
  }
}
