import { parseChineseNumber } from './chinese-numerals.ts';
import {
  addDays, addMonths, compareDates, endOfMonth, isValidDate, weekdayOf, type LocalDate,
} from './calendar.ts';
import type { DateMention, DateReference } from './date-mention.ts';

/**
 * Chinese (and numeric) date expressions relative to the tenant's today: 今天 昨天 前天 三天前,
 * 本周一 上周三 下周五 周五, 这个月 上个月 11月, 月底 下个月底, 11月3日 10号 2026-11-03 2026年11月3日 11/3.
 */
const N = String.raw`(\d{1,4}|[零〇一二两三四五六七八九十]{1,4})`;
const NOT_A_DAY = '(?!仓|库|楼|线|车间|门|厂|机|柜|位|口|院|店|房|箱|工位)';
const MONTH_DAY = new RegExp(`(今年|去年|明年|\\d{4}年)?${N}月份?${N}[日号]${NOT_A_DAY}`, 'g');
const DAY_ONLY = new RegExp(`(?<![月\\d零〇一二两三四五六七八九十])${N}[日号]${NOT_A_DAY}`, 'g');
const DAYS_AGO = new RegExp(`${N}天(前|以前|之前|后|以后|之后)`, 'g');
const MONTH_PART = new RegExp(`(本月|这个月|这月|当月|上个月|上月|下个月|下月|${N}月)?(月底|月末|月初|月中|底|末|初)`, 'g');
const MONTH = new RegExp(`(本月|这个月份?|这月|当月|上个月份?|上月|下个月份?|下月)|(今年|去年|明年|\\d{4}年)?${N}月份?`, 'g');
const RELATIVE_DAYS: Readonly<Record<string, number>> = {
  大前天: -3, 前天: -2, 昨天: -1, 昨日: -1, 今天: 0, 今日: 0, 当天: 0, 明天: 1, 明日: 1, 后天: 2, 大后天: 3,
};
const WEEKDAYS: Readonly<Record<string, number>> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7, 末: 6 };
const WEEK_OFFSET: Readonly<Record<string, number>> = { 上上: -2, 上: -1, 上个: -1, 这: 0, 这个: 0, 本: 0, 下: 1, 下个: 1, 下下: 2 };

function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  return /^\d+$/.test(s) ? Number(s) : parseChineseNumber(s);
}

function yearWord(w: string | undefined, today: LocalDate): number | null {
  if (!w) return null;
  if (w === '今年') return today.year;
  if (w === '去年') return today.year - 1;
  if (w === '明年') return today.year + 1;
  return num(w.replace('年', ''));
}

/** Month and day without a year: the year that puts the date nearest to today. */
function nearestYear(month: number, day: number, today: LocalDate): number {
  const candidates = [today.year - 1, today.year, today.year + 1].filter((y) => isValidDate(y, month, day));
  let best = today.year;
  let bestDist = Infinity;
  for (const y of candidates) {
    const dist = Math.abs(Date.UTC(y, month - 1, day) - Date.UTC(today.year, today.month - 1, today.day));
    if (dist < bestDist) { best = y; bestDist = dist; }
  }
  return best;
}

function monthRef(prefix: string | undefined, monthNum: string | undefined, ref: DateReference): { year: number; month: number } | null {
  const t = ref.today;
  if (prefix) {
    if (/^(本|这个?|当)月?$/.test(prefix) || /^(本|这个?|当)$/.test(prefix)) return { year: t.year, month: t.month };
    if (/^上/.test(prefix)) return addMonths(t, -1);
    if (/^下/.test(prefix)) return addMonths(t, 1);
  }
  if (monthNum) {
    const m = num(monthNum);
    if (m === null || m < 1 || m > 12) return null;
    return { year: nearestYear(m, 1, t), month: m };
  }
  return { year: t.year, month: t.month };
}

export function zhDateMentions(text: string, ref: DateReference): DateMention[] {
  const out: DateMention[] = [];
  const t = ref.today;
  const day = (start: number, end: number, date: LocalDate, dayOnly = false, bareWeekday = false): void => {
    if (isValidDate(date.year, date.month, date.day)) out.push({ kind: 'day', start, end, date, ...(dayOnly ? { dayOnly } : {}), ...(bareWeekday ? { bareWeekday } : {}) });
  };
  for (const m of text.matchAll(/(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?/g)) {
    day(m.index, m.index + m[0].length, { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) });
  }
  for (const m of text.matchAll(MONTH_DAY)) {
    const mo = num(m[2]); const d = num(m[3]);
    if (mo === null || d === null) continue;
    const y = yearWord(m[1], t) ?? nearestYear(mo, d, t);
    day(m.index, m.index + m[0].length, { year: y, month: mo, day: d });
  }
  for (const m of text.matchAll(/(?<![\d./-])(\d{1,2})\/(\d{1,2})(?![\d/])/g)) {
    const mo = Number(m[1]); const d = Number(m[2]);
    day(m.index, m.index + m[0].length, { year: nearestYear(mo, d, t), month: mo, day: d });
  }
  for (const m of text.matchAll(DAY_ONLY)) {
    const d = num(m[1]);
    if (d !== null && d >= 1 && d <= 31) day(m.index, m.index + m[0].length, { year: t.year, month: t.month, day: d }, true);
  }
  for (const m of text.matchAll(/大前天|前天|昨天|昨日|今天|今日|当天|明天|明日|大后天|后天/g)) {
    day(m.index, m.index + m[0].length, addDays(t, RELATIVE_DAYS[m[0]] ?? 0));
  }
  for (const m of text.matchAll(DAYS_AGO)) {
    const n = num(m[1]);
    if (n !== null && n < 400) day(m.index, m.index + m[0].length, addDays(t, /前/.test(m[2] ?? '') ? -n : n));
  }
  for (const m of text.matchAll(/(上上|下下|上个|下个|这个|上|下|这|本)?(?:周|星期|礼拜)([一二三四五六日天末1-7])/g)) {
    const wd = WEEKDAYS[m[2] ?? ''] ?? Number(m[2]);
    const offset = m[1] === undefined ? null : WEEK_OFFSET[m[1]] ?? 0;
    let d = weekdayOf(t, wd, offset ?? 0);
    if (offset === null) {
      const cmp = compareDates(d, t);
      if (cmp > 0 && !ref.futureBias) d = addDays(d, -7);
      if (cmp < 0 && ref.futureBias) d = addDays(d, 7);
    }
    day(m.index, m.index + m[0].length, d, false, offset === null);
  }
  for (const m of text.matchAll(MONTH_PART)) {
    const suffix = m[3] ?? '';
    if (!m[1] && !suffix.startsWith('月')) continue;
    const prefix = m[1] && !m[2] ? m[1] : undefined;
    const mo = monthRef(prefix, m[2], ref);
    if (!mo) continue;
    const d = /底|末/.test(suffix) ? endOfMonth(mo) : { ...mo, day: /中/.test(suffix) ? 15 : 1 };
    day(m.index, m.index + m[0].length, d);
  }
  for (const m of text.matchAll(/年底|年末/g)) day(m.index, m.index + m[0].length, { year: t.year, month: 12, day: 31 });
  for (const m of text.matchAll(MONTH)) {
    if (m[1]) {
      const mo = monthRef(m[1], undefined, ref);
      if (mo) out.push({ kind: 'month', start: m.index, end: m.index + m[0].length, month: mo });
      continue;
    }
    const mo = num(m[3]);
    if (mo === null || mo < 1 || mo > 12) continue;
    const y = yearWord(m[2], t) ?? nearestYear(mo, 15, t);
    out.push({ kind: 'month', start: m.index, end: m.index + m[0].length, month: { year: y, month: mo } });
  }
  return out;
}
