import type { FieldDefinition } from '../config/intent-schema.ts';
import { formatLocalDate, localDateOf } from '../core/time-zone.ts';
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
export type CoercionResult = { ok: true; value: FieldValue } | { ok: false; message: { zh: string; en: string } };
export interface CoercionContext { now: Date; timeZone: string }

const TEXT_MAX = 500;

function fail(zh: string, en: string): CoercionResult {
  return { ok: false, message: { zh, en } };
}

function asText(input: unknown): string | null {
  if (typeof input === 'string') return input.trim();
  if (typeof input === 'number' && Number.isFinite(input)) return String(input);
  return null;
}

function checkRange(field: FieldDefinition, n: number): CoercionResult | null {
  if (field.min !== undefined && n < field.min) return fail(`${field.label.zh}不能小于 ${field.min}`, `${field.label.en} must be at least ${field.min}`);
  if (field.max !== undefined && n > field.max) return fail(`${field.label.zh}不能大于 ${field.max}`, `${field.label.en} must be at most ${field.max}`);
  return null;
}

function coerceMoney(field: FieldDefinition, input: unknown): CoercionResult {
  const raw = typeof input === 'number' ? input : asText(input);
  const n = raw === null ? null : parseAmount(raw);
  const money = n === null ? null : amountToMoney(n);
  if (n === null || money === null) return fail(`请输入金额，例如 3560 或 1.2万`, `Please enter an amount, e.g. 3560`);
  return checkRange(field, n) ?? { ok: true, value: money };
}

function coerceNumber(field: FieldDefinition, input: unknown): CoercionResult {
  const raw = typeof input === 'number' ? input : asText(input);
  const n = typeof raw === 'number' ? raw : raw === null ? null : parseQuantity(raw);
  if (n === null || !Number.isFinite(n)) return fail('请输入数字', 'Please enter a number');
  return checkRange(field, n) ?? { ok: true, value: n };
}

function isoDate(s: string): string | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isValidDate(y, mo, d) ? formatLocalDate({ year: y, month: mo, day: d }) : null;
}

function coerceDate(input: unknown, ctx: CoercionContext): CoercionResult {
  if (input instanceof Date && !Number.isNaN(input.getTime())) return { ok: true, value: formatLocalDate(localDateOf(input, ctx.timeZone)) };
  const s = asText(input);
  if (s) {
    const iso = isoDate(s);
    if (iso) return { ok: true, value: iso };
    const found = findDates(s, ctx.now, ctx.timeZone);
    const day = found.days[0]?.value ?? found.ranges[0]?.value.start;
    if (day) return { ok: true, value: day };
  }
  return fail('请输入日期，例如 2026-11-03、昨天、11月3日', 'Please enter a date, e.g. 2026-11-03, yesterday, Nov 3');
}

function coerceMonth(input: unknown, ctx: CoercionContext): CoercionResult {
  const s = asText(input);
  if (s) {
    const m = /^(\d{4})[-/.年](\d{1,2})月?$/.exec(s);
    if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return { ok: true, value: `${m[1]}-${m[2]?.padStart(2, '0')}` };
    const found = findDates(s, ctx.now, ctx.timeZone);
    const month = found.months[0]?.value ?? found.days[0]?.value.slice(0, 7);
    if (month) return { ok: true, value: month };
  }
  return fail('请输入月份，例如 2026-11、本月、上个月', 'Please enter a month, e.g. 2026-11, this month, last month');
}

function coerceDateRange(input: unknown, ctx: CoercionContext): CoercionResult {
  if (typeof input === 'object' && input !== null && 'start' in input && 'end' in input) {
    const a = coerceDate(input.start, ctx);
    const b = coerceDate(input.end, ctx);
    if (a.ok && b.ok && typeof a.value === 'string' && typeof b.value === 'string') {
      return a.value <= b.value ? { ok: true, value: { start: a.value, end: b.value } } : fail('结束日期不能早于开始日期', 'The end date is before the start date');
    }
  }
  const s = asText(input);
  if (s) {
    const found = findDates(s, ctx.now, ctx.timeZone);
    const range = found.ranges[0]?.value;
    if (range) return range.start <= range.end ? { ok: true, value: range } : fail('结束日期不能早于开始日期', 'The end date is before the start date');
    const day = found.days[0]?.value;
    if (day) return { ok: true, value: { start: day, end: day } };
  }
  return fail('请输入日期范围，例如 11月3日到11月5日', 'Please enter a date range, e.g. Nov 3 to Nov 5');
}

function coerceEnum(field: FieldDefinition, input: unknown): CoercionResult {
  const s = asText(input);
  const match = s ? matchEnumOption(field, s) : null;
  if (match) return { ok: true, value: match.value };
  const zh = (field.options ?? []).map((o) => o.label.zh).join('/');
  const en = (field.options ?? []).map((o) => o.label.en).join(', ');
  return fail(`请选择：${zh}`, `Please choose one of: ${en}`);
}

function coerceText(field: FieldDefinition, input: unknown): CoercionResult {
  const s = asText(input);
  if (!s) return fail(`请填写${field.label.zh}`, `Please enter ${field.label.en}`);
  if (s.length > TEXT_MAX) return fail(`${field.label.zh}不能超过 ${TEXT_MAX} 个字`, `${field.label.en} must be at most ${TEXT_MAX} characters`);
  return { ok: true, value: s };
}

export function coerceFieldValue(field: FieldDefinition, input: unknown, ctx: CoercionContext): CoercionResult {
  switch (field.type) {
    case 'money': return coerceMoney(field, input);
    case 'number': return coerceNumber(field, input);
    case 'date': return coerceDate(input, ctx);
    case 'month': return coerceMonth(input, ctx);
    case 'date_range': return coerceDateRange(input, ctx);
    case 'enum': return coerceEnum(field, input);
    case 'text':
    case 'textarea': return coerceText(field, input);
    case 'user': {
      const s = asText(input);
      return s ? { ok: true, value: s } : fail('请指定人员', 'Please name a person');
    }
    case 'attachment': {
      const s = asText(input);
      return s ? { ok: true, value: s } : fail('请上传附件', 'Please attach a file');
    }
  }
}
