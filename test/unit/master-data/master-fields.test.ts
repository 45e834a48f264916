import { describe, expect, it } from 'vitest';
import { buildConfirmCard } from '../../../src/cards/dialog-cards.ts';
import type { DialogState } from '../../../src/conversation/dialog-state.ts';
import { fillForm, type FillContext } from '../../../src/conversation/form-filler.ts';
import { cardOptions, resolveMasterValue } from '../../../src/conversation/master-fields.ts';
import { paysRequester } from '../../../src/master-data/person-check.ts';
import { catalog, field } from '../conversation/catalog-fixture.ts';

// Invented suppliers.
const suppliers = [{ name: '北京宏达贸易有限公司' }, { name: '上海宏达科技有限公司' }, { name: '木森家居（中国）有限公司' }];
const supplier = field('purchase_request', 'supplier');

describe('master-sourced fields', () => {
  it('the shipped purchase request takes its supplier from the ERP\'s suppliers', () => {
    expect(supplier.source).toEqual({ master: 'supplier' });
  });

  it('resolves to the record\'s name, asks which one, suggests, or keeps free text while the ERP shares none', () => {
    expect(resolveMasterValue(supplier, '木森', suppliers)).toEqual({ ok: true, value: '木森家居（中国）有限公司' });
    const which = resolveMasterValue(supplier, '宏达', suppliers);
    expect(which.ok).toBe(false);
    if (!which.ok) {
      expect(which.message.zh).toBe('有多个供应商符合，是哪一个？北京宏达贸易有限公司 / 上海宏达科技有限公司');
      expect(which.message.en).toBe('Several supplier records match: which one? 北京宏达贸易有限公司 / 上海宏达科技有限公司');
    }
    const none = resolveMasterValue(supplier, '木森家具城', suppliers);
    expect(!none.ok && none.message.zh).toBe('ERP 里没有叫「木森家具城」的供应商。你是不是指：木森家居（中国）有限公司？');
    const unknown = resolveMasterValue(supplier, '无关', suppliers);
    expect(!unknown.ok && unknown.message.en).toBe('No supplier "无关" in the ERP. Please give its name or code as the ERP has it.');
    expect(resolveMasterValue(supplier, '随便写的', [])).toEqual({ ok: true, value: '随便写的' });
    expect(resolveMasterValue(supplier, '随便写的', undefined)).toEqual({ ok: true, value: '随便写的' });
  });

  it('in the form filler: an ambiguous value is not stored and the field is asked again', () => {
    const ctx: FillContext = {
      catalog, versionOf: () => 1, newId: () => 'd1', now: new Date('2026-11-23T02:00:00Z'), timeZone: 'Asia/Shanghai',
      master: (intent, name) => (intent === 'purchase_request' && name === 'supplier' ? suppliers : undefined),
    };
    const state: DialogState = { id: 'd1', intent: 'purchase_request', intentVersion: 1, fields: { item: '椅子', quantity: 2, amount: '1000.00' }, awaiting: null, stage: 'confirming', cardVersion: 1 };
    const asked = fillForm(state, [{ type: 'set_field', field: 'supplier', value: '宏达' }], ctx);
    expect(asked.state?.fields['supplier']).toBeUndefined();
    expect(asked.state?.awaiting).toBe('supplier');
    expect(asked.replies.map((r) => (r.type === 'text' ? r.text.zh : r.type))).toEqual(['有多个供应商符合，是哪一个？北京宏达贸易有限公司 / 上海宏达科技有限公司']);
    const filled = fillForm(asked.state, [{ type: 'set_field', field: 'supplier', value: '北京宏达' }], ctx);
    expect(filled.state?.fields['supplier']).toBe('北京宏达贸易有限公司');
    expect(filled.replies.map((r) => r.type)).toEqual(['confirm_card']);
  });

  it('card options: the current value first (even one the ERP no longer has), at most the cap', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ name: `供应商${String(i).padStart(3, '0')}` }));
    expect(cardOptions(many, '供应商120')).toHaveLength(100);
    expect(cardOptions(many, '供应商120')[0]).toBe('供应商120');
    expect(cardOptions(many, '供应商120').filter((n) => n === '供应商120')).toHaveLength(1);
    expect(cardOptions(suppliers, '已停用的供应商')).toEqual(['已停用的供应商', ...suppliers.map((s) => s.name)]);
    expect(cardOptions(suppliers, undefined)).toEqual(suppliers.map((s) => s.name));
  });

  it('the confirmation card shows a master field with records as a select, and as text without', () => {
    const intent = catalog.get('purchase_request')!;
    const base = { state: { id: 'd1', fields: { supplier: '木森家居（中国）有限公司' } }, intent, route: { ok: true as const, steps: [] }, names: new Map(), locale: 'zh' as const };
    const inputOf = (card: ReturnType<typeof buildConfirmCard>) => card.blocks.flatMap((b) => (b.type === 'form' ? b.inputs : [])).find((i) => i.name === 'supplier');
    const withRecords = inputOf(buildConfirmCard({ ...base, choices: { supplier: cardOptions(suppliers, '木森家居（中国）有限公司') } }));
    expect(withRecords).toMatchObject({ type: 'select', value: '木森家居（中国）有限公司' });
    expect(withRecords?.options?.map((o) => o.value)).toEqual(['木森家居（中国）有限公司', '北京宏达贸易有限公司', '上海宏达科技有限公司']);
    expect(inputOf(buildConfirmCard(base))).toMatchObject({ type: 'text', value: '木森家居（中国）有限公司' });
    expect(inputOf(buildConfirmCard(base))?.options).toBeUndefined();
  });

  it('claims that pay the requester: reimbursements, and payloads whose party is the requester', () => {
    expect(paysRequester(catalog.get('travel_expense')!)).toBe(true);
    expect(paysRequester(catalog.get('expense_claim')!)).toBe(true);
    expect(paysRequester(catalog.get('purchase_request')!)).toBe(false);
    const intent = catalog.get('payment_request')!;
    expect(paysRequester(intent)).toBe(false);
    expect(paysRequester({ ...intent, erp: { doc_kind: 'payment_request', payload: { party: '{{ requester.name }}' } } })).toBe(true);
    expect(paysRequester({ ...intent, erp: undefined })).toBe(false);
  });
});
