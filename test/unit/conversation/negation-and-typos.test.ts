import { describe, expect, it } from 'vitest';
import { maskSpans, negatedSpans, spanText } from '../../../src/conversation/classifier/negation-scope.ts';
import { COMMON_ENGLISH } from '../../../src/conversation/classifier/common-words.ts';
import { TypoTolerance, withinOneEdit } from '../../../src/conversation/classifier/typo-tolerance.ts';

const negated = (text: string): string[] => negatedSpans(text).map((s) => text.slice(s.start, s.end).trim());

describe('negation scope', () => {
  it.each([
    ['别当成出差，这是市区里的打车费', ['成出差']],
    ['不算采购，直接从库房拿', ['采购']],
    ['这次不走合同流程，而是直接付款', ['合同流程']],
    ['不要按差旅报，按日常报销', ['按差旅报']],
    ['并非领料，是买新的', ['领料']],
    ['not a trip claim but a plain expense', ['a trip claim']],
    ['file it as an expense instead of a travel claim, taxi 30', ['a travel claim']],
    ['a payment rather than a contract: wire Foo Ltd 800', ['a contract']],
    ["don't file this as travel, it's a meal", ['travel']],
  ])('%s → %j', (text, spans) => {
    expect(negated(text)).toEqual(spans);
  });

  it.each([
    '是不是还没批',
    '要不要走采购流程',
    '算了不要了',
    'why is my claim not paid yet',
    'has it not been approved',
    '这笔钱还没到账',
  ])('leaves questions and cancels alone: %s', (text) => {
    expect(negatedSpans(text)).toEqual([]);
  });

  it('masks without moving the rest of the text', () => {
    const text = '不是差旅，是报销，120元';
    const spans = negatedSpans(text);
    const masked = maskSpans(text, spans);
    expect(masked).toHaveLength(text.length);
    expect(masked).not.toContain('差旅');
    expect(masked.slice(masked.indexOf('120'))).toBe('120元');
    expect(spanText(text, spans)).toBe('差旅');
  });
});

describe('typo tolerance', () => {
  const t = new TypoTolerance(['报销', '差旅', '采购', '应付', '打车', '打的', 'purchase', 'reimbursement', 'contract', 'lease', 'order'], [...COMMON_ENGLISH, 'please send the order form today']);

  it('one edit: insertion, deletion, substitution, neighbours swapped', () => {
    expect(withinOneEdit('contarct', 'contract')).toBe(true);
    expect(withinOneEdit('purchse', 'purchase')).toBe(true);
    expect(withinOneEdit('purchasse', 'purchase')).toBe(true);
    expect(withinOneEdit('purchaze', 'purchase')).toBe(true);
    expect(withinOneEdit('prchse', 'purchase')).toBe(false);
  });

  it.each([
    ['reimbursment for a cab', 'reimbursement for a cab'],
    ['new contarct with Foo', 'new contract with Foo'],
    ['purchse two desks', 'purchase two desks'],
    ['差侣费报一下', '差旅费报一下'],
    ['采够三台投影仪', '采购三台投影仪'],
  ])('rewrites %s', (text, fixed) => {
    expect(t.correct(text)).toBe(fixed);
  });

  it.each([
    'please check it',
    'an older laptop',
    '写一份报告',
    '供应商是宜家',
    '钱付了没',
    '打款给对方',
    'Bosch and Siemens',
  ])('leaves real words alone: %s', (text) => {
    expect(t.correct(text)).toBe(text);
  });
});
