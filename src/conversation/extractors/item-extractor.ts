import { bestQuantity, type QuantityMention } from './quantity-extractor.ts';

/**
 * What is bought or taken from stock: the words after a count ("6把办公椅" → 办公椅,
 * "5 boxes of A4 paper" → A4 paper), else the words right before it ("办公椅20把" → 办公椅),
 * else the object of a verb (采购/购买/买/领/buy/purchase/order).
 */
const ZH_ITEM_STOP = /预算|总价|总共|一共|共计|共|合计|总计|大概|大约|约|左右|每|单价|给|从|找|向|在|到货|送到|送至|放到|用于|用来|下周|本周|这周|下个月|月底|明天|今天|后天|之前|以前|以内|前|需要|急需|急用|尽快|马上|的话|吧|了|呢|，|,|。|；|;|！|!|？|\?|\s|（|\(|\d{2,}|¥|￥/u;
const LEADING_NOISE = /^(?:的|个|些|点|一下|一些|一批|新的?|几个|若干)/;
const BEFORE_COUNT = /([\p{Script=Han}A-Za-z0-9+._·-]{1,16})\s*[:：]?\s*$/u;
const VERB_PREFIX = /^.*?(?:申请采购|申请购买|申请领用|申请领取|需要采购|采购|购买|订购|购置|添置|买|领用|领取|领料|领|申请|需要|要)/u;
const ZH_VERB = /(?:采购|购买|订购|购置|添置|买|领用|领取|领)\s*(?:一些|一批|一点|点|些|几个|新的)?\s*/gu;
const EN_VERB = /\b(?:buy|purchase|order|procure|get|need|requisition|request|take|withdraw)\s+(?:some|a few|new|an?|the)?\s*/gi;
/** "budget 2k for a new desk": with no buying verb, what the money is for is the thing wanted. */
const EN_FOR = /\bfor\s+(?:an?|some|new|\s)+(?:new\s+)?(?=[a-z])/gi;
const EN_STOP = /\s+(?:from|for|by|at|with|budget|total|costing|worth|before|due|to|on|in)\b|[,.;!?]|\s+\d/i;
const EN_ITEM = /^([a-z][\w-]*(?:\s+[a-z0-9][\w-]*){0,3})/i;
const NOT_ITEMS = /^(?:采购|购买|申请|东西|物品|物料|材料|一下|流程|审批|单|something|stuff|things?|approval|request|to|a|an|the|it|some|materials?|items?|please|pls|thanks|asap|now|today)$/i;

function cleanZh(raw: string): string | null {
  let s = raw.replace(LEADING_NOISE, '');
  const stop = ZH_ITEM_STOP.exec(s);
  if (stop) s = s.slice(0, stop.index);
  s = s.replace(/的$/, '').trim();
  return s.length > 0 && !NOT_ITEMS.test(s) ? s.slice(0, 20) : null;
}

function cleanEn(raw: string): string | null {
  const stop = EN_STOP.exec(raw);
  const cut = (stop ? raw.slice(0, stop.index) : raw).trim();
  const m = EN_ITEM.exec(cut);
  const s = m?.[1]?.trim();
  return s && !NOT_ITEMS.test(s) ? s : null;
}

function afterCount(text: string, q: QuantityMention): string | null {
  if (q.noun) return q.noun;
  const rest = text.slice(q.itemStart);
  return /^\s*[a-z]/i.test(rest) && /^\s*(?:of\s+)?[a-z]/i.test(rest) && !/[\u4e00-\u9fff]/.test(rest.slice(0, 3))
    ? cleanEn(rest.replace(/^\s*of\s+/i, ''))
    : cleanZh(rest.replace(/^\s+/, ''));
}

function beforeCount(text: string, q: QuantityMention): string | null {
  const m = BEFORE_COUNT.exec(text.slice(0, q.start));
  if (!m?.[1]) return null;
  const withoutVerb = m[1].replace(VERB_PREFIX, '');
  return cleanZh(withoutVerb === '' ? '' : withoutVerb);
}

export function findItem(text: string, quantities: readonly QuantityMention[]): string | null {
  const ordered = [...quantities].sort((a, b) => Number(a.vague) - Number(b.vague));
  const primary = bestQuantity(quantities);
  for (const q of [...(primary ? [primary] : []), ...ordered]) {
    const item = afterCount(text, q);
    if (item) return item;
  }
  if (primary) {
    const item = beforeCount(text, primary);
    if (item) return item;
  }
  for (const m of text.matchAll(ZH_VERB)) {
    const item = cleanZh(text.slice(m.index + m[0].length));
    if (item) return item;
  }
  for (const m of text.matchAll(EN_VERB)) {
    const item = cleanEn(text.slice(m.index + m[0].length));
    if (item) return item;
  }
  for (const m of text.matchAll(EN_FOR)) {
    const item = cleanEn(text.slice(m.index + m[0].length));
    if (item) return item;
  }
  return null;
}
