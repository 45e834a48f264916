import { describe, expect, it } from 'vitest';
import { parseAmount } from '../../../src/conversation/extractors/amount-expression.ts';
import { parseChineseNumber } from '../../../src/conversation/extractors/chinese-numerals.ts';

describe('parseChineseNumber', () => {
  it.each([
    ['一千二', 1200], ['两万五', 25000], ['三百五', 350], ['十五', 15], ['二十', 20], ['一万零五百', 10500], ['三百零五', 305],
    ['6万5', 65000], ['1.2万', 12000], ['150万', 1_500_000], ['一亿', 100_000_000], ['九千九百九十九', 9999], ['两', 2],
    ['二〇二六', 2026], ['十', 10], ['一百', 100], ['3千5', 3500], ['壹仟贰佰', 1200],
  ])('%s → %d', (input, expected) => {
    expect(parseChineseNumber(input)).toBe(expected);
  });
  it.each(['', '万', 'abc', '一二三四x'])('rejects %j', (input) => {
    expect(parseChineseNumber(input)).toBeNull();
  });
});

describe('parseAmount', () => {
  it.each([
    ['8万', 80000], ['一千二', 1200], ['1.2k', 1200], ['¥8,999', 8999], ['3.5w', 35000], ['86块', 86], ['15,000元', 15000],
    ['2.4 million', 2_400_000], ['RMB 500', 500], ['两万五千元', 25000], ['300k', 300_000], ['1,250.50', 1250.5], ['￥99.9', 99.9],
    ['45 yuan', 45], ['5 thousand', 5000], ['3千', 3000], ['100块钱', 100], [3560, 3560],
  ])('%j → %d', (input, expected) => {
    expect(parseAmount(input)).toBe(expected);
  });
  it.each(['abc', '', '元', 'ten dollars'])('rejects %j', (input) => {
    expect(parseAmount(input)).toBeNull();
  });
});
