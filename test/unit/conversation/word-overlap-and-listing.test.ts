import { describe, expect, it } from 'vitest';
import { KeywordMatcher } from '../../../src/conversation/classifier/keyword-matcher.ts';
import { questionForm } from '../../../src/conversation/classifier/status-cues.ts';
import { OfflineResolver } from '../../../src/conversation/offline-resolver.ts';
import { catalog } from './catalog-fixture.ts';

const resolver = new OfflineResolver(catalog);
const now = new Date('2026-11-23T10:00:00+08:00');
const intentOf = (text: string): string => {
  const c = resolver.resolveSync(text, { now, timeZone: 'Asia/Shanghai', locale: 'zh', dialog: null, catalog }).commands[0];
  return c?.type === 'start_intent' ? c.intent : c?.type ?? 'none';
};

describe('the longest catalog word at a place is the one meant', () => {
  it('a keyword inside a longer word of another intent does not count; on its own it does', () => {
    const m = new KeywordMatcher(['路费'], ['过路费', '路费']);
    expect(m.count('高速上交了过路费')).toBe(0);
    expect(m.count('来回路费报一下')).toBe(1);
    expect(m.count('过路费和路费')).toBe(1);
  });
  it.each([
    ['跑业务的过路费 38 报一下', 'expense_claim'],
    ['给厂车加了油，油费 260', 'expense_claim'],
    ['tolls on the ring road, 25', 'expense_claim'],
  ])('%s → %s', (text, intent) => {
    expect(intentOf(text)).toBe(intent);
  });
});

describe('asking for a list of one’s own requests', () => {
  it.each(['show me all my reimbursements', 'list my stuff awaiting approval', 'which approvals do I have pending', '我提的那几张单子呢', '看一下我提交的'])(
    'is a status question: %s',
    (text) => {
      expect(questionForm(text)).toBe('progress');
      expect(intentOf(text)).toBe('status_query');
    },
  );
  it('a request to buy is still a request', () => {
    expect(intentOf('buy 3 chairs for the lobby')).toBe('purchase_request');
  });
});

describe('ruling out an option of a form is not ruling out the form', () => {
  it.each([
    ['别算招待，是我自己的晚饭 41', 'expense_claim'],
    ['不算差旅，市内打车 22', 'expense_claim'],
  ])('%s → %s', (text, intent) => {
    expect(intentOf(text)).toBe(intent);
  });
});

const fieldsOf = (text: string): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const c of resolver.resolveSync(text, { now, timeZone: 'Asia/Shanghai', locale: 'zh', dialog: null, catalog }).commands) {
    if (c.type === 'set_field') out[c.field] = c.value;
  }
  return out;
};

describe('everyday wording for a new request', () => {
  it('a count in formal numerals is a quantity', () => {
    expect(fieldsOf('申请购买 叁拾把 折叠凳')).toMatchObject({ item: '折叠凳', quantity: 30 });
  });
  it('给 right after the sum names the payee', () => {
    expect(fieldsOf('付款 陆仟元整 给恒达五金')).toMatchObject({ payee: '恒达五金', amount: '6000.00' });
  });
  it('with no buying verb, what a budget is for is the item', () => {
    expect(fieldsOf('set aside 900 for a new label printer, purchase please')).toMatchObject({ item: 'label printer' });
  });
  it.each([
    ["I'd like to get 3 tripods for the studio", 'purchase_request'],
    ['took the train to Wenzhou to see a supplier, 700', 'travel_expense'],
    ['anything new on the Globex agreement?', 'status_query'],
  ])('%s → %s', (text, intent) => {
    expect(intentOf(text)).toBe(intent);
  });
});

describe('status questions in other shapes, and the requests they resemble', () => {
  it.each([
    ['设备款那笔财务打过去了吧', 'status_query'],
    ['上周交的差旅单卡在哪', 'status_query'],
    ['book an expense instead of a payment: parking 40', 'expense_claim'],
    ['book a hotel in Xiamen for next week', 'none'],
  ])('%s → %s', (text, intent) => {
    expect(intentOf(text)).toBe(intent);
  });
  it('给 a name followed by the sum names the payee', () => {
    expect(fieldsOf('不走合同，是付款：给启明设计 4500')).toMatchObject({ payee: '启明设计', amount: '4500.00' });
  });
});
