import { localDateOf, type LocalDate } from '../../core/time-zone.ts';

/**
 * Pure calendar arithmetic on tenant-local dates (no time of day, no zone): what "yesterday",
 * "last Wednesday" or "month end" mean is computed here from the tenant's local "today".
 */
export type { LocalDate };

export function todayIn(now: Date, timeZone: string): LocalDate {
  return localDateOf(now, timeZone);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isValidDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function addDays(d: LocalDate, n: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

export function addMonths(d: { year: number; month: number }, n: number): { year: number; month: number } {
  const idx = d.year * 12 + (d.month - 1) + n;
  return { year: Math.floor(idx / 12), month: (idx % 12) + 1 };
}

/** ISO weekday: Monday = 1 … Sunday = 7 (Chinese weeks start on Monday). */
export function isoWeekday(d: LocalDate): number {
  const w = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
  return w === 0 ? 7 : w;
}

/** The given weekday of the week `weekOffset` weeks from the week containing `d`. */
export function weekdayOf(d: LocalDate, weekday: number, weekOffset: number): LocalDate {
  return addDays(d, weekOffset * 7 + (weekday - isoWeekday(d)));
}

export function endOfMonth(m: { year: number; month: number }): LocalDate {
  return { year: m.year, month: m.month, day: daysInMonth(m.year, m.month) };
}

export function compareDates(a: LocalDate, b: LocalDate): number {
  return (a.year - b.year) * 10000 + (a.month - b.month) * 100 + (a.day - b.day);
}
