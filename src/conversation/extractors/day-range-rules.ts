import { parseChineseNumber } from './chinese-numerals.ts';
import { isValidDate, type LocalDate } from './calendar.ts';
import type { DateMention, DateReference } from './date-mention.ts';

/**
 * Day ranges written in shorthand, which the single-date rules cannot read on their own:
 * "11月28到30号" / "11月30到12月2号" (no 日/号 on the first day), "1.10-1.12" / "1.10-12" / "11/2-11/5" (dotted
 * month.day is only a date when two of them make a range: alone, "1.10" is an amount), and
 * "from the 3rd to the 5th" (ordinal days of this month). Each end becomes a day mention; findDates
 * pairs them into a range. A year that is not written is the one nearest to today, as for single dates.
 */
const N = String.raw`(\d{1,2}|[一二两三四五六七八九十]{1,3})`;
const JOIN = String.raw`\s*(?:到|至|-|~|～|—|–|－)\s*`;
const ZH_MONTH_DAY_TO_DAY = new RegExp(`${N}月${N}(?:[日号])?(?=${JOIN}(?:${N}月)?${N}[日号])`, 'g');
const DOTTED = /(?<![\d./])(\d{1,2})([./])(\d{1,2})(\s*(?:-|~|～|—|–|－|到|至|to)\s*)(?:(\d{1,2})\2)?(\d{1,2})(?![\d./])(?!\s*(?:元|块|k|w|万|%))/gi;
const ORDINALS = /\b(?:from\s+)?((?:the\s+)?\d{1,2}(?:st|nd|rd|th))(\s*(?:-|–|to|until|till|through|thru)\s*)((?:the\s+)?(\d{1,2})(?:st|nd|rd|th))\b/gi;

function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  return /^\d+$/.test(s) ? Number(s) : parseChineseNumber(s);
}

/** The year that puts month/day nearest to today (same rule as the single-date extractor). */
function nearestYear(month: number, day: number, today: LocalDate): number {
  let best = today.year;
  let bestDist = Infinity;
  for (const y of [today.year - 1, today.year, today.year + 1]) {
    if (!isValidDate(y, month, day)) continue;
    const dist = Math.abs(Date.UTC(y, month - 1, day) - Date.UTC(today.year, today.month - 1, today.day));
    if (dist < bestDist) { best = y; bestDist = dist; }
  }
  return best;
}

export function dayRangeMentions(text: string, ref: DateReference): DateMention[] {
  const out: DateMention[] = [];
  const t = ref.today;
  const push = (start: number, end: number, date: LocalDate, dayOnly = false): void => {
    if (isValidDate(date.year, date.month, date.day)) out.push({ kind: 'day', start, end, date, ...(dayOnly ? { dayOnly } : {}) });
  };
  for (const m of text.matchAll(ZH_MONTH_DAY_TO_DAY)) {
    const mo = num(m[1]);
    const d = num(m[2]);
    if (mo === null || d === null) continue;
    push(m.index, m.index + m[0].length, { year: nearestYear(mo, d, t), month: mo, day: d });
  }
  for (const m of text.matchAll(DOTTED)) {
    const [whole, mo1, sep = '', d1, joiner = '', mo2raw, d2] = m;
    const mo = Number(mo1);
    const mo2 = mo2raw ? Number(mo2raw) : mo;
    if (mo < 1 || mo > 12 || mo2 < 1 || mo2 > 12) continue;
    const year = nearestYear(mo, Number(d1), t);
    const firstEnd = m.index + `${mo1}${sep}${d1}`.length;
    push(m.index, firstEnd, { year, month: mo, day: Number(d1) });
    push(firstEnd + joiner.length, m.index + whole.length, { year: mo2 < mo ? year + 1 : year, month: mo2, day: Number(d2) });
  }
  for (const m of text.matchAll(ORDINALS)) {
    const first = m[1] ?? '';
    const firstEnd = m.index + m[0].indexOf(first) + first.length;
    const secondStart = firstEnd + (m[2] ?? '').length;
    push(m.index, firstEnd, { year: t.year, month: t.month, day: Number(/\d+/.exec(first)?.[0]) });
    push(secondStart, m.index + m[0].length, { year: t.year, month: t.month, day: Number(m[4]) }, true);
  }
  return out;
}
