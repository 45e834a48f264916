import type { Span } from './span.ts';

/**
 * The warehouse to take stock from: a place or code followed by 仓/仓库/库房/库 ("苏州仓", "二号仓库",
 * "A区库房", "原料库"), "warehouse B", "Main warehouse". It is a place, so it is never the item: the
 * item extractor reads the message with this span masked.
 */
// Starts after a preposition, punctuation, or a count's classifier ("300个苏州仓"), so the place is read whole.
const ZH = /(?:从|在|去|到|于|^|[，,：:\s（(]|(?<=\d\s*)[个台箱把卷米件套只支张包盒袋桶条份吨斤])\s*([A-Za-z0-9一二三四五六七八九十零]+号?(?:仓库|库房|仓|库)|[\p{Script=Han}A-Za-z0-9]{1,6}?(?:仓库|库房|仓|(?<![入出领备])库))(?![库管储位存])/gu;
const EN_CODE = /\b[Ww]arehouse\s+(?:[Nn]o\.?\s*)?[A-Z0-9]+\b/g;
/** Every "<word> warehouse" (zero-width, so "from main warehouse" is also tried at "main"). */
const EN_NAMED = /\b(?=([A-Za-z0-9]+\s+warehouse)\b)/gi;
/** Words before "warehouse" that do not name one ("the warehouse", "from our warehouse"). */
const EN_NOT_NAME = /^(?:the|a|an|from|our|my|your|their|this|that|to|in|at|of|any|which|each|per)\s/i;
const NOT_WAREHOUSE = /^(?:仓库|库房|仓|库|的仓库|领仓库|入库|出库|数据库|题库|金库|国库|车库|书库|库)$/;
const LEADING = /^(?:我要|要|我|领|领料|领用|的|从|在|去|到|于)+/;

export interface WarehouseMention extends Span {
  value: string;
}

export function findWarehouseMention(text: string): WarehouseMention | null {
  for (const m of text.matchAll(ZH)) {
    const raw = m[1] ?? '';
    const value = raw.replace(LEADING, '');
    if (!value || NOT_WAREHOUSE.test(value)) continue;
    const end = m.index + m[0].length;
    return { start: end - value.length, end, value };
  }
  for (const m of text.matchAll(EN_CODE)) return { start: m.index, end: m.index + m[0].length, value: m[0] };
  for (const m of text.matchAll(EN_NAMED)) {
    const v = m[1] ?? '';
    if (v && !EN_NOT_NAME.test(v)) return { start: m.index, end: m.index + v.length, value: v };
  }
  return null;
}

export function findWarehouse(text: string): string | null {
  return findWarehouseMention(text)?.value ?? null;
}
