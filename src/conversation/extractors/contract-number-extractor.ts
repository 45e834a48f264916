import type { Span } from './span.ts';

/**
 * Contract / document numbers: after a label (合同号 合同编号 contract no. ref) anything code-like,
 * otherwise the usual shapes: letters + digits with optional dashes (HT-2026-018, CON20260012, PO-2026-11-003).
 * Short codes such as "A4" or "M8" are product names, not numbers.
 */
export interface ContractNumberMention extends Span {
  value: string;
}

const LABELLED = /(?:合同号|合同编号|合同编码|合同号码|编号|单号|contract\s*(?:no\.?|number|num|#|id)|ref(?:erence)?\s*(?:no\.?|#)?)\s*[:：#是为]?\s*([A-Za-z0-9][A-Za-z0-9\-_/]{2,40})/gi;
const SHAPED = /(?<![A-Za-z0-9])([A-Z]{1,6}[-_]?\d{4,}(?:[-_/][A-Za-z0-9]+)*|[A-Z]{1,6}(?:[-_][A-Za-z0-9]+){2,})(?![A-Za-z0-9])/g;

export function findContractNumbers(text: string): ContractNumberMention[] {
  const out: ContractNumberMention[] = [];
  for (const m of text.matchAll(LABELLED)) {
    const value = (m[1] ?? '').replace(/[-_/]+$/, '');
    if (/\d/.test(value)) out.push({ start: m.index, end: m.index + m[0].length, value });
  }
  for (const m of text.matchAll(SHAPED)) {
    const value = m[1] ?? '';
    if (out.some((o) => m.index >= o.start && m.index < o.end)) continue;
    if ((value.match(/\d/g) ?? []).length >= 3) out.push({ start: m.index, end: m.index + m[0].length, value });
  }
  return out.sort((a, b) => a.start - b.start);
}
