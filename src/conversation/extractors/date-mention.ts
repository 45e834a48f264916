import type { LocalDate } from './calendar.ts';

/** A date expression found in a message, with its character span. */
export type DateMention =
  | {
    kind: 'day';
    start: number;
    end: number;
    date: LocalDate;
    /** Only the day was written ("5号"): a range may take month and year from its other end. */
    dayOnly?: boolean;
    /** A weekday without a week ("周三"): as the end of a range, it is the one on or after the start. */
    bareWeekday?: boolean;
  }
  | { kind: 'month'; start: number; end: number; month: { year: number; month: number } };

/** The tenant-local reference a rule resolves against. */
export interface DateReference {
  today: LocalDate;
  /** The message says "by / before / 前 / due": a bare weekday means the next one. */
  futureBias: boolean;
}

/** Removes overlapping mentions: the longer one wins, then the earlier one. */
export function dropOverlaps<T extends { start: number; end: number }>(items: T[]): T[] {
  const sorted = [...items].sort((a, b) => (b.end - b.start) - (a.end - a.start) || a.start - b.start);
  const kept: T[] = [];
  for (const m of sorted) {
    if (kept.every((k) => m.end <= k.start || m.start >= k.end)) kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start);
}
