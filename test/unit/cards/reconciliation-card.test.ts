import { describe, expect, it } from 'vitest';
import { MAX_LINES_PER_KIND, reconciliationDigestCard, type ReconItemView } from '../../../src/cards/reconciliation-card.ts';
import { cardViewSchema } from '../../../src/jobs/card-view-schema.ts';
import { amountMismatch } from '../../../src/reconciliation/checks.ts';

const item = (kind: string, over: Partial<ReconItemView> = {}): ReconItemView => ({ kind, requestNumber: null, connector: null, erpId: null, details: {}, ...over });
const opts = { locale: 'en' as const, timeZone: 'Asia/Shanghai', scope: 'finance' as const, key: 'recon:t:1' };

describe('the reconciliation digest card', () => {
  it('groups by kind in a fixed order, each line naming the request and the ERP document', () => {
    const card = reconciliationDigestCard([
      item('posted_unpaid', { requestNumber: 'EXP-2', connector: 'tryton', erpId: '41', details: { documentNumber: 'INV-7', postedAt: '2026-11-01T02:00:00Z', amount: '300', paid: '100' } }),
      item('approved_without_document', { requestNumber: 'EXP-1', details: { decidedAt: '2026-12-01T01:30:00Z', erpStatus: 'failed', lastError: 'erp.rejected: no account' } }),
      item('approved_in_erp_without_chat', { connector: 'kingdee', erpId: '100', details: { documentNumber: 'CGSQ-1', link: 'https://k3.example/bill/100' } }),
      item('amount_mismatch', { requestNumber: 'EXP-3', connector: 'sandbox', erpId: '5', details: { approved: '300.00', erp: '320.00', basis: 'total' } }),
    ], opts);
    expect(cardViewSchema.safeParse(card).success).toBe(true);
    expect(card.title).toBe('Reconciliation · new findings: 4');
    const headings = card.blocks.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text);
    expect(headings).toEqual([
      'Approved, no ERP document yet (1)', 'ERP amount differs from the approved amount (1)', 'Approved in the ERP without approval in chat (1)', 'Posted and still unpaid (1)',
    ]);
    const fields = card.blocks.flatMap((b) => (b.type === 'fields' ? b.fields : []));
    expect(fields).toEqual([
      { label: 'EXP-1', value: 'approved 2026-12-01 09:30; ERP side: creation failed; last error: erp.rejected: no account' },
      { label: 'EXP-3 · sandbox #5', value: 'approved ¥300.00, ERP total ¥320.00' },
      { label: 'kingdee CGSQ-1 (#100)', value: 'never approved in chat · https://k3.example/bill/100' },
      { label: 'EXP-2 · tryton INV-7 (#41)', value: 'posted 2026-11-01 10:00, paid ¥100.00 of ¥300.00' },
    ]);
  });

  it('speaks Chinese, caps long lists with a count of the rest, and lists a kind it does not know under its own name', () => {
    const many = Array.from({ length: MAX_LINES_PER_KIND + 3 }, (_, i) => item('drift.departed_approver', { requestNumber: `EXP-${i}`, details: { approverName: '李四', leftIn: 'directory' } }));
    const card = reconciliationDigestCard([...many, item('drift.future_kind', { details: { summary: 'something new' } })], { ...opts, locale: 'zh', scope: 'drift' });
    expect(card.title).toBe('通讯录与主数据变化 · 19 项新发现');
    const fields = card.blocks.flatMap((b) => (b.type === 'fields' ? b.fields : []));
    expect(fields).toHaveLength(MAX_LINES_PER_KIND + 1);
    expect(fields[0]).toEqual({ label: '李四', value: '已离职（通讯录），仍持有 EXP-0' });
    expect(card.blocks).toContainEqual({ type: 'note', text: '……另有 3 项' });
    expect(card.blocks).toContainEqual({ type: 'text', text: 'drift.future_kind（1）' });
    expect(fields.at(-1)).toEqual({ label: '—', value: 'something new' });
  });
});

describe('amount mismatch', () => {
  it.each([
    ['300.00', 'approved', '320.00', null, { erp: '320.00', basis: 'total' }],
    ['300.00', 'approved', '300', null, null],
    ['300.00', 'paid', null, '299.99', { erp: '299.99', basis: 'paid' }],
    ['300.00', 'paid', null, '300.00', null],
    ['300.00', 'partially_paid', null, '100.00', null],
    ['300.00', 'partially_paid', null, '300.01', { erp: '300.01', basis: 'paid' }],
    ['300.00', 'posted', null, null, null],
    ['300.00', 'posted', 'n/a', null, null],
  ] as const)('approved %s, %s, ERP total %s, paid %s → %j', (approved, status, total, paid, want) => {
    expect(amountMismatch(approved, status, total, paid)).toEqual(want);
  });
});
