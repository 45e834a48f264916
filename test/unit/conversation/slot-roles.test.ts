import { describe, expect, it } from 'vitest';
import { fieldSchema } from '../../../src/config/intent-schema.ts';
import { findModel } from '../../../src/conversation/extractors/model-extractor.ts';
import { findPartyMention } from '../../../src/conversation/extractors/party-extractor.ts';
import { findWarehouseMention } from '../../../src/conversation/extractors/warehouse-extractor.ts';
import { findNamedField } from '../../../src/conversation/field-aliases.ts';
import { extractSlots } from '../../../src/conversation/slot-extractor.ts';
import { analyzeText } from '../../../src/conversation/text-findings.ts';
import type { IntentDefinition } from '../../../src/config/intent-schema.ts';
import { catalog } from './catalog-fixture.ts';

/** Slots picked by role (config/slot-roles.ts): a warehouse or a supplier is never the item; the YAML says which field is what. */
const NOW = new Date('2026-12-06T10:00:00+08:00');

function slots(intent: string, text: string): Record<string, unknown> {
  const def = catalog.get(intent);
  if (!def) throw new Error(intent);
  return extractSlots(def, analyzeText(text, NOW, 'Asia/Shanghai'));
}

describe('slots by role', () => {
  it.each<[string, string, Record<string, unknown>]>([
    ['material_requisition', '领料 扳手 40把 无锡仓', { item: '扳手', quantity: 40, warehouse: '无锡仓' }],
    ['material_requisition', '要领 120个 垫片，从常州仓库出', { item: '垫片', quantity: 120, warehouse: '常州仓库' }],
    ['material_requisition', '领 6卷 胶带 原料库', { item: '胶带', warehouse: '原料库' }],
    ['purchase_request', '从晨光买两箱签字笔，预算600', { item: '签字笔', supplier: '晨光', amount: '600.00' }],
    ['purchase_request', '找得力采购 15 台碎纸机', { item: '碎纸机', supplier: '得力', quantity: 15 }],
    ['purchase_request', 'buy 8 webcams from Logitech, budget 2k', { item: 'webcams', supplier: 'Logitech', amount: '2000.00' }],
    ['purchase_request', '供应商 国美，采购 3 台冰柜', { item: '冰柜', supplier: '国美' }],
    ['payment_request', '付给华通物流运费8800', { payee: '华通物流', amount: '8800.00' }],
    ['payment_request', 'pay Globex Corp 6,400 for the cabling', { payee: 'Globex Corp', amount: '6400.00' }],
    ['payment_request', 'payment request to Acme Ltd, 900 yuan', { payee: 'Acme Ltd', amount: '900.00' }],
    ['payment_request', '付款 对象：金诚五金 1600', { payee: '金诚五金', amount: '1600.00' }],
    ['payment_request', '请把 7000 转到远山旅行社', { payee: '远山旅行社', amount: '7000.00' }],
    ['payment_request', 'pay the invoice from Initrode, 2,700', { payee: 'Initrode', amount: '2700.00' }],
    ['purchase_request', '采购 型号 K800 的读卡器 6个', { quantity: 6 }],
    ['material_requisition', '领用 8桶 清洗剂（嘉兴库）', { item: '清洗剂', warehouse: '嘉兴库' }],
    ['purchase_request', '通过苏宁采购 2台 烤箱', { item: '烤箱', supplier: '苏宁' }],
    ['contract_approval', '采购合同 甲方我们 乙方恒远钢构 80万', { counterparty: '恒远钢构', amount: '800000.00' }],
    ['travel_expense', 'trip to Jinan to inspect the plant, 1800', { destination: 'Jinan', purpose: 'inspect the plant' }],
    ['travel_expense', 'business trip to Harbin for a product launch, 2600', { destination: 'Harbin', purpose: 'product launch' }],
    ['payment_request', '收款方：蓝鲸印务，叁仟元整', { payee: '蓝鲸印务', amount: '3000.00' }],
  ])('%s: %s', (intent, text, expected) => {
    expect(slots(intent, text)).toMatchObject(expected);
  });

  it('a warehouse span is found whole after a count, a preposition or a space', () => {
    expect(findWarehouseMention('螺母500个苏州仓')?.value).toBe('苏州仓');
    expect(findWarehouseMention('从二号库房领')?.value).toBe('二号库房');
    expect(findWarehouseMention('take 30 rolls from Main warehouse')?.value).toBe('Main warehouse');
    expect(findWarehouseMention('30 rolls from the east warehouse')?.value).toBe('east warehouse');
    expect(findWarehouseMention('ship it from warehouse B2')?.value).toBe('warehouse B2');
    expect(findWarehouseMention('货已入库')).toBeNull();
    expect(findWarehouseMention('查一下库存')).toBeNull();
  });

  it('a supplier phrase covers its trigger and name', () => {
    const text = '向齐心订购文件夹';
    const m = findPartyMention(text, 'supplier');
    expect(m?.value).toBe('齐心');
    expect(text.slice(m!.start, m!.end)).toBe('向齐心');
  });

  it('model numbers: labelled, or a code mixing letters and digits; not magnitudes', () => {
    expect(findModel('型号 TP-4200，要5台')).toBe('TP-4200');
    expect(findModel('买两台 X230 笔记本')).toBe('X230');
    expect(findModel('budget 2k for chairs')).toBeNull();
  });
});

describe('the YAML says which extractor feeds which field', () => {
  it('a field without extract: is not filled from free text, whatever its name', () => {
    const def = catalog.get('material_requisition') as IntentDefinition;
    const renamed: IntentDefinition = { ...def, fields: def.fields.map((f) => (f.name === 'warehouse' ? { ...f, extract: undefined } : f)) };
    expect(extractSlots(renamed, analyzeText('领 30个 垫圈 南通仓', NOW, 'Asia/Shanghai'))).not.toHaveProperty('warehouse');
  });

  it('a field named anything is filled by its role', () => {
    const def = catalog.get('material_requisition') as IntentDefinition;
    const renamed: IntentDefinition = { ...def, fields: def.fields.map((f) => (f.name === 'warehouse' ? { ...f, name: 'store_location' } : f)) };
    expect(extractSlots(renamed, analyzeText('领 30个 垫圈 南通仓', NOW, 'Asia/Shanghai'))).toMatchObject({ store_location: '南通仓', item: '垫圈' });
  });

  it('a correction names a field by its role\'s everyday words, whatever the field is called', () => {
    const def = catalog.get('material_requisition') as IntentDefinition;
    const renamed: IntentDefinition = { ...def, fields: def.fields.map((f) => (f.name === 'warehouse' ? { ...f, name: 'store_location', label: { zh: '地点', en: 'Location' } } : f)) };
    expect(findNamedField(renamed, '库房')?.name).toBe('store_location');
  });

  it('refuses a role on a field of the wrong type', () => {
    const base = { name: 'x', label: { zh: '甲', en: 'X' } };
    expect(fieldSchema.safeParse({ ...base, type: 'money', extract: 'payee' }).success).toBe(false);
    expect(fieldSchema.safeParse({ ...base, type: 'text', extract: 'range_start' }).success).toBe(false);
    expect(fieldSchema.safeParse({ ...base, type: 'date', extract: 'range_end' }).success).toBe(true);
    expect(fieldSchema.safeParse({ ...base, type: 'text', extract: 'nonsense' }).success).toBe(false);
  });
});
