import { describe, expect, it } from 'vitest';
import { matchRecords, type Matchable, type MatchResult } from '../../../src/master-data/name-match.ts';

// Invented companies: none of these is meant to be a real one.
const records: Matchable[] = [
  { name: '深圳市鲲鹏云技术有限公司', code: 'S-0001' },
  { name: '鲲鹏云终端有限公司', code: 'S-0002' },
  { name: '北京宏达贸易有限公司', code: 'S-0101' },
  { name: '上海宏达科技有限公司', code: 'S-0102' },
  { name: '木森家居（中国）有限公司', code: 'S-0200', aliases: ['木森'] },
  { name: 'Bluepeak Widgets Co., Ltd.', code: 'BPW' },
  { name: 'Northwind Supplies Inc.', code: 'NWS', aliases: ['NW Supplies'] },
  { name: '杭州青禾股份有限公司', code: 'S-0300' },
  { name: '浙江青禾集团', code: 'S-0301' },
];

const names = (r: MatchResult<Matchable>): string[] => (r.type === 'unique' ? [r.record.name] : r.type === 'ambiguous' ? r.candidates.map((c) => c.name) : r.suggestions.map((c) => c.name));

describe('matchRecords', () => {
  it.each([
    ['深圳市鲲鹏云技术有限公司', '深圳市鲲鹏云技术有限公司', 'name'],
    ['深圳市 鲲鹏云技术 有限公司', '深圳市鲲鹏云技术有限公司', 'name'],
    ['bluepeak widgets co ltd', 'Bluepeak Widgets Co., Ltd.', 'name'],
    ['ＢＬＵＥＰＥＡＫ Widgets Co., Ltd', 'Bluepeak Widgets Co., Ltd.', 'name'],
    ['nw supplies', 'Northwind Supplies Inc.', 'alias'],
    ['s-0102', '上海宏达科技有限公司', 'code'],
    ['BPW', 'Bluepeak Widgets Co., Ltd.', 'code'],
  ])('exact: %s → %s (by %s)', (text, name, by) => {
    const r = matchRecords(records, text);
    expect(r).toMatchObject({ type: 'unique', by });
    expect(names(r)).toEqual([name]);
  });

  it('a short name drops legal forms, trade words and the leading city', () => {
    expect(names(matchRecords(records, '鲲鹏云'))).toEqual(['深圳市鲲鹏云技术有限公司']);
    expect(matchRecords(records, '鲲鹏云')).toMatchObject({ type: 'unique', by: 'short' });
    expect(names(matchRecords(records, '深圳鲲鹏云'))).toEqual(['深圳市鲲鹏云技术有限公司']);
    expect(names(matchRecords(records, '鲲鹏云技术'))).toEqual(['深圳市鲲鹏云技术有限公司']);
    expect(names(matchRecords(records, 'Bluepeak Widgets'))).toEqual(['Bluepeak Widgets Co., Ltd.']);
  });

  it('the same short name in two cities is ambiguous; naming the city decides', () => {
    const r = matchRecords(records, '宏达');
    expect(r.type).toBe('ambiguous');
    expect(names(r).sort()).toEqual(['上海宏达科技有限公司', '北京宏达贸易有限公司']);
    expect(names(matchRecords(records, '上海宏达'))).toEqual(['上海宏达科技有限公司']);
  });

  it('short names from two forms of one group are both offered', () => {
    const r = matchRecords(records, '青禾');
    expect(r.type).toBe('ambiguous');
    expect(names(r).sort()).toEqual(['杭州青禾股份有限公司', '浙江青禾集团']);
  });

  it('part of a name, and a short name inside a longer answer', () => {
    expect(names(matchRecords(records, '木森家居'))).toEqual(['木森家居（中国）有限公司']);
    expect(names(matchRecords(records, '找木森买'))).toEqual(['木森家居（中国）有限公司']);
    expect(names(matchRecords(records, 'Bluepeak'))).toEqual(['Bluepeak Widgets Co., Ltd.']);
    expect(matchRecords(records, 'Bluepeak')).toMatchObject({ type: 'unique', by: 'partial' });
    expect(names(matchRecords(records, 'from Northwind please'))).toEqual(['Northwind Supplies Inc.']);
  });

  it('Latin text matches whole words only, and one Han character or two letters mean nothing', () => {
    expect(matchRecords(records, 'blue').type).toBe('none');
    expect(matchRecords(records, '宏').type).toBe('none');
    expect(matchRecords(records, 'wi').type).toBe('none');
    expect(matchRecords(records, '  ').type).toBe('none');
  });

  it('nothing: names that look alike are suggested (at most three), else none', () => {
    const r = matchRecords(records, '鲲鹏去');
    expect(r.type).toBe('none');
    expect(names(r).length).toBeGreaterThan(0);
    expect(names(r).length).toBeLessThanOrEqual(3);
    expect(names(r)[0]).toMatch(/鲲鹏云/);
    expect(matchRecords(records, '完全无关的名字')).toEqual({ type: 'none', suggestions: [] });
  });

  it('an exact name wins over short names that would be ambiguous', () => {
    const twins: Matchable[] = [{ name: '宏达' }, { name: '北京宏达贸易有限公司' }, { name: '上海宏达科技有限公司' }];
    expect(names(matchRecords(twins, '宏达'))).toEqual(['宏达']);
  });

  it('is fast: 5,000 records, 200 lookups well under a second after the first', () => {
    const many: Matchable[] = Array.from({ length: 5000 }, (_, i) => ({ name: `测试${String.fromCharCode(0x4e00 + (i % 500))}${i}号商贸有限公司`, code: `C${i}` }));
    matchRecords(many, 'warm-up');
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) matchRecords(many, `测试${String.fromCharCode(0x4e00 + (i % 500))}${i}号`);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(names(matchRecords(many, 'c4321'))).toEqual([many[4321]!.name]);
  });
});
