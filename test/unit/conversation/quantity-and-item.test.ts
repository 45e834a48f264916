import { describe, expect, it } from 'vitest';
import { findItem } from '../../../src/conversation/extractors/item-extractor.ts';
import { bestQuantity, findQuantities } from '../../../src/conversation/extractors/quantity-extractor.ts';
import { parseQuantity } from '../../../src/conversation/extractors/quantity-expression.ts';

describe('quantity and item in a message', () => {
  it.each([
    ['申请采购10台笔记本电脑，预算8万', 10, '笔记本电脑'],
    ['我想买一批A4纸，50箱', 50, 'A4纸'],
    ['需要采购一台服务器，找联想买', 1, '服务器'],
    ['车间领料：M8螺丝 500个', 500, 'M8螺丝'],
    ['我要领20卷包装胶带', 20, '包装胶带'],
    ['从二号仓库领300米电缆', 300, '电缆'],
    ['采购申请：办公椅20把，每把600', 20, '办公椅'],
    ['领用5箱打印纸', 5, '打印纸'],
    ['两吨钢板', 2, '钢板'],
    ['申请领用劳保手套30双', 30, '劳保手套'],
    ['3 monitors from Dell', 3, 'monitors'],
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
