import type { ParsedComponents } from 'chrono-node';
// The English locale alone: the package's main entry loads all of its locales (about 11 MB more, 0.7 s at start).
import { casual } from 'chrono-node/en';
import { addDays, addMonths, compareDates, type LocalDate } from './calendar.ts';
import type { DateMention, DateReference } from './date-mention.ts';

/**
 * English date expressions. Days ("yesterday", "last Friday", "by Friday", "Dec 15", "Nov 3-5",
 * "3 days ago", "end of month") come from chrono-node; months ("this month", "last month",
 * "for October") from the rules below, because chrono resolves them to a day.
 */
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAME = String.raw`(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?`;

/** chrono is only worth running (and paying for) when an English date word is present. */
const DATE_WORD = /\b(?:today|tonight|yesterday|tomorrow|ago|mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|thurs|thursday|fri|friday|sat|saturday|sun|sunday|weekend|week|jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december|\d{1,2}(?:st|nd|rd|th)|end\s+of|month[- ]end)\b/i;

const NAMED_MONTH = new RegExp(`\\b(?:(in|for|of|during)\\s+)?${MONTH_NAME}(?:\\s+(\\d{4}))?\\b(?!\\s*\\d{1,2}\\b|\\s*\\d{1,2}(?:st|nd|rd|th))`, 'gi');

function toLocal(c: ParsedComponents): LocalDate {
  return { year: c.get('year') ?? 0, month: c.get('month') ?? 0, day: c.get('day') ?? 0 };
}

/** chrono reads "Friday" as the nearest one; a weekday alone means the coming one when the message sets a deadline. */
function biasWeekday(d: LocalDate, c: ParsedComponents, text: string, ref: DateReference): LocalDate {
  if (c.isCertain('day') || !c.isCertain('weekday') || /\b(next|last|this|previous|coming)\b/i.test(text)) return d;
  const cmp = compareDates(d, ref.today);
  if (cmp < 0 && ref.futureBias) return addDays(d, 7);
  if (cmp > 0 && !ref.futureBias) return addDays(d, -7);
  return d;
}

function monthMentions(text: string, ref: DateReference): DateMention[] {
  const out: DateMention[] = [];
  const t = ref.today;
  for (const m of text.matchAll(/\b(this|current|last|previous|past|next)\s+month\b(?!\s*(?:end|'s end))/gi)) {
    const w = (m[1] ?? '').toLowerCase();
    const offset = w === 'next' ? 1 : w === 'this' || w === 'current' ? 0 : -1;
    out.push({ kind: 'month', start: m.index, end: m.index + m[0].length, month: addMonths(t, offset) });
  }
  for (const m of text.matchAll(NAMED_MONTH)) {
    const name = (m[2] ?? '').toLowerCase();
    if (name === 'may' && !m[1]) continue;
    const month = MONTHS.indexOf(name.slice(0, 3)) + 1;
    if (month < 1) continue;
    let year = m[3] ? Number(m[3]) : t.year;
    if (!m[3] && month - t.month > 6) year -= 1;
    if (!m[3] && t.month - month > 6) year += 1;
    out.push({ kind: 'month', start: m.index, end: m.index + m[0].length, month: { year, month } });
  }
  return out;
}

export function enDateMentions(text: string, ref: DateReference): DateMention[] {
  if (!/[a-z]/i.test(text)) return [];
  const out = monthMentions(text, ref);
  if (!DATE_WORD.test(text)) return out;
  const t = ref.today;
  const reference = new Date(t.year, t.month - 1, t.day, 12, 0, 0);
  for (const r of casual.parse(text, reference, { forwardDate: false })) {
    if (!r.start.isCertain('day') && !r.start.isCertain('weekday')) continue;
    const start = r.index;
    let end = r.index + r.text.length;
    // "Nov 4, 5400": chrono takes a following amount for the year; keep the date, give the number back.
    const yearOf = r.start.get('year') ?? t.year;
    if (Math.abs(yearOf - t.year) > 3) {
      const tail = /,?\s*\d{3,}$/.exec(r.text);
      if (tail) end = start + tail.index;
    }
    const fixYear = (d: LocalDate): LocalDate => (Math.abs(d.year - t.year) > 3 ? { ...d, year: t.year } : d);
    const first = fixYear(biasWeekday(toLocal(r.start), r.start, r.text, ref));
    if (r.end) {
      const last = fixYear(toLocal(r.end));
      const joiner = /\s*(?:-|–|\bto\b|\buntil\b|\btill\b|\bthrough\b|\bthru\b)\s*/i.exec(r.text);
      const mid = joiner && joiner.index > 0 ? start + joiner.index : end - 1;
      out.push({ kind: 'day', start, end: mid, date: first });
      out.push({ kind: 'day', start: joiner && joiner.index > 0 ? mid + joiner[0].length : end - 1, end, date: last });
    } else {
      out.push({ kind: 'day', start, end, date: first });
    }
  }
  return out;
}
