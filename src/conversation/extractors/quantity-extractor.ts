import { parseChineseNumber } from './chinese-numerals.ts';
import { EN_UNITS, VAGUE_CLASSIFIERS, ZH_CLASSIFIERS } from './quantity-expression.ts';
import type { Span } from './span.ts';

/**
 * Counts in a message: number + 量词 ("10台", "两个", "300米"), "x5" / "数量：5", and English
 * "10 laptops" / "5 boxes of paper". `vague` marks 一批/一些, which bound an item but count nothing.
 */
export interface QuantityMention extends Span {
  value: number;
  vague: boolean;
  /** Where the counted thing is expected to start (after the classifier / "of"). */
  itemStart: number;
  /** English: the noun right after the number ("monitors"), when there is no unit word. */
  noun?: string;
}

const NUM = String.raw`(\d+(?:\.\d+)?|[一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟零〇]+)`;
const CLASSIFIERS = [...ZH_CLASSIFIERS].filter((c) => c !== '打').sort((a, b) => b.length - a.length).join('|');
const ZH = new RegExp(`(?<![A-Za-z\\d.\\-])${NUM}\\s*(${CLASSIFIERS}|些|点)(?!钟|前|后|半)`, 'g');
const EXPLICIT = /(?:数量\s*[:：为是]?\s*|[x×*]\s*)(\d+)(?![\d.])/gi;
const EN = new RegExp(`(?<![\\w.,])(\\d+|a dozen|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty)\\s+(?:(${EN_UNITS.join('|')})\\s+(?:of\\s+)?)?([a-z][a-z-]*)`, 'gi');
const EN_NUMBERS: Readonly<Record<string, number>> = { 'a dozen': 12, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twelve: 12, twenty: 20 };
const NOT_COUNTED = /^(yuan|rmb|cny|k|w|million|mn|thousand|days?|nights?|hours?|minutes?|weeks?|months?|years?|times|percent|am|pm|by|for|to|on|in|at|from|and|or|with|before|st|nd|rd|th|people|persons?|each|per|total|budget|dollars?|bucks)$/i;

function zhNumber(s: string): number | null {
  return /^\d/.test(s) ? Number(s) : parseChineseNumber(s);
}

export function findQuantities(text: string): QuantityMention[] {
  const out: QuantityMention[] = [];
  for (const m of text.matchAll(ZH)) {
    const value = zhNumber(m[1] ?? '');
    const classifier = m[2] ?? '';
    if (value === null) continue;
    const end = m.index + m[0].length;
    if (classifier === '个' && /^\s*(?:月|星期|工作日|小时|人)/.test(text.slice(end))) continue;
    if (classifier === '点' && /\d/.test(m[1] ?? '')) continue;
    const vague = VAGUE_CLASSIFIERS.has(classifier) || classifier === '些';
    out.push({ start: m.index, end, value, vague, itemStart: end });
  }
  for (const m of text.matchAll(EXPLICIT)) {
    // "型号 X200" is a model, not 200 of something.
    if (/(?:型号|规格|机型|model)\s*[:：]?\s*$/i.test(text.slice(0, m.index))) continue;
    out.push({ start: m.index, end: m.index + m[0].length, value: Number(m[1]), vague: false, itemStart: m.index + m[0].length });
  }
  for (const m of text.matchAll(EN)) {
    const noun = m[3] ?? '';
    if (!m[2] && NOT_COUNTED.test(noun)) continue;
    const raw = (m[1] ?? '').toLowerCase();
    const value = EN_NUMBERS[raw] ?? Number(raw);
    if (!Number.isFinite(value)) continue;
    const nounStart = m.index + m[0].length - noun.length;
    out.push({ start: m.index, end: m[2] ? nounStart : m.index + m[0].length, value, vague: false, itemStart: nounStart, ...(m[2] ? {} : { noun }) });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The count that answers "how many": the first one that isn't vague. */
export function bestQuantity(mentions: readonly QuantityMention[]): QuantityMention | undefined {
  return mentions.find((q) => !q.vague);
}
