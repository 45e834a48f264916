/**
 * Calendar arithmetic in a tenant's time zone without a date library: "this month" and "today"
 * depend on where the tenant is (default Asia/Shanghai), not on the server's TZ.
 */
export interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

/** Building an Intl.DateTimeFormat costs far more than using one: keep one per zone and shape. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withTime ? 't' : 'd'}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', withTime
      ? { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
      : { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(key, f);
  }
  return f;
}

export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const parts = formatter(timeZone, false).formatToParts(instant);
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
  return { year: get('year'), month: get('month'), day: get('day') };
}

export function formatLocalDate(d: LocalDate): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function formatMonth(d: { year: number; month: number }): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}`;
}

/** "2026-11-23 10:05" in the given zone, for cards and timelines. */
export function formatLocalDateTime(instant: Date, timeZone: string): string {
  const parts = formatter(timeZone, true).formatToParts(instant);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}
