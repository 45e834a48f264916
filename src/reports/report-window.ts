import { sql, type Kysely } from 'kysely';
import { ValidationError } from '../core/errors.ts';
import type { Database } from '../db/database.ts';

/** A report covers at most this many days: the percentiles sort every request of the window. */
export const MAX_REPORT_DAYS = 366;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** A calendar day YYYY-MM-DD as a day number (days since 1970-01-01), or a 400 naming the parameter. */
function dayNumber(name: string, value: string | undefined): number {
  if (value === undefined || value === '') throw new ValidationError('report.date_required', `${name} is required (YYYY-MM-DD, in the tenant's time zone)`);
  const m = DAY.exec(value);
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const t = Date.UTC(y, mo - 1, d);
  // Date.UTC rolls 2026-02-30 over to March: a day that does not round-trip does not exist.
  const back = new Date(t);
  if (!m || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new ValidationError('report.invalid_date', `${name} "${value}" is not a calendar date in the form YYYY-MM-DD`);
  }
  return t / DAY_MS;
}

/** The days from and to (both included), checked: real dates, from ≤ to, at most MAX_REPORT_DAYS days. */
export function checkDays(from: string | undefined, to: string | undefined): { from: string; to: string; days: number } {
  const a = dayNumber('from', from);
  const b = dayNumber('to', to);
  if (a > b) throw new ValidationError('report.invalid_range', `from (${from}) is after to (${to})`);
  const days = b - a + 1;
  if (days > MAX_REPORT_DAYS) throw new ValidationError('report.range_too_long', `from ${from} to ${to} spans ${days} days; at most ${MAX_REPORT_DAYS}`);
  return { from: from as string, to: to as string, days };
}

/**
 * [start of `from`, start of the day after `to`) as instants, midnight taken in `timeZone`. PostgreSQL's zone
 * data does the conversion, so a day that is 23 or 25 hours long (a DST change) is exactly that.
 */
export async function dayWindow(db: Kysely<Database>, from: string, to: string, timeZone: string): Promise<{ start: Date; end: Date }> {
  const { rows } = await sql<{ start: Date; end: Date }>`
    select (${from}::date)::timestamp at time zone ${timeZone} as start, (${to}::date + 1)::timestamp at time zone ${timeZone} as "end"`.execute(db);
  const row = rows[0];
  if (!row) throw new Error('the database returned no window');
  return { start: new Date(row.start), end: new Date(row.end) };
}
