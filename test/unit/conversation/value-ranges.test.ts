import { describe, expect, it } from 'vitest';
import { fieldSchema, intentSchema, type FieldDefinition } from '../../../src/config/intent-schema.ts';
import { dropThousandsSeparators, normalizeMoney } from '../../../src/core/money.ts';
import { draftProblems } from '../../../src/conversation/draft-checks.ts';
import { parseAmount } from '../../../src/conversation/extractors/amount-expression.ts';
import { findMoney } from '../../../src/conversation/extractors/money-extractor.ts';
import { coerceFieldValue } from '../../../src/conversation/field-coercion.ts';

const ctx = { now: new Date('2026-11-23T02:00:00Z'), timeZone: 'Asia/Shanghai' };
const label = { zh: '金额', en: 'Amount' };
const field = (f: Record<string, unknown>): FieldDefinition => fieldSchema.parse({ name: 'x', label, ...f });
const refused = (f: FieldDefinition, v: unknown): string | null => { const r = coerceFieldValue(f, v, ctx); return r.ok ? null : r.message.en; };

describe('thousands separators', () => {
  it('only in their groups', () => {
    expect(dropThousandsSeparators('1,234,567.5')).toBe('1234567.5');
    expect(dropThousandsSeparators('1,2,3')).toBeNull();
    expect(dropThousandsSeparators('12,34')).toBeNull();
    expect(normalizeMoney('1,2,3')).toBeNull();
    expect(normalizeMoney('¥8,999')).toBe('8999.00');
    expect(parseAmount('1,2,3')).toBeNull();
    expect(parseAmount('15,000元')).toBe(15000);
    expect(findMoney('金额1,2,3元')).toEqual([]);
  });
});

describe('money and number ranges', () => {
  const money = field({ type: 'money', max: 1000000 });
  it('refuses past the amount column (numeric(18,2)) exactly, and past the field max', () => {
    expect(refused(field({ type: 'money' }), '9999999999999999.99')).toBeNull();
    expect(coerceFieldValue(field({ type: 'money' }), '9999999999999999.99', ctx)).toEqual({ ok: true, value: '9999999999999999.99' });
    expect(refused(field({ type: 'money' }), '10000000000000000')).toMatch(/too large/);
    expect(refused(money, '1000000.01')).toMatch(/at most 1000000/);
    expect(refused(money, '1,2,3')).toMatch(/"1,2,3" is not an amount/);
    expect(refused(field({ type: 'number' }), 2 ** 60)).toMatch(/too large/);
  });
  it('config: a money max above the column, min above max, a date min not a date are refused', () => {
    expect(fieldSchema.safeParse({ name: 'a', label, type: 'money', max: 1e17 }).success).toBe(false);
    expect(fieldSchema.safeParse({ name: 'a', label, type: 'number', min: 5, max: 1 }).success).toBe(false);
    expect(fieldSchema.safeParse({ name: 'a', label, type: 'date', min: 5 }).success).toBe(false);
    expect(fieldSchema.safeParse({ name: 'a', label, type: 'date', min: '2020-01-01', max: '2030-12-31' }).success).toBe(true);
    expect(fieldSchema.safeParse({ name: 'a', label, type: 'text', max: 3 }).success).toBe(false);
  });
});

describe('dates', () => {
  it('a year 0001 is refused, within 1900..2100 by default or the field range', () => {
    expect(refused(field({ type: 'date' }), '0001-01-01')).toMatch(/on or after 1900-01-01/);
    expect(refused(field({ type: 'date' }), '2101-01-01')).toMatch(/on or before 2100-12-31/);
    expect(refused(field({ type: 'date', min: '2026-01-01' }), '2025-12-31')).toMatch(/on or after 2026-01-01/);
    expect(refused(field({ type: 'month' }), '0001-01')).toMatch(/1900-01/);
    expect(refused(field({ type: 'date_range' }), { start: '0001-01-01', end: '2026-01-01' })).toMatch(/1900/);
  });
  it('not_before: both fields named; the intent checks the partner exists', () => {
    const base = { key: 'trip', prefix: 'TRP', name: label, description: label, examples: { zh: [], en: [] }, route: { steps: [{ name: label, approvers: { rule: 'manager' } }] } };
    const start = { name: 'start_date', type: 'date', label: { zh: '出发日期', en: 'Start date' } };
    const intent = intentSchema.parse({ ...base, fields: [start, { name: 'end_date', type: 'date', label: { zh: '返回日期', en: 'End date' }, not_before: 'start_date' }] });
    const p = draftProblems(intent, { start_date: '2026-11-20', end_date: '2026-11-18' }, ctx);
    expect(p.map((x) => x.message.en)).toEqual(['End date (2026-11-18) is before Start date (2026-11-20); please correct one of them']);
    expect(draftProblems(intent, { start_date: '2026-11-18', end_date: '2026-11-18' }, ctx)).toEqual([]);
    expect(intentSchema.safeParse({ ...base, fields: [start, { name: 'end_date', type: 'date', label, not_before: 'nope' }] }).success).toBe(false);
  });
});
