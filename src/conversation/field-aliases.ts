import type { FieldDefinition, IntentDefinition } from '../config/intent-schema.ts';
import type { SlotRole } from '../config/slot-roles.ts';

/**
 * Which field of the open form a user names in a correction ("金额改成3000", "change the date to
 * yesterday"): its labels and name first, then everyday words for its role or type.
 */
const BY_TYPE: Readonly<Partial<Record<FieldDefinition['type'], RegExp>>> = {
  money: /金额|钱|费用|价格|价钱|预算|总价|总额|花费|多少钱|amount|price|cost|total|budget|sum|value/i,
  date: /日期|时间|哪天|那天|date|day|when/i,
  month: /月份|期间|月|period|month/i,
  number: /数量|个数|件数|几个|多少个|quantity|qty|number|count|how many/i,
  enum: /类别|类型|种类|分类|category|type|kind/i,
};
/** Everyday words for what a field holds, by its declared role (`extract:`), never by its name. */
const BY_ROLE: Readonly<Record<SlotRole, RegExp>> = {
  destination: /目的地|地点|城市|地方|去哪|destination|city|place|location/i,
  purpose: /事由|原因|目的|理由|purpose|reason/i,
  payee: /收款方|收款人|收款单位|对方|payee|recipient|vendor/i,
  counterparty: /对方|客户|签约方|甲方|乙方|counterparty|party|client|customer/i,
  supplier: /供应商|厂家|商家|supplier|vendor/i,
  item: /物品|物料|东西|商品|item|product|thing/i,
  model: /型号|规格|model/i,
  warehouse: /仓库|库房|warehouse/i,
  contract_no: /合同号|合同编号|编号|contract\s*(?:no|number)/i,
  range_start: /出发|开始|起始|去的|start|depart|from/i,
  range_end: /返回|结束|回来|回程|end|return|until/i,
};

function stripLabel(label: string): string {
  return label.replace(/[（(].*?[)）]/g, '').trim().toLowerCase();
}

export function findNamedField(intent: IntentDefinition, phrase: string): FieldDefinition | null {
  const p = phrase.trim().toLowerCase();
  if (p === '') return null;
  for (const f of intent.fields) {
    const names = [stripLabel(f.label.zh), stripLabel(f.label.en), f.name.replace(/_/g, ' ')];
    if (names.some((n) => n.length > 0 && (p.includes(n) || (n.includes(p) && p.length >= 2)))) return f;
  }
  for (const f of intent.fields) if (f.extract && BY_ROLE[f.extract].test(p)) return f;
  for (const f of intent.fields) if (BY_TYPE[f.type]?.test(p)) return f;
  return null;
}
