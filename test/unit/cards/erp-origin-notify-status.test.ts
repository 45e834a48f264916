import { describe, expect, it } from 'vitest';
import { notifyText } from '../../../src/cards/notify-text.ts';
import { buildStatusListCard } from '../../../src/cards/status-list-card.ts';
import type { IntentCatalog } from '../../../src/config/intent-catalog.ts';
import type { NotifyMessage } from '../../../src/jobs/job-kinds.ts';
import type { ErpOrigin } from '../../../src/workflow/approval-states.ts';
import type { RequestRecord } from '../../../src/workflow/request-repo.ts';

const origin = (o: Partial<ErpOrigin> = {}): ErpOrigin => ({
  connector: 'kingdee', docKind: 'purchase_order', formId: 'PUR_PurchaseOrder', erpId: '100234', number: 'CGDD-0042', state: 'waiting', owner: { erpId: 'E-7', name: '王五' },
  title: 'Chairs', lines: [], total: '5400.50', currency: 'USD', changedAt: '2026-12-05T02:00:00Z', ...o,
});

const say = (m: NotifyMessage, locale: 'zh' | 'en', o: ErpOrigin | null = origin()): string =>
  notifyText(m, 'PO-202612-0001', locale === 'zh' ? '采购订单' : 'purchase order', (id) => (id === 'ls' ? '李四' : id), locale, 'Asia/Shanghai', o);

describe('notifications about a request made in the ERP name its ERP number and send changes to the ERP', () => {
  it.each<[string, NotifyMessage, string, string]>([
    ['approved', { kind: 'approved', complete: true }, '✅ 你的采购订单 PO-202612-0001（ERP 单号 CGDD-0042）已审批通过，结果会回写到 ERP。',
      '✅ Your purchase order PO-202612-0001 (ERP CGDD-0042) was approved; the decision goes back to the ERP.'],
    ['rejected', { kind: 'rejected', reason: '超预算' }, '❌ 你的采购订单 PO-202612-0001（ERP 单号 CGDD-0042）被驳回：超预算。单据已退回 ERP，请在 ERP 中修改后重新提交。',
      '❌ Your purchase order PO-202612-0001 (ERP CGDD-0042) was rejected: 超预算. It goes back to you in the ERP: edit it there and submit it again.'],
    ['closed: back to draft', { kind: 'erp_closed', why: 'draft' }, '↩️ 采购订单 PO-202612-0001（ERP 单号 CGDD-0042）已在 ERP 中退回草稿，审批已关闭；在 ERP 中重新提交后会再次发起审批。',
      '↩️ purchase order PO-202612-0001 (ERP CGDD-0042) was taken back to draft in the ERP; its approval is closed until it is submitted there again.'],
    ['closed: deleted', { kind: 'erp_closed', why: 'deleted' }, '🗑️ 采购订单 PO-202612-0001（ERP 单号 CGDD-0042）已在 ERP 中删除，审批已关闭。',
      '🗑️ purchase order PO-202612-0001 (ERP CGDD-0042) was deleted in the ERP; its approval is closed.'],
    ['closed: approved there', { kind: 'erp_closed', why: 'approved_in_erp' }, '⚠️ 采购订单 PO-202612-0001（ERP 单号 CGDD-0042）已在 ERP 中直接审核，聊天里的审批已关闭。',
      '⚠️ purchase order PO-202612-0001 (ERP CGDD-0042) was approved directly in the ERP; the approval in chat is closed.'],
    ['a reminder', { kind: 'reminder', by: 'ls' }, '⏰ 李四 提醒你尽快审批采购订单 PO-202612-0001（ERP 单号 CGDD-0042）。',
      '⏰ 李四 asks you to review purchase order PO-202612-0001 (ERP CGDD-0042).'],
  ])('%s', (_what, m, zh, en) => {
    expect(say(m, 'zh')).toBe(zh);
    expect(say(m, 'en')).toBe(en);
  });

  it('an ERP document without a number is named by its id; a chat request reads as before', () => {
    expect(say({ kind: 'erp_closed', why: 'cancelled' }, 'en', origin({ number: null }))).toBe('🚫 purchase order PO-202612-0001 (ERP 100234) was cancelled in the ERP; its approval is closed.');
    expect(say({ kind: 'rejected', reason: 'no receipt' }, 'en', null)).toBe('❌ Your purchase order PO-202612-0001 was rejected: no receipt. Edit and resubmit from the card.');
    expect(say({ kind: 'approved', complete: true }, 'zh', null)).toBe('✅ 你的采购订单 PO-202612-0001已审批通过，无需其他操作。');
  });
});

describe('the status list shows a request made in the ERP with its ERP number and what the ERP did', () => {
  const intent = { name: { zh: '采购订单', en: 'Purchase order' } };
  const catalog = { get: () => intent } as unknown as IntentCatalog;
  const req = (o: Partial<RequestRecord>): RequestRecord => ({
    id: 'r1', tenantId: 'default', number: 'PO-202612-0001', intentKey: 'purchase_order', intentVersion: 1, requesterId: 'ww', status: 'pending', currentStep: 0,
    revision: 1, fields: {}, amount: '5400.50', steps: [{ index: 0, name: { zh: '主管', en: 'Manager' }, mode: 'any', approvers: ['ls'] }], erpStatus: 'not_required',
    erpRef: null, origin: { platform: 'console', botId: 'console' }, rejectReason: null, version: 1, createdAt: new Date(0), updatedAt: new Date(0),
    submittedAt: new Date(0), decidedAt: null, erpOrigin: origin(), ...o,
  });
  const rows = (rs: RequestRecord[], locale: 'zh' | 'en'): [string, string][] =>
    buildStatusListCard(rs, catalog, locale).blocks.flatMap((b) => (b.type === 'fields' ? b.fields.map((f): [string, string] => [f.label, f.value]) : []));

  it('pending, approved and on its way, recorded, refused (zh and en)', () => {
    const rs = [
      req({}),
      req({ status: 'approved' }),
      req({ status: 'approved', erpOrigin: origin({ decision: { decision: 'approve', revision: 1, status: 'done' } }) }),
      req({ status: 'approved', erpOrigin: origin({ number: null, decision: { decision: 'approve', revision: 1, status: 'failed', error: 'locked' } }) }),
    ];
    expect(rows(rs, 'zh')).toEqual([
      ['PO-202612-0001 采购订单 · ERP 单号 CGDD-0042 · USD 5,400.50', '审批中：主管'],
      ['PO-202612-0001 采购订单 · ERP 单号 CGDD-0042 · USD 5,400.50', '已通过，正在回写 ERP'],
      ['PO-202612-0001 采购订单 · ERP 单号 CGDD-0042 · USD 5,400.50', '已在 ERP 审核通过'],
      ['PO-202612-0001 采购订单 · ERP 单号 100234 · USD 5,400.50', '已通过，但 ERP 拒绝了审批结果'],
    ]);
    expect(rows(rs, 'en').map(([, v]) => v)).toEqual(['Pending: Manager', 'Approved, sending to the ERP', 'Approved in the ERP', 'Approved, but the ERP refused the decision']);
    expect(rows([req({ status: 'approved' })], 'en')[0]?.[0]).toBe('PO-202612-0001 Purchase order · ERP CGDD-0042 · USD 5,400.50');
  });

  it('never "complete" for a request made in the ERP; a chat request needing no ERP document still is', () => {
    expect(rows([req({ status: 'approved' })], 'zh')[0]?.[1]).not.toContain('已办结');
    expect(rows([req({ status: 'approved', erpOrigin: null })], 'zh')).toEqual([['PO-202612-0001 采购订单 · ¥5,400.50', '已通过，已办结']]);
  });
});
