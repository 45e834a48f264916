import { describe, expect, it } from 'vitest';
import { buildRequestCard } from '../../../src/cards/request-card.ts';
import { buildStatusListCard } from '../../../src/cards/status-list-card.ts';
import type { IntentCatalog } from '../../../src/config/intent-catalog.ts';
import type { IntentDefinition } from '../../../src/config/intent-schema.ts';
import type { CardView, TimelineItem } from '../../../src/core/card-view.ts';
import type { Locale } from '../../../src/core/locale.ts';
import type { ErpStatus } from '../../../src/workflow/approval-states.ts';
import type { RequestErpDoc, RequestRecord, TaskRecord } from '../../../src/workflow/request-repo.ts';

const at = (iso: string): Date => new Date(iso);
const intent = {
  key: 'travel_expense', kind: 'form', prefix: 'TRV', name: { zh: '差旅报销', en: 'Travel claim' }, description: { zh: '', en: '' },
  origin: 'chat', examples: { zh: [], en: [] }, keywords: { zh: [], en: [] }, fields: [], policies: [], sla_hours: 24, remind_cooldown_minutes: 30,
  route: { steps: [{ name: { zh: '主管', en: 'Manager' }, approvers: { rule: 'manager' }, mode: 'any' }] },
} satisfies IntentDefinition;

const request = (erpStatus: ErpStatus, erpRef: Record<string, unknown> | null = null): RequestRecord => ({
  id: '00000000-0000-4000-8000-000000000001', tenantId: 'default', number: 'TRV-202611-0001', intentKey: 'travel_expense', intentVersion: 1,
  requesterId: 'zs', status: 'approved', currentStep: 1, revision: 1, fields: {}, amount: '3560.00',
  steps: [{ index: 0, name: { zh: '主管', en: 'Manager' }, mode: 'any', approvers: ['ls'] }], erpStatus, erpRef, origin: { platform: 'console', botId: 'console', chatId: 'zs', chatType: 'p2p' } as RequestRecord['origin'],
  rejectReason: null, version: 3, createdAt: at('2026-11-23T02:00:00Z'), updatedAt: at('2026-11-23T03:00:00Z'), submittedAt: at('2026-11-23T02:00:00Z'), decidedAt: at('2026-11-23T03:00:00Z'), erpOrigin: null,
});
const tasks: TaskRecord[] = [{ id: 't1', stepIndex: 0, approverId: 'ls', status: 'approved', remindedAt: null, createdAt: at('2026-11-23T02:00:00Z'),
  revision: 1, actedBy: 'ls', actedAt: at('2026-11-23T03:00:00Z'), comment: null, transferredFrom: null, remindCount: 0 }];
const doc = (o: Partial<RequestErpDoc> = {}): RequestErpDoc => ({
  number: 'INV-0042', status: 'approved', amount: '3560.00', paidAmount: null, postedAt: null, paidAt: null, bankRef: null, connector: 'tryton', voucher: null, lastError: null, ...o,
});

function card(req: RequestRecord, erp: RequestErpDoc | undefined, locale: Locale = 'zh', role: 'requester' | 'approver' = 'requester'): CardView {
  const names: Record<string, string> = { zs: '张三', ls: '李四' };
  return buildRequestCard({ request: req, tasks, intent, erp, viewer: role === 'requester' ? 'zs' : 'ls', role, nameOf: (id) => names[id], colleagues: [], locale, timeZone: 'Asia/Shanghai' });
}
const timeline = (c: CardView): TimelineItem[] => c.blocks.flatMap((b) => (b.type === 'timeline' ? b.items : []));
const erpItems = (c: CardView): TimelineItem[] => timeline(c).slice(2); // submitted, the manager step, then the ERP
const statusField = (c: CardView): string | undefined => c.blocks.flatMap((b) => (b.type === 'fields' ? b.fields : [])).find((f) => f.label === '状态' || f.label === 'Status')?.value;
const notes = (c: CardView): string[] => c.blocks.flatMap((b) => (b.type === 'note' ? [b.text] : []));
const text = (c: CardView): string => JSON.stringify(c);

describe('the requester card follows the ERP document', () => {
  it('created: the ERP number', () => {
    const c = card(request('created'), doc());
    expect(statusField(c)).toBe('已通过 · 待入账');
    expect(erpItems(c)).toEqual([
      { label: 'ERP 单据已生成', status: 'done', detail: 'tryton INV-0042' },
      { label: '已入账', status: 'pending' },
      { label: '已付款', status: 'pending' },
    ]);
  });

  it('posted: when, and the voucher where the ERP has one', () => {
    const c = card(request('posted'), doc({ status: 'posted', postedAt: at('2026-11-24T04:00:00Z'), voucher: 'MOVE/0007' }));
    expect(erpItems(c)[1]).toEqual({ label: '已入账', status: 'done', detail: '2026-11-24 12:00 · 凭证号 MOVE/0007' });
    expect(erpItems(card(request('posted'), doc({ status: 'posted', postedAt: at('2026-11-24T04:00:00Z') })))[1]?.detail).toBe('2026-11-24 12:00');
  });

  it('partly paid: how much of the total, when, the bank reference', () => {
    const c = card(request('partially_paid'), doc({ status: 'partially_paid', postedAt: at('2026-11-24T04:00:00Z'), paidAmount: '1000.00', paidAt: at('2026-11-25T01:30:00Z'), bankRef: 'B-1' }), 'en');
    expect(statusField(c)).toBe('Approved · partly paid');
    expect(erpItems(c)).toEqual([
      { label: 'ERP document created', status: 'done', detail: 'tryton INV-0042' },
      { label: 'Posted', status: 'done', detail: '2026-11-24 12:00' },
      { label: 'Partly paid', status: 'current', detail: '¥1,000.00 of ¥3,560.00 · 2026-11-25 09:30 · bank ref B-1' },
    ]);
    expect(c.tone).toBe('green');
  });

  it('paid: amount in the ERP\'s currency, time and bank reference', () => {
    const c = card(request('paid', { currency: 'USD' }), doc({ status: 'paid', paidAmount: '3560.00', paidAt: at('2026-11-25T01:30:00Z'), bankRef: 'B-9', postedAt: at('2026-11-24T04:00:00Z') }));
    expect(erpItems(c)[2]).toEqual({ label: '已付款', status: 'done', detail: 'USD 3,560.00 · 2026-11-25 09:30 · 流水号 B-9' });
    expect(c.tone).toBe('purple');
    const cny = card(request('paid'), doc({ status: 'paid', paidAmount: null, paidAt: null }));
    expect(erpItems(cny)[2]).toEqual({ label: '已付款', status: 'done', detail: '¥3,560.00' });
  });

  it('failed: the ERP\'s own message on the timeline and that an admin can replay it', () => {
    const reason = 'party "Nobody" does not exist';
    const c = card(request('failed', { lastError: { reason, code: 'erp.validation' } }), doc({ status: 'creating', number: null, lastError: `erp.validation: ${reason}` }));
    expect(statusField(c)).toBe('已通过 · ERP 同步失败');
    expect(erpItems(c)).toEqual([{ label: 'ERP 单据生成失败', status: 'rejected', detail: reason }]);
    expect(notes(c)).toEqual(['ERP 拒绝了这张单据。管理员排除原因后可以重新提交。']);
    expect(c.tone).toBe('orange');
    // Without the request's record of it, the document's last error stands; approvers see the timeline, not the note.
    const fromDoc = card(request('failed'), doc({ status: 'creating', lastError: 'erp.unavailable: timeout at the ERP' }), 'en', 'approver');
    expect(erpItems(fromDoc)).toEqual([{ label: 'ERP document could not be created', status: 'rejected', detail: 'erp.unavailable: timeout at the ERP' }]);
    expect(notes(fromDoc).some((n) => n.includes('replay'))).toBe(false);
  });

  it('not required: complete, and nothing about an ERP', () => {
    for (const locale of ['zh', 'en'] as const) {
      const c = card(request('not_required'), undefined, locale);
      expect(statusField(c)).toBe(locale === 'zh' ? '已通过 · 已办结' : 'Approved · complete');
      expect(erpItems(c)).toEqual([]);
      expect(text(c)).not.toMatch(/ERP|入账|付款|[Pp]osted|[Pp]aid/);
      expect(c.tone).toBe('green');
    }
  });
});

describe('the status list', () => {
  const catalog = { get: () => intent } as unknown as IntentCatalog;
  it('shows a part payment and a request that needed no ERP document as what they are', () => {
    const c = buildStatusListCard([request('partially_paid'), request('not_required')], catalog, 'zh');
    const fields = c.blocks.flatMap((b) => (b.type === 'fields' ? b.fields : []));
    expect(fields.map((f) => [f.label, f.value])).toEqual([
      ['TRV-202611-0001 差旅报销 · ¥3,560.00', '部分付款'],
      ['TRV-202611-0001 差旅报销 · ¥3,560.00', '已通过，已办结'],
    ]);
  });
});
