import { describe, expect, it } from 'vitest';
import { parseAmount } from '../../../src/conversation/extractors/amount-expression.ts';
import { findDates } from '../../../src/conversation/extractors/date-extractor.ts';
import { findMoney } from '../../../src/conversation/extractors/money-extractor.ts';

/** Formal numerals, yuan + jiao, magnitudes; shorthand day ranges with the year from the injected clock. */
const NOW = new Date('2026-12-06T10:00:00+08:00');
const TZ = 'Asia/Shanghai';

describe('amounts', () => {
  it.each<[string, number]>([
    ['叁仟元整', 3000], ['壹万贰仟叁佰元整', 12300], ['伍佰圆整', 500], ['叁佰元伍角贰分', 300.52],
    ['12块8', 12.8], ['5元5角', 5.5], ['3毛5', 0.35], ['8毛', 0.8],
    ['1.5M', 1_500_000], ['2k', 2000], ['1.2w', 12000], ['3.5万', 35000],
  ])('parseAmount(%s) = %s', (input, value) => {
    expect(parseAmount(input)).toBe(value);
  });

  it.each<[string, number]>([
    ['停车交了叁佰元整', 300], ['打车12块8', 12.8], ['瓶装水3毛5', 0.35], ['budget 1.5M for the line', 1_500_000],
    ['采购预算2k', 2000], ['报销1.2w', 12000], ['付款 壹万贰仟叁佰元整', 12300],
  ])('findMoney(%s) best = %s', (text, value) => {
    expect(findMoney(text)[0]?.value).toBe(value);
  });

  it('towels, sweaters and metres are not money', () => {
    expect(findMoney('买3毛巾').map((m) => m.value)).not.toContain(0.3);
    expect(findMoney('两件毛衣')).toEqual([]);
    expect(findMoney('cable 5m long')).toEqual([]);
  });
});

describe('day ranges', () => {
  const range = (text: string, now = NOW) => findDates(text, now, TZ).ranges[0]?.value;
  it.each<[string, { start: string; end: string }]>([
    ['11月28到30号在杭州', { start: '2026-11-28', end: '2026-11-30' }],
    ['十一月二十到二十二号', { start: '2026-11-20', end: '2026-11-22' }],
    ['10月31到11月2号', { start: '2026-10-31', end: '2026-11-02' }],
    ['1.10-1.12 在成都', { start: '2027-01-10', end: '2027-01-12' }],
    ['1/10–1/12 在成都', { start: '2027-01-10', end: '2027-01-12' }],
    ['trip 11/9-11/12 to Hefei', { start: '2026-11-09', end: '2026-11-12' }],
    ['12.30-1.2 哈尔滨', { start: '2026-12-30', end: '2027-01-02' }],
    ['11.3-5 南京', { start: '2026-11-03', end: '2026-11-05' }],
    ['from the 3rd to the 5th in Xiamen', { start: '2026-12-03', end: '2026-12-05' }],
    ['下周一到周三', { start: '2026-12-07', end: '2026-12-09' }],
    ['上周四到周六', { start: '2026-11-26', end: '2026-11-28' }],
  ])('%s', (text, expected) => {
    expect(range(text)).toEqual(expected);
  });

  it('a dotted pair alone is an amount, not a date', () => {
    expect(findDates('报销 1.5 元', NOW, TZ).days).toEqual([]);
  });

  it('the year comes from the clock: in January, a December range is last year', () => {
    expect(range('12.28-12.30 出差', new Date('2027-01-04T10:00:00+08:00'))).toEqual({ start: '2026-12-28', end: '2026-12-30' });
  });
});
