import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../../src/conversation/text-findings.ts';

const now = new Date('2026-11-23T10:00:00+08:00');
const best = (text: string): number | undefined => analyzeText(text, now, 'Asia/Shanghai').money[0]?.value;

describe('money in a message', () => {
  it.each([
    ['预算8万', 80000],
    ['花了一千二，帮我报了', 1200],
    ['出差报销，深圳，1,250.50元', 1250.5],
    ['办公椅20把，每把600，共1.2万', 12000],
    ['申请采购10台电脑，预算三万五', 35000],
    ['给某公司付款12万，合同号HT-2026-018', 120000],
    ['付款 ¥8,999', 8999],
    ['停车费30，前天的', 30],
    ['打车 86块', 86],
    ['11月3日到11月5日在上海，花了2800', 2800],
    ['budget 4500 for 3 monitors', 4500],
    ['pay ACME Ltd 15,000 by Friday', 15000],
    ['contract for 2.4 million needs sign-off', 2_400_000],
    ['I need to claim 45 yuan for a taxi', 45],
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
    '领用5箱打印纸', '从二号仓库领300米电缆', '出差三天', '10 laptops from Dell', 'M8螺丝 500个', '合同号HT-2026-018', '2026-11-03', '买A4纸',
  ])('finds no money in %s', (text) => {
    expect(best(text)).toBeUndefined();
  });
});
