import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../../src/conversation/text-findings.ts';

const now = new Date('2026-11-23T10:00:00+08:00');
const best = (text: string): number | undefined => analyzeText(text, now, 'Asia/Shanghai').money[0]?.value;

describe('money in a message', () => {
  it.each([
    ['预算8万', 80000],
    ['一共花掉一千二，麻烦报一下', 1200],
    ['差旅，珠海，1,380.40元', 1380.4],
    ['折叠桌15张，每张800，共1.2万', 12000],
    ['想采购6台平板，预算三万五', 35000],
    ['给某公司付款12万，合同号HT-2026-018', 120000],
    ['付款 ¥8,999', 8999],
    ['过路费40，上周五的', 40],
    ['打车 86块', 86],
    ['10月8日到10月10日在上海，花了2800', 2800],
    ['budget 4500 for 3 monitors', 4500],
    ['pay ACME Ltd 15,000 by Friday', 15000],
    ['an agreement worth 2.4 million to approve', 2_400_000],
    ['claiming 45 yuan spent on a cab ride', 45],
    ['order 10 laptops, about 80k', 80000],
    ['大概6万5', 65000],
    ['住宿一千八', 1800],
    ['宽带一年一千零八十', 1080],
    ['3.5w的预算', 35000],
    ['RMB 560 for dinner', 560],
  ])('%s → %d', (text, expected) => {
    expect(best(text)).toBe(expected);
  });
  it.each([
    '领用5箱打印纸', '从三号库房领200米网线', '出差三天', '10 laptops from Dell', 'M6螺母 800个', '合同号HT-2026-018', '2026-11-03', '买A4纸',
  ])('finds no money in %s', (text) => {
    expect(best(text)).toBeUndefined();
  });
});
