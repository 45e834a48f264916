import { describe, expect, it } from 'vitest';
import { findItem } from '../../../src/conversation/extractors/item-extractor.ts';
import { bestQuantity, findQuantities } from '../../../src/conversation/extractors/quantity-extractor.ts';
import { parseQuantity } from '../../../src/conversation/extractors/quantity-expression.ts';

describe('quantity and item in a message', () => {
  it.each([
    ['打算采购12台投影仪，预算9万', 12, '投影仪'],
    ['想订一批复印纸，40箱', 40, '复印纸'],
    ['要采购一台交换机，找华为买', 1, '交换机'],
    ['产线领料：M6螺母 800个', 800, 'M6螺母'],
    ['我得领15卷封箱胶带', 15, '封箱胶带'],
    ['从三号库房领200米网线', 200, '网线'],
    ['采购申请：会议桌8张，每张900', 8, '会议桌'],
    ['领用5箱打印纸', 5, '打印纸'],
    ['两吨钢板', 2, '钢板'],
    ['申请领用劳保手套30双', 30, '劳保手套'],
    ['4 keyboards from Logitech', 4, 'keyboards'],
    ['buy 10 laptops for the new hires', 10, 'laptops'],
    ['5 boxes of A4 paper', 5, 'A4 paper'],
    ['requisition 40 meters of copper wire', 40, 'copper wire'],
    ['take 12 boxes of screws from the main warehouse', 12, 'screws'],
    ['采购三台空调，月底前到', 3, '空调'],
    ['硒鼓 x12', 12, '硒鼓'],
  ])('%s → %d × %s', (text, qty, item) => {
    const qs = findQuantities(text);
    expect(bestQuantity(qs)?.value).toBe(qty);
    expect(findItem(text, qs)).toBe(item);
  });
  it('uses a verb when there is no count', () => {
    expect(findItem('想买点打印纸', findQuantities('想买点打印纸'))).toBe('打印纸');
    expect(findItem('I want to buy office chairs for the team', [])).toBe('office chairs');
  });
  it.each([['10', 10], ['十个', 10], ['两箱', 2], ['20 boxes', 20], ['1,000', 1000], ['x5', 5], ['数量：8', 8]])('parseQuantity(%j) = %d', (s, n) => {
    expect(parseQuantity(s)).toBe(n);
  });
  it('does not count days, money or dates', () => {
    expect(bestQuantity(findQuantities('出差三天花了45 yuan, 3 days'))).toBeUndefined();
  });
});
