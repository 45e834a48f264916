import { describe, expect, it } from 'vitest';
import type { FieldDefinition } from '../../../src/config/intent-schema.ts';
import { coerceFieldValue } from '../../../src/conversation/field-coercion.ts';
import { field } from './catalog-fixture.ts';

const ctx = { now: new Date('2026-11-23T10:00:00+08:00'), timeZone: 'Asia/Shanghai' };
const ok = (f: FieldDefinition, input: unknown): unknown => {
  const r = coerceFieldValue(f, input, ctx);
  return r.ok ? r.value : `ERR ${r.message.en}`;
};

describe('coerceFieldValue', () => {
  const amount = field('expense_claim', 'amount');
  it.each([
    ['3000', '3000.00'], [3000, '3000.00'], ['8万', '80000.00'], ['一千二', '1200.00'], ['1.2k', '1200.00'], ['¥8,999', '8999.00'], ['3.5w', '35000.00'],
    ['两万五', '25000.00'], [1250.5, '1250.50'], ['0.015', '0.02'], ['86块', '86.00'],
  ])('money %j → %s', (input, expected) => {
    expect(ok(amount, input)).toBe(expected);
  });
  it('money: rejects garbage and out-of-range values with both languages', () => {
    const r = coerceFieldValue(amount, 'lots', ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.zh).toMatch(/金额/);
    expect(coerceFieldValue(amount, '0', ctx).ok).toBe(false);
    expect(coerceFieldValue({ ...amount, max: 100 }, '101', ctx).ok).toBe(false);
  });
  const quantity = field('purchase_request', 'quantity');
  it.each([['10', 10], [10, 10], ['十', 10], ['两百', 200], ['20台', 20], ['20 boxes', 20]])('number %j → %d', (input, expected) => {
    expect(ok(quantity, input)).toBe(expected);
  });
  it('number: min is checked', () => {
    expect(coerceFieldValue(quantity, '0', ctx).ok).toBe(false);
    expect(coerceFieldValue(quantity, 'many', ctx).ok).toBe(false);
  });
  const date = field('expense_claim', 'date');
  it.each([
    ['昨天', '2026-11-22'], ['2026-11-03', '2026-11-03'], ['2026-1-3', '2026-01-03'], ['11月3日', '2026-11-03'], ['上周三', '2026-11-18'], ['yesterday', '2026-11-22'],
    ['Dec 15', '2026-12-15'], [new Date('2026-11-20T18:00:00Z'), '2026-11-21'],
  ])('date %j → %s', (input, expected) => {
    expect(ok(date, input)).toBe(expected);
  });
  it('date: rejects non-dates and impossible dates', () => {
    expect(coerceFieldValue(date, '2026-02-30', ctx).ok).toBe(false);
    expect(coerceFieldValue(date, 'soon', ctx).ok).toBe(false);
  });
  const period = field('travel_expense', 'period');
  it.each([['本月', '2026-11'], ['上个月', '2026-10'], ['2026-11', '2026-11'], ['2026年3月', '2026-03'], ['last month', '2026-10'], ['昨天', '2026-11']])('month %j → %s', (input, expected) => {
    expect(ok(period, input)).toBe(expected);
  });
  const range: FieldDefinition = { name: 'trip', type: 'date_range', label: { zh: '行程', en: 'Trip' }, required: false };
  it('date_range from text or object', () => {
    expect(ok(range, '10月8日到10月10日')).toEqual({ start: '2026-10-08', end: '2026-10-10' });
    expect(ok(range, { start: '昨天', end: '今天' })).toEqual({ start: '2026-11-22', end: '2026-11-23' });
    expect(coerceFieldValue(range, { start: '2026-11-05', end: '2026-11-03' }, ctx).ok).toBe(false);
  });
  const category = field('expense_claim', 'category');
  it.each([['meal', 'meal'], ['餐费', 'meal'], ['Transport', 'transport'], ['打车', 'transport'], ['招待费', 'entertainment'], ['话费', 'communication']])('enum %j → %s', (input, expected) => {
    expect(ok(category, input)).toBe(expected);
  });
  it('enum: unknown option lists the choices', () => {
    const r = coerceFieldValue(category, '火箭', ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.zh).toContain('餐费');
  });
  const text = field('travel_expense', 'destination');
  it('text: trimmed, non-empty, at most 500 characters', () => {
    expect(ok(text, '  北京 ')).toBe('北京');
    expect(coerceFieldValue(text, '   ', ctx).ok).toBe(false);
    expect(coerceFieldValue(text, 'x'.repeat(501), ctx).ok).toBe(false);
    expect(coerceFieldValue(text, { a: 1 }, ctx).ok).toBe(false);
  });
  it('user and attachment: non-empty strings', () => {
    const user: FieldDefinition = { name: 'approver', type: 'user', label: { zh: '人', en: 'User' }, required: false };
    const file: FieldDefinition = { name: 'invoice', type: 'attachment', label: { zh: '附件', en: 'File' }, required: false };
    expect(ok(user, 'ou_123')).toBe('ou_123');
    expect(coerceFieldValue(user, '', ctx).ok).toBe(false);
    expect(ok(file, 'file-key-1')).toBe('file-key-1');
  });
});
