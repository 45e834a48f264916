import { describe, expect, it } from 'vitest';
import { buildRequestCard } from '../../../src/cards/request-card.ts';
import type { IntentDefinition } from '../../../src/config/intent-schema.ts';
import type { CardBlock, CardView } from '../../../src/core/card-view.ts';
import type { Locale } from '../../../src/core/locale.ts';
import type { ErpOrigin } from '../../../src/workflow/approval-states.ts';
import type { RequestRecord, TaskRecord } from '../../../src/workflow/request-repo.ts';

const at = (iso: string): Date => new Date(iso);
const intent = {
  key: 'purchase_order', kind: 'form', prefix: 'PO', name: { zh: '采购订单', en: 'Purchase order' }, description: { zh: '', en: '' },
  origin: 'erp', examples: { zh: [], en: [] }, keywords: { zh: [], en: [] }, fields: [], policies: [], sla_hours: 24, remind_cooldown_minutes: 30,
  route: { steps: [{ name: { zh: '主管', en: 'Manager' }, approvers: { rule: 'manager' }, mode: 'any' }] },
} satisfies IntentDefinition;

const origin = (o: Partial<ErpOrigin> = {}): ErpOrigin => ({
  connector: 'kingdee', docKind: 'purchase_order', formId: 'PUR_PurchaseOrder', erpId: '100234', number: 'CGDD-0042', state: 'waiting',
  owner: { erpId: 'E-7', name: '王五' }, title: 'Office chairs for floor 3',
  lines: [{ item: 'Office chair', quantity: '12.000', amount: '3600.00', unit: 'pcs' }, { item: 'Desk', quantity: '2', amount: '1800.50' }],
  total: '5400.50', currency: 'CNY', party: 'Acme Furniture Ltd', link: 'https://erp.example.com/po/100234', changedAt: '2026-12-05T02:00:00Z', ...o,
});

const request = (o: Partial<RequestRecord> = {}): RequestRecord => ({
  id: '00000000-0000-4000-8000-000000000042', tenantId: 'default', number: 'PO-202612-0001', intentKey: 'purchase_order', intentVersion: 1,
  requesterId: 'ww', status: 'pending', currentStep: 0, revision: 1, fields: {}, amount: '5400.50',
  steps: [{ index: 0, name: { zh: '主管', en: 'Manager' }, mode: 'any', approvers: ['ls'] }], erpStatus: 'not_required', erpRef: null,
  origin: { platform: 'console', botId: 'console', chatId: 'ww', chatType: 'p2p' } as RequestRecord['origin'],
  rejectReason: null, version: 2, createdAt: at('2026-12-05T02:00:00Z'), updatedAt: at('2026-12-05T02:00:00Z'), submittedAt: at('2026-12-05T02:00:00Z'),
  decidedAt: null, erpOrigin: origin(), ...o,
});

const task = (o: Partial<TaskRecord> = {}): TaskRecord => ({
  id: 't1', stepIndex: 0, approverId: 'ls', status: 'pending', remindedAt: null, createdAt: at('2026-12-05T02:00:00Z'),
  revision: 1, actedBy: null, actedAt: null, comment: null, transferredFrom: null, remindCount: 0, ...o,
});

function card(req: RequestRecord, tasks: TaskRecord[], role: 'requester' | 'approver', locale: Locale, viewer = role === 'requester' ? 'ww' : 'ls'): CardView {
  const names: Record<string, string> = { ww: '王五', ls: '李四', zl: '赵六' };
  return buildRequestCard({ request: req, tasks, intent, erp: undefined, viewer, role, nameOf: (id) => names[id], colleagues: [], locale, timeZone: 'Asia/Shanghai' });
}
const fieldsOf = (c: CardView): [string, string][] => c.blocks.flatMap((b) => (b.type === 'fields' ? b.fields.map((f): [string, string] => [f.label, f.value]) : []));
const notes = (c: CardView): string[] => c.blocks.flatMap((b) => (b.type === 'note' ? [b.text] : []));
const links = (c: CardView): Extract<CardBlock, { type: 'link' }>[] => c.blocks.filter((b): b is Extract<CardBlock, { type: 'link' }> => b.type === 'link');
const actionIds = (c: CardView): string[] => c.blocks.flatMap((b) => (b.type === 'form' || b.type === 'actions' ? b.buttons.map((x) => x.actionId) : []));
const statusOf = (c: CardView): string | undefined => fieldsOf(c).find(([l]) => l === '状态' || l === 'Status')?.[1];

describe('the card of a request made in the ERP shows the ERP document', () => {
  it('an approver of a pending one sees number, title, owner, party, total, state, lines and the link (zh)', () => {
    const c = card(request(), [task()], 'approver', 'zh');
    expect(fieldsOf(c)).toEqual(expect.arrayContaining([
      ['ERP 单据', 'CGDD-0042'], ['标题', 'Office chairs for floor 3'], ['制单人', '王五'], ['往来单位', 'Acme Furniture Ltd'],
      ['合计', '¥5,400.50'], ['ERP 状态', '待审核'],
      ['Office chair', '数量 12 pcs · ¥3,600.00'], ['Desk', '数量 2 · ¥1,800.50'],
    ]));
    expect(links(c)).toEqual([{ type: 'link', label: '在 ERP 中打开', url: 'https://erp.example.com/po/100234' }]);
    expect(actionIds(c)).toEqual(['approve', 'reject', 'transfer', 'comment']);
    expect(c.blocks.find((b) => b.type === 'timeline')).toMatchObject({ items: [{ label: '在 ERP 中提交', status: 'done' }, { label: '主管', status: 'current' }] });
  });

  it('the same in English, in the document\'s own currency', () => {
    const c = card(request({ erpOrigin: origin({ currency: 'USD', party: undefined }) }), [task()], 'approver', 'en');
    expect(fieldsOf(c)).toEqual(expect.arrayContaining([
      ['ERP document', 'CGDD-0042'], ['Prepared by', '王五'], ['Total', 'USD 5,400.50'], ['State in the ERP', 'Waiting for approval'],
      ['Office chair', 'qty 12 pcs · USD 3,600.00'],
    ]));
    expect(fieldsOf(c).map(([l]) => l)).not.toContain('Party');
    expect(links(c)[0]?.label).toBe('Open in the ERP');
  });

  it('shows ten lines and counts the rest; no number: the ERP id; no link unless http(s)', () => {
    const lines = Array.from({ length: 13 }, (_, i) => ({ item: `Item ${i + 1}`, quantity: '1', amount: '10.00' }));
    for (const locale of ['zh', 'en'] as const) {
      const c = card(request({ erpOrigin: origin({ lines, number: null, link: 'javascript:alert(1)' }) }), [task()], 'approver', locale);
      const items = fieldsOf(c).filter(([l]) => l.startsWith('Item '));
      expect(items.map(([l]) => l)).toEqual(Array.from({ length: 10 }, (_, i) => `Item ${i + 1}`));
      expect(notes(c)).toContain(locale === 'zh' ? '……另有 3 行' : '… and 3 more lines');
      expect(fieldsOf(c)).toContainEqual([locale === 'zh' ? 'ERP 单据' : 'ERP document', '100234']);
      expect(links(c)).toEqual([]);
    }
    expect(links(card(request({ erpOrigin: origin({ link: undefined }) }), [task()], 'approver', 'en'))).toEqual([]);
  });

  it('each ERP state reads as itself', () => {
    const states = { draft: ['草稿', 'Draft'], approved: ['已审核', 'Approved'], rejected: ['已驳回', 'Rejected'], cancelled: ['已作废', 'Cancelled'], deleted: ['已删除', 'Deleted'] };
    for (const [state, [zh, en]] of Object.entries(states)) {
      expect(fieldsOf(card(request({ erpOrigin: origin({ state }) }), [task()], 'approver', 'zh'))).toContainEqual(['ERP 状态', zh]);
      expect(fieldsOf(card(request({ erpOrigin: origin({ state }) }), [task()], 'approver', 'en'))).toContainEqual(['State in the ERP', en]);
    }
  });
});

describe('the decision sent back to the ERP', () => {
  const approved = (decision: ErpOrigin['decision']): RequestRecord => request({ status: 'approved', currentStep: 1, decidedAt: at('2026-12-05T03:00:00Z'), erpOrigin: origin({ decision }) });
  const done = task({ status: 'approved', actedBy: 'ls', actedAt: at('2026-12-05T03:00:00Z') });

  it('sending, done: said as such; never "complete, no ERP document"', () => {
    const sending = card(approved({ decision: 'approve', revision: 1, status: 'sending' }), [done], 'requester', 'en');
    expect(notes(sending)).toContain('Approval sent to the ERP; waiting for it to confirm.');
    expect(statusOf(sending)).toBe('Approved');
    expect(JSON.stringify(sending)).not.toMatch(/complete|needs no ERP/);
    const ok = card(approved({ decision: 'approve', revision: 1, status: 'done', at: '2026-12-05T03:01:00Z' }), [done], 'approver', 'zh');
    expect(notes(ok)).toContain('ERP 已审核通过这张单据。');
    expect(statusOf(ok)).toBe('已通过');
    expect(JSON.stringify(ok)).not.toContain('已办结');
    expect(ok.tone).toBe('green');
  });

  it('failed: the ERP\'s own message, and the card turns orange', () => {
    const failed = approved({ decision: 'approve', revision: 1, status: 'failed', error: 'document is locked by user admin' });
    const zh = card(failed, [done], 'requester', 'zh');
    expect(notes(zh)).toContain('ERP 拒绝了这个审批结果：document is locked by user admin');
    expect(zh.tone).toBe('orange');
    expect(notes(card(failed, [done], 'approver', 'en'))).toContain('The ERP refused the decision: document is locked by user admin');
    const silent = approved({ decision: 'approve', revision: 1, status: 'failed' });
    expect(notes(card(silent, [done], 'approver', 'en'))).toContain('The ERP refused the decision: it gave no reason');
  });

  it('a rejection sent back; a decision of an earlier revision is not shown', () => {
    const rejected = request({ status: 'rejected', rejectReason: 'too expensive', erpOrigin: origin({ decision: { decision: 'reject', revision: 1, status: 'done' } }) });
    expect(notes(card(rejected, [task({ status: 'rejected', comment: 'too expensive' })], 'requester', 'en'))).toEqual(expect.arrayContaining([
      'The ERP sent the document back to its owner.', 'Reason: too expensive', 'Edit this document in the ERP and submit it there again; the approval here starts over.',
    ]));
    const stale = request({ revision: 2, erpOrigin: origin({ decision: { decision: 'reject', revision: 1, status: 'failed', error: 'x' } }) });
    const c = card(stale, [task({ revision: 2, id: 't2' })], 'approver', 'en');
    expect(notes(c).some((n) => n.includes('refused'))).toBe(false);
    expect(c.tone).toBe('blue');
  });
});

describe('the requester of a document made in the ERP changes it in the ERP', () => {
  it('pending: remind and comment, no withdraw', () => {
    for (const locale of ['zh', 'en'] as const) expect(actionIds(card(request(), [task()], 'requester', locale))).toEqual(['remind', 'comment']);
  });

  it('rejected or taken back to draft: no resubmit button, where to put it right instead; deleted: nothing to do', () => {
    const rejected = card(request({ status: 'rejected', rejectReason: 'no budget' }), [task({ status: 'rejected' })], 'requester', 'zh');
    expect(actionIds(rejected)).toEqual([]);
    expect(notes(rejected)).toContain('请在 ERP 中修改这张单据并重新提交，这里的审批会重新开始。');
    const draft = card(request({ status: 'withdrawn', erpOrigin: origin({ state: 'draft' }) }), [task({ status: 'cancelled' })], 'requester', 'en');
    expect(actionIds(draft)).toEqual([]);
    expect(notes(draft)).toContain('Edit this document in the ERP and submit it there again; the approval here starts over.');
    const deleted = card(request({ status: 'withdrawn', erpOrigin: origin({ state: 'deleted' }) }), [task({ status: 'cancelled' })], 'requester', 'en');
    expect(actionIds(deleted)).toEqual([]);
    expect(notes(deleted).some((n) => n.startsWith('Edit this document'))).toBe(false);
  });

  it('a request begun in chat keeps withdraw and resubmit', () => {
    const chat = (o: Partial<RequestRecord>): RequestRecord => request({ erpOrigin: null, erpStatus: 'none', ...o });
    expect(actionIds(card(chat({}), [task()], 'requester', 'en'))).toEqual(['remind', 'comment', 'withdraw']);
    expect(actionIds(card(chat({ status: 'rejected', rejectReason: 'x' }), [task({ status: 'rejected' })], 'requester', 'en'))).toEqual(['resubmit']);
  });
});

describe('an approver of a superseded revision', () => {
  // Revision 1 went to 赵六; the ERP resubmitted the document and revision 2 goes to 李四.
  const tasks = [task({ id: 't1', approverId: 'zl', status: 'cancelled' }), task({ id: 't2', approverId: 'ls', revision: 2 })];
  const req = request({ revision: 2, erpOrigin: origin({ total: '6000.00' }) });

  it('sees that revision N superseded it, with no action buttons', () => {
    const zh = card(req, tasks, 'approver', 'zh', 'zl');
    expect(notes(zh)).toContain('已被第 2 次提交取代：你收到的这一版已失效，无需处理。');
    expect(actionIds(zh)).toEqual([]);
    expect(fieldsOf(zh)).toContainEqual(['合计', '¥6,000.00']);
    const en = card(req, tasks, 'approver', 'en', 'zl');
    expect(notes(en)).toContain('Superseded by revision 2: the version you were asked to review is no longer current.');
    expect(actionIds(en)).toEqual([]);
  });

  it('the approver of the current revision sees the normal card', () => {
    const c = card(req, tasks, 'approver', 'en', 'ls');
    expect(actionIds(c)).toEqual(['approve', 'reject', 'transfer', 'comment']);
    expect(notes(c).some((n) => n.startsWith('Superseded'))).toBe(false);
  });

  it('someone who also holds a task of the current revision is not superseded', () => {
    const both = [task({ id: 't1', approverId: 'ls', status: 'approved' }), task({ id: 't2', approverId: 'ls', revision: 2, status: 'approved' })];
    const c = card(request({ revision: 2, status: 'approved', currentStep: 1 }), both, 'approver', 'en', 'ls');
    expect(notes(c)).toContain('You approved');
  });
});
