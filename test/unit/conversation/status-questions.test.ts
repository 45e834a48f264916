import { describe, expect, it } from 'vitest';
import { questionForm } from '../../../src/conversation/classifier/status-cues.ts';
import { OfflineResolver } from '../../../src/conversation/offline-resolver.ts';
import { withStatusAbout } from '../../../src/conversation/status-about.ts';
import { pickRequests } from '../../../src/conversation/status-reply.ts';
import type { RequestErpDoc, RequestRecord } from '../../../src/workflow/request-repo.ts';
import { catalog } from './catalog-fixture.ts';

const resolver = new OfflineResolver(catalog);
const now = new Date('2026-11-23T10:00:00+08:00');
const intentOf = (text: string): string => {
  const c = resolver.resolveSync(text, { now, timeZone: 'Asia/Shanghai', locale: 'zh', dialog: null, catalog }).commands[0];
  return c?.type === 'start_intent' ? c.intent : c?.type ?? 'none';
};

describe('the shape of a question', () => {
  it.each([
    '凭证做好了吗', '那笔钱汇出去没有', '审没审', '有没有入账', '现在停在哪一步', '还在财务那边吗',
    'has it been booked', 'did anyone pay it', 'was the invoice settled', 'where does it stand', 'who has it now', 'when will it clear',
  ])('asks about progress: %s', (text) => {
    expect(questionForm(text)).toBe('progress');
  });
  it.each(['怎么报销打车费', '可以报销吗', 'how do I claim a taxi', 'can I expense a gift'])('asks how: %s', (text) => {
    expect(questionForm(text)).toBe('how');
  });
  it.each(['报销打车费 50', '已经付了押金 300', 'pay the invoice from Foo Ltd'])('asks nothing: %s', (text) => {
    expect(questionForm(text)).toBeNull();
  });
});

describe('status questions, not new drafts', () => {
  it.each([
    ['出差那笔住宿费的钱汇给我没有', 'status_query'],
    ['会计把差旅单据入账了吗', 'status_query'],
    ['付给物流公司的运费打出去了没', 'status_query'],
    ['has accounting booked the hotel claim', 'status_query'],
    ['did the taxi money reach my account', 'status_query'],
    ['PAY-202611-0007 到哪了', 'status_query'],
    // Asking for one, in the same words, is still a request.
    ['给物流公司打款运费 900', 'payment_request'],
    ['报销出差住宿费 640，已经付了', 'travel_expense'],
    ['怎么报销出差的住宿费', 'travel_expense'],
  ])('%s → %s', (text, intent) => {
    expect(intentOf(text)).toBe(intent);
  });
  it.each([
    ['不是出差，是市内打车 26 元', 'expense_claim'],
    ['别走付款，我要采购两台投影仪', 'purchase_request'],
    ['not a purchase, I want to withdraw 4 helmets from the warehouse', 'material_requisition'],
    ['instead of a travel claim, expense a team lunch of 300', 'expense_claim'],
  ])('a kind ruled out: %s → %s', (text, intent) => {
    expect(intentOf(text)).toBe(intent);
  });
});

const request = (over: Partial<RequestRecord>): RequestRecord => ({
  id: over.number ?? 'x', tenantId: 'default', number: 'TRV-202611-0001', intentKey: 'travel_expense', intentVersion: 1, requesterId: 'u', status: 'approved',
  currentStep: 0, revision: 1, fields: {}, amount: null, steps: [], erpStatus: 'created', erpRef: null, origin: { platform: 'console', botId: 'console' },
  rejectReason: null, version: 1, createdAt: now, updatedAt: now, submittedAt: now, decidedAt: null, erpOrigin: null, ...over,
});

describe('which request a question means', () => {
  const a = request({ number: 'TRV-202611-0001', amount: '980.00', fields: { destination: '兰州', start_date: '2026-11-02' } });
  const b = request({ number: 'TRV-202611-0002', amount: '2400.00', fields: { destination: '大理', start_date: '2026-11-09' } });
  const docs = new Map<string, RequestErpDoc>([[b.id, { number: 'AP-5521', status: 'paid', amount: '2400.00', paidAmount: '2400.00', postedAt: now, paidAt: now, bankRef: null, connector: 'sandbox', voucher: null, lastError: null }]]);
  const about = (text: string) => {
    const c = withStatusAbout([{ type: 'status_query', filters: { intent: 'travel_expense' } }], text, now, 'Asia/Shanghai')[0];
    return c?.type === 'status_query' ? c.filters ?? {} : {};
  };
  it.each([
    ['大理那趟报销付了吗', 'TRV-202611-0002'],
    ['980 的那张出差报销批了没', 'TRV-202611-0001'],
    ['AP-5521 到账了吗', 'TRV-202611-0002'],
    ['11月2日出发那次的差旅款到了吗', 'TRV-202611-0001'],
  ])('%s → %s', (text, number) => {
    const { matches, identified } = pickRequests([a, b], docs, about(text), 'Asia/Shanghai');
    expect([matches.map((r) => r.number), identified]).toEqual([[number], true]);
  });
  it('a question that names neither: both', () => {
    expect(pickRequests([a, b], docs, about('差旅报销都到哪了'), 'Asia/Shanghai').matches).toHaveLength(2);
  });
});
