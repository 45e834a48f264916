import { describe, expect, it } from 'vitest';
import { findDates } from '../../../src/conversation/extractors/date-extractor.ts';

const TZ = 'Asia/Shanghai';
const MON = '2026-11-23T10:00:00+08:00';
const day = (text: string, now = MON): string | undefined => findDates(text, new Date(now), TZ).days[0]?.value;
const month = (text: string, now = MON): string | undefined => findDates(text, new Date(now), TZ).months[0]?.value;
const range = (text: string, now = MON): { start: string; end: string } | undefined => findDates(text, new Date(now), TZ).ranges[0]?.value;

describe('days', () => {
  it.each([
    ['今天', MON, '2026-11-23'], ['昨天', MON, '2026-11-22'], ['前天', MON, '2026-11-21'], ['大前天', MON, '2026-11-20'], ['明天', MON, '2026-11-24'],
    ['本周一', MON, '2026-11-23'], ['上周三', MON, '2026-11-18'], ['下周五', MON, '2026-12-04'], ['周三打车', MON, '2026-11-18'], ['周五前付款', MON, '2026-11-27'],
    ['月底', MON, '2026-11-30'], ['月底前付', '2026-02-10T10:00:00+08:00', '2026-02-28'], ['月底', '2028-02-03T10:00:00+08:00', '2028-02-29'],
    ['下个月底', '2026-12-05T10:00:00+08:00', '2027-01-31'], ['11月3日', MON, '2026-11-03'], ['10号', MON, '2026-11-10'], ['2026-11-03', MON, '2026-11-03'],
    ['2026年11月3日', MON, '2026-11-03'], ['12月30日', '2026-01-02T10:00:00+08:00', '2025-12-30'], ['1月2日', '2026-12-30T10:00:00+08:00', '2027-01-02'],
    ['三天前', MON, '2026-11-20'], ['昨天', '2026-03-01T09:00:00+08:00', '2026-02-28'], ['昨天', '2028-03-01T09:00:00+08:00', '2028-02-29'],
    ['昨天', '2026-01-01T00:30:00+08:00', '2025-12-31'], ['11/20', MON, '2026-11-20'],
  ])('%s (now %s) → %s', (text, now, expected) => {
    expect(day(text, now)).toBe(expected);
  });
  it.each([
    ['yesterday', '2026-11-22'], ['today', '2026-11-23'], ['last Friday', '2026-11-20'], ['pay by Friday', '2026-11-27'], ['Dec 15', '2026-12-15'],
    ['on Nov 3', '2026-11-03'], ['3 days ago', '2026-11-20'], ['next Monday', '2026-11-30'], ['due by the end of month', '2026-11-30'], ['December 1st', '2026-12-01'],
    ['taxi on Wednesday', '2026-11-18'], ['tomorrow', '2026-11-24'],
  ])('%s → %s', (text, expected) => {
    expect(day(text)).toBe(expected);
  });
  it('ignores warehouse numbers and durations', () => {
    expect(day('从二号仓库领')).toBeUndefined();
    expect(day('出差三天')).toBeUndefined();
  });
});

describe('months', () => {
  it.each([
    ['这个月的差旅费', MON, '2026-11'], ['本月', '2026-03-31T18:00:00+08:00', '2026-03'], ['上个月', MON, '2026-10'], ['上个月', '2026-01-02T10:00:00+08:00', '2025-12'],
    ['下个月', '2026-12-15T10:00:00+08:00', '2027-01'], ['10月份', MON, '2026-10'], ['12月', '2026-01-05T10:00:00+08:00', '2025-12'], ['去年12月', MON, '2025-12'],
    ['this month', MON, '2026-11'], ['last month', '2026-01-05T10:00:00+08:00', '2025-12'], ["last month's trip", MON, '2026-10'], ['for October', MON, '2026-10'],
    ['next month', MON, '2026-12'], ['in December 2025', MON, '2025-12'], ['本月 UTC edge', '2026-10-31T17:00:00Z', '2026-11'],
  ])('%s (now %s) → %s', (text, now, expected) => {
    expect(month(text, now)).toBe(expected);
  });
});

describe('ranges', () => {
  it.each([
    ['10月8日到10月10日', { start: '2026-10-08', end: '2026-10-10' }],
    ['11月3日-5日', { start: '2026-11-03', end: '2026-11-05' }],
    ['3号至5号', { start: '2026-11-03', end: '2026-11-05' }],
    ['2026-11-01~2026-11-04', { start: '2026-11-01', end: '2026-11-04' }],
    ['from Nov 3 to Nov 5', { start: '2026-11-03', end: '2026-11-05' }],
    ['Nov 3-5', { start: '2026-11-03', end: '2026-11-05' }],
    ['上周一到上周三', { start: '2026-11-16', end: '2026-11-18' }],
  ])('%s', (text, expected) => {
    expect(range(text)).toEqual(expected);
  });
  it('crosses the year boundary', () => {
    expect(range('12月30日到1月2日', '2026-01-05T10:00:00+08:00')).toEqual({ start: '2025-12-30', end: '2026-01-02' });
  });
});
