import { describe, expect, it } from 'vitest';
import { compareMoney, formatMoney, moneyToFen, normalizeMoney } from '../../../src/core/money.ts';

describe('money', () => {
  it.each([
    ['3560', '3560.00'], ['1,250.5', '1250.50'], ['¥8,999', '8999.00'], ['￥0.1', '0.10'], ['12.345', '12.35'], ['12.344', '12.34'],
    ['-5', '-5.00'], ['3560元', '3560.00'], ['abc', null], ['', null], ['1.2.3', null],
  ] as [string, string | null][])('normalizeMoney(%s) = %s', (input, out) => {
    expect(normalizeMoney(input)).toBe(out);
  });
  it('numbers go through two decimals, not float sums', () => {
    expect(normalizeMoney(0.1 + 0.2)).toBe('0.30');
    expect(moneyToFen('0.10') + moneyToFen('0.20')).toBe(30n);
  });
  it('compares decimals exactly', () => {
    expect(compareMoney('5000.01', '5000')).toBe(1);
    expect(compareMoney('5000.00', '5000')).toBe(0);
    expect(compareMoney('99999999999999.99', '99999999999999.98')).toBe(1);
  });
  it('formats with thousands separators', () => {
    expect(formatMoney('1234567.80')).toBe('1,234,567.80');
    expect(formatMoney('-1000.00')).toBe('-1,000.00');
  });
});
