import { parseAmount } from './amount-expression.ts';
import { maskSpans, type Span } from './span.ts';

/**
 * Amounts in a message (CNY yuan), best first. A candidate scores for a currency sign or word
 * (¥ 元 块 yuan), a magnitude (万 千 k w million), and a cue before it (金额 预算 共 花了 budget total);
 * it loses for 每/单价/per/each (a unit price, not the total). Dates, counts and document numbers
 * are masked out first, so "10台" or "HT-2026-018" never become money.
 */
export interface MoneyMention extends Span {
  value: number;
  score: number;
}

const ZH_NUM = '[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬]+';
const ZH_DIGIT = '[0-9一二两三四五六七八九壹贰叁肆伍陆柒捌玖]';
/** Yuan and jiao spoken or written together: "12块8", "5元5角", "叁佰元伍角贰分". */
const YUAN_JIAO = `(?:\\d+|${ZH_NUM})\\s*(?:块|元|圆)\\s*${ZH_DIGIT}\\s*(?:毛|角)?(?:\\s*${ZH_DIGIT}\\s*分)?(?![\\d.])`;
/** Jiao alone: "3毛5", "8毛" (毛巾 and 毛衣 are towels and sweaters, not money). */
const JIAO = `${ZH_DIGIT}\\s*(?:毛(?![巾衣笔线毯绒料皮刷])|角(?=\\s*${ZH_DIGIT}\\s*分))(?:\\s*${ZH_DIGIT}(?![\\d.])\\s*分?)?`;
const PLAIN = String.raw`(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*(?:万|千|百|k|w|million|mn|thousand|m)(?![a-z]))?(?:[一二两三四五六七八九\d](?![\d.]))?`;
const AMOUNT = new RegExp(String.raw`(?<![A-Za-z\d.\-_/#])([¥￥$]\s*|(?:rmb|cny)\s*)?(${YUAN_JIAO}|${JIAO}|${PLAIN}|${ZH_NUM})(\s*(?:元整|圆整|元|块钱?|圆|rmb|yuan|cny|kuai|bucks)(?![a-z]))?`, 'gi');
/** Formal numerals (大写) are only written for amounts; 元/块/毛 inside the body are a currency too. */
const CURRENCY_IN_BODY = /[块元圆毛角壹贰叁肆伍陆柒捌玖拾佰仟]/;
const CUE_BEFORE = /(金额|预算|总价|总额|总计|合计|一共|总共|共计|共|花了|花费|花|用了|付款|支付|付|报销|报|费用|费|价格|价值|标的|价款|价|款|约|大概|大约|左右|budget|total|amount|cost|costs|spent|spend|paid|pay|claim|worth|value|price|for|of|is|about|around|approx\.?)\s*[:：为是了]?\s*$/i;
const TOTAL_CUE = /(预算|总价|总额|总计|合计|一共|总共|共计|共|total|budget|in total|altogether)\s*[:：为是了]?\s*$/i;
const UNIT_PRICE_BEFORE = /(每[^\d\s，,。]{0,2}|单价|单个|per\s+\w+|each|unit price)\s*[:：为是]?\s*$/i;
const UNIT_PRICE_AFTER = /^\s*(?:一[台个件把张套箱]|每|\/\s*\w+|each|apiece|per\b)/i;
const NOT_MONEY_AFTER = /^\s*(?:天|日|号|月|年|人|次|晚|夜|点|%|％|折|倍|小时|分钟|周|楼|层|位|岁|期|届|版|days?\b|nights?\b|people\b|persons?\b|hours?\b|times\b|percent\b|years?\b|months?\b|weeks?\b|st\b|nd\b|rd\b|th\b)/i;
const ALLOWED_WORD_AFTER = /^\s+(?:by|for|to|on|in|at|from|and|with|before|due|total|budget|each|per|please|plz|today|yesterday|tomorrow|this|last|next|was|is|as)\b/i;

export function findMoney(text: string, masks: readonly Span[] = []): MoneyMention[] {
  const masked = maskSpans(text, masks);
  const out: MoneyMention[] = [];
  for (const m of masked.matchAll(AMOUNT)) {
    const [whole, pre, body = '', suf] = m;
    const start = m.index;
    const end = start + whole.length;
    const after = masked.slice(end);
    const before = text.slice(Math.max(0, start - 8), start);
    const isChinese = /^[零〇一二两三四五六七八九十百千万亿萬]+$/.test(body);
    const hasCurrency = Boolean(pre || suf) || CURRENCY_IN_BODY.test(body);
    const hasMagnitude = /[万千百kwKW]|million|mn|thousand|\dm$/i.test(body);
    // "1.5M" is a million; a bare lowercase "5m" may be metres, so it needs a currency or a cue.
    if (/\dm$/.test(body) && !hasCurrency && !CUE_BEFORE.test(before)) continue;
    if (!hasCurrency && NOT_MONEY_AFTER.test(after)) continue;
    if (!hasCurrency && !hasMagnitude && /^\s+[a-z]/i.test(after) && !ALLOWED_WORD_AFTER.test(after) && !/^\s*(?:k|w)\b/i.test(after)) continue;
    if (/第\s*$/.test(before)) continue;
    // Digits glued to more digits by a comma that is no thousands separator ("1,2,3"): no amount to read here.
    if (/^,\d/.test(masked.slice(end)) || /\d,$/.test(text.slice(0, start))) continue;
    const cue = CUE_BEFORE.test(before);
    if (isChinese && !hasCurrency && !(cue && body.length >= 2) && !(body.length >= 2 && /[百千万亿]/.test(body))) continue;
    const value = parseAmount(body);
    if (value === null || value <= 0) continue;
    let score = 0;
    if (hasCurrency) score += 3;
    if (hasMagnitude) score += 2;
    if (cue) score += 2;
    if (TOTAL_CUE.test(before)) score += 1;
    if (UNIT_PRICE_BEFORE.test(before) || UNIT_PRICE_AFTER.test(after)) score -= 4;
    out.push({ start, end, value, score });
  }
  return out.sort((a, b) => b.score - a.score || b.start - a.start);
}
