import { EN_CITIES, ZH_CITIES } from './city-gazetteer.ts';
import type { Span } from './span.ts';

/**
 * Where a trip went: gazetteer cities first (the one after 去/到/飞/赴/to wins over a departure
 * city after 从/from), then a place word framed by a trip verb ("去义乌出差", "trip to Nantong").
 */
export interface DestinationMention extends Span {
  value: string;
}

const EN_CITY = new RegExp(`\\b(?:${[...EN_CITIES].sort((a, b) => b.length - a.length).map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\b`, 'gi');
const ORIGIN_BEFORE = /(从|由|自|from)\s*$/i;
const GOAL_BEFORE = /(去|到|飞|赴|往|前往|抵达|在|to|in|at|visit|visiting)\s*$/i;
const ZH_FRAMED = /(?:去|到|赴|前往|飞往?)([\p{Script=Han}]{2,5}?)(?:市|省)?(?=出差|开会|参会|参加|见|拜访|办事|培训|考察|调研|支持|洽谈|谈|参展|看|出了|待了|呆了|住了|\d|[一二两三四五六七八九十]+天|，|,|。|；|\s|$)/gu;
const EN_FRAMED = /\b(?:trip|travel(?:l?ed)?|flew|flight|went|going|go)\s+(?:to|in)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)/g;
const NOT_PLACES = /^(公司|客户|现场|那边|外地|这里|那里|总部|机场|酒店|外面|一趟|一下)/;

function byPreference(text: string, mentions: DestinationMention[]): DestinationMention | null {
  if (mentions.length === 0) return null;
  const score = (m: DestinationMention): number => {
    const before = text.slice(Math.max(0, m.start - 6), m.start);
    return (GOAL_BEFORE.test(before) ? 2 : 0) - (ORIGIN_BEFORE.test(before) ? 3 : 0);
  };
  return [...mentions].sort((a, b) => score(b) - score(a) || a.start - b.start)[0] ?? null;
}

export function findDestination(text: string): DestinationMention | null {
  const found: DestinationMention[] = [];
  for (const city of ZH_CITIES) {
    let i = text.indexOf(city);
    while (i >= 0) {
      found.push({ start: i, end: i + city.length, value: city });
      i = text.indexOf(city, i + city.length);
    }
  }
  if (/[a-z]/i.test(text)) {
    for (const m of text.matchAll(EN_CITY)) found.push({ start: m.index, end: m.index + m[0].length, value: m[0] });
  }
  const kept = found.filter((a) => !found.some((b) => b !== a && b.start <= a.start && b.end >= a.end && b.end - b.start > a.end - a.start));
  const best = byPreference(text, kept);
  if (best) return best;
  for (const m of text.matchAll(ZH_FRAMED)) {
    const v = m[1] ?? '';
    if (!NOT_PLACES.test(v)) return { start: m.index + m[0].length - v.length, end: m.index + m[0].length, value: v };
  }
  for (const m of text.matchAll(EN_FRAMED)) {
    const v = m[1] ?? '';
    return { start: m.index + m[0].length - v.length, end: m.index + m[0].length, value: v };
  }
  return null;
}
