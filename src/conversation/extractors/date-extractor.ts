import { dropOverlaps, type DateMention, type DateReference } from './date-mention.ts';
import { enDateMentions } from './en-date-rules.ts';
import { addDays, compareDates, isoWeekday, todayIn, weekdayOf } from './calendar.ts';
import { dayRangeMentions } from './day-range-rules.ts';
import { zhDateMentions } from './zh-date-rules.ts';
import { formatLocalDate, formatMonth } from '../../core/time-zone.ts';

/**
 * Every date expression of a message (zh rules + English via chrono-node), ordered by position,
 * plus the ranges they form ("11月3日到5日", "Nov 3-5", "3号至5号").
 */
export interface DateFindings {
  mentions: DateMention[];
  days: { start: number; end: number; value: string }[];
  months: { start: number; end: number; value: string }[];
  ranges: { start: number; end: number; value: { start: string; end: string } }[];
}

const FUTURE_CUE = /前(?!天)|之前|以前|截止|到期|最晚|最迟|需要|要到|交付|\bby\b|\bbefore\b|\bdue\b|\bno later\b|\bdeadline\b|\buntil\b|\bnext\b/i;
const RANGE_JOINER = /^\s*(?:到|至|-|~|～|—|–|－|to|until|till|through|thru|and)\s*$/i;

export function findDates(text: string, now: Date, timeZone: string): DateFindings {
  const ref: DateReference = { today: todayIn(now, timeZone), futureBias: FUTURE_CUE.test(text) };
  const mentions = dropOverlaps([...dayRangeMentions(text, ref), ...zhDateMentions(text, ref), ...enDateMentions(text, ref)]);
  const days: DateFindings['days'] = [];
  const months: DateFindings['months'] = [];
  const ranges: DateFindings['ranges'] = [];
  const used = new Set<number>();
  for (let i = 0; i < mentions.length; i += 1) {
    const a = mentions[i];
    const b = mentions[i + 1];
    if (a?.kind === 'day' && b?.kind === 'day' && RANGE_JOINER.test(text.slice(a.end, b.start))) {
      let endDate = b.dayOnly ? { ...a.date, day: b.date.day } : b.date;
      // "下周一到周三": the bare weekday ends the range in the start's week (or the next one, never before it).
      if (b.bareWeekday) {
        endDate = weekdayOf(a.date, isoWeekday(b.date), 0);
        if (compareDates(endDate, a.date) < 0) endDate = addDays(endDate, 7);
      }
      ranges.push({ start: a.start, end: b.end, value: { start: formatLocalDate(a.date), end: formatLocalDate(endDate) } });
      used.add(i); used.add(i + 1);
    }
  }
  mentions.forEach((m, i) => {
    if (m.kind === 'month') months.push({ start: m.start, end: m.end, value: formatMonth(m.month) });
    else if (!used.has(i)) days.push({ start: m.start, end: m.end, value: formatLocalDate(m.date) });
  });
  return { mentions, days, months, ranges };
}
