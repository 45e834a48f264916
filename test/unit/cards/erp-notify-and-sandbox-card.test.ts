import { describe, expect, it } from 'vitest';
import { notifyText } from '../../../src/cards/notify-text.ts';
import { sandboxDocCard, type SandboxDocView } from '../../../src/cards/sandbox-doc-card.ts';
import type { CardView } from '../../../src/core/card-view.ts';
import type { NotifyMessage } from '../../../src/jobs/job-kinds.ts';

const say = (m: NotifyMessage, locale: 'zh' | 'en' = 'zh', timeZone: string | null = 'Asia/Shanghai'): string =>
  notifyText(m, 'TRV-202611-0001', locale === 'zh' ? '差旅报销' : 'travel claim', (id) => id, locale, timeZone ?? undefined);

describe('the requester hears of each ERP change once, with what the ERP reported', () => {
  it.each<[string, NotifyMessage, string, string]>([
    ['approved, complete', { kind: 'approved', complete: true }, '✅ 你的差旅报销 TRV-202611-0001已审批通过，无需其他操作。', '✅ Your travel claim TRV-202611-0001 was approved; nothing more to do.'],
    ['approved, an ERP document follows', { kind: 'approved' }, '✅ 你的差旅报销 TRV-202611-0001已审批通过，正在生成 ERP 单据。', '✅ Your travel claim TRV-202611-0001 was approved; creating the ERP document.'],
    ['created with its number', { kind: 'erp_created', number: 'INV-0042' }, '🧾 你的差旅报销 TRV-202611-0001已生成 ERP 单据（INV-0042）。', '🧾 Your travel claim TRV-202611-0001 has its ERP document (INV-0042).'],
    ['created without a number', { kind: 'erp_created' }, '🧾 你的差旅报销 TRV-202611-0001已生成 ERP 单据。', '🧾 Your travel claim TRV-202611-0001 has its ERP document.'],
    ['posted', { kind: 'erp_posted', at: '2026-11-24T04:00:00.000Z', voucher: 'MOVE/7' }, '📒 你的差旅报销 TRV-202611-0001已在 ERP 入账（2026-11-24 12:00 · 凭证号 MOVE/7）。', '📒 Your travel claim TRV-202611-0001 was posted in the ERP (2026-11-24 12:00 · voucher MOVE/7).'],
    ['partly paid', { kind: 'erp_paid', partial: true, amount: '1000.00', at: '2026-11-25T01:30:00.000Z' }, '💰 你的差旅报销 TRV-202611-0001已部分付款（¥1,000.00 · 2026-11-25 09:30）。', '💰 Your travel claim TRV-202611-0001 was partly paid (¥1,000.00 · 2026-11-25 09:30).'],
    ['paid', { kind: 'erp_paid', amount: '3560.00', currency: 'EUR', at: '2026-11-25T01:30:00.000Z', bankRef: 'ICBC-1' }, '💰 你的差旅报销 TRV-202611-0001已付款（EUR 3,560.00 · 2026-11-25 09:30 · 流水号 ICBC-1）。', '💰 Your travel claim TRV-202611-0001 was paid (EUR 3,560.00 · 2026-11-25 09:30 · bank ref ICBC-1).'],
    ['failed with the ERP\'s message', { kind: 'erp_failed', reason: 'party "Nobody" does not exist' }, '⚠️ 你的差旅报销 TRV-202611-0001未能在 ERP 生成单据：party "Nobody" does not exist。管理员排除原因后可以重新提交。', '⚠️ The ERP could not create the document for your travel claim TRV-202611-0001: party "Nobody" does not exist. An admin can replay it once this is fixed.'],
    ['no ERP document needed after all', { kind: 'erp_not_required' }, '✅ 你的差旅报销 TRV-202611-0001已办结，无需 ERP 单据。', '✅ Your travel claim TRV-202611-0001 is complete; it needs no ERP document.'],
  ])('%s', (_what, m, zh, en) => {
    expect(say(m, 'zh')).toBe(zh);
    expect(say(m, 'en')).toBe(en);
  });

  it('without a time zone the time is left to the card, not shown in UTC', () => {
    expect(say({ kind: 'erp_paid', amount: '5.00', at: '2026-11-25T01:30:00.000Z', bankRef: 'B' }, 'en', null)).toBe('💰 Your travel claim TRV-202611-0001 was paid (¥5.00 · bank ref B).');
  });
});

const doc = (status: string, bank_ref: string | null = null): SandboxDocView => ({ id: 'd1', number: 'SBX-000001', status, amount: '3560.00', bank_ref });
const ops = (c: CardView): string[] => c.blocks.flatMap((b) => (b.type === 'form' || b.type === 'actions' ? b.buttons.map((x) => x.actionId) : []));
const inputs = (c: CardView): string[] => c.blocks.flatMap((b) => (b.type === 'form' ? b.inputs.map((i) => i.name) : []));

describe('the sandbox operator card offers Pay only for a posted document', () => {
  it.each<[string, string[], string[]]>([
    ['saved', [], []],
    ['submitted', [], []],
    ['approved', ['erp.post'], []],
    ['posted', ['erp.pay'], ['bank_ref']],
    ['paid', [], []],
  ])('%s → %j', (status, buttons, fields) => {
    const c = sandboxDocCard(doc(status, status === 'paid' ? 'B-1' : null), 'TRV-202611-0001', 'zh');
    expect(ops(c)).toEqual(buttons);
    expect(inputs(c)).toEqual(fields);
  });
});
