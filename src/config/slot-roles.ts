import type { z } from 'zod';

/**
 * What a field's value looks like, so the offline extractors know which span of a message feeds it
 * (`extract:` on a field of intents/*.yaml). Field names mean nothing to the extractors: a catalog can
 * call its fields anything and still be filled, as long as each says what it holds.
 * - item: the thing bought or taken from stock; model: a model / part number ("型号 X200", "M8");
 * - warehouse: a place + 仓/仓库/库 ("苏州仓"), "warehouse B"; supplier: who we buy from ("从 X 买", "from X");
 * - payee: who is paid ("付给 X", "pay X", "收款方 X"); counterparty: the other side of a contract;
 * - destination: a trip's city; purpose: why ("见客户", "for a client meeting"); contract_no: a contract number;
 * - range_start / range_end: the two ends of a day range ("11月28到30号") on two date fields.
 */
export const SLOT_ROLES = [
  'item', 'model', 'warehouse', 'supplier', 'payee', 'counterparty', 'destination', 'purpose', 'contract_no',
  'range_start', 'range_end',
] as const;
export type SlotRole = (typeof SLOT_ROLES)[number];

const DATE_ROLES: ReadonlySet<SlotRole> = new Set(['range_start', 'range_end']);

/** A role fits its field's type: range ends on date fields, the others on text fields. */
export function checkSlotRole(f: { type: string; extract?: SlotRole | undefined }, ctx: z.RefinementCtx): void {
  if (!f.extract) return;
  const wants = DATE_ROLES.has(f.extract) ? ['date'] : ['text', 'textarea'];
  if (!wants.includes(f.type)) {
    ctx.addIssue({ code: 'custom', message: `extract: ${f.extract} is for ${wants.join(' or ')} fields`, path: ['extract'] });
  }
}
