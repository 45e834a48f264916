/**
 * Tryton's typed JSON values. JSON has no decimal, date or bytes, so trytond's JSON-RPC encoder tags them as
 * objects with a `__class__` key (trytond/protocols/jsonrpc.py, JSONEncoder/JSONDecoder, Tryton 6.0), in both
 * directions. Money stays a decimal string here: a float would lose cents.
 */

export interface TrytonDecimal { __class__: 'Decimal'; decimal: string }
export interface TrytonDate { __class__: 'date'; year: number; month: number; day: number }

const DECIMAL = /^-?\d+(\.\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A decimal string such as "35.50" as Tryton's Decimal. Rejects anything that is not a plain decimal. */
export function trytonDecimal(value: string): TrytonDecimal {
  if (!DECIMAL.test(value)) throw new TypeError(`not a decimal string: ${JSON.stringify(value)}`);
  return { __class__: 'Decimal', decimal: value };
}

/** A calendar date "YYYY-MM-DD" as Tryton's date (no time zone: Tryton dates are plain dates). */
export function trytonDate(isoDate: string): TrytonDate {
  const m = ISO_DATE.exec(isoDate);
  if (!m) throw new TypeError(`not a YYYY-MM-DD date: ${JSON.stringify(isoDate)}`);
  return { __class__: 'date', year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

export interface TrytonDateTime { __class__: 'datetime'; year: number; month: number; day: number; hour: number; minute: number; second: number; microsecond: number }

const NAIVE_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** A naive "YYYY-MM-DDTHH:MM:SS[.ffffff]" (as reviveTryton gives it) as Tryton's datetime, e.g. for a domain on write_date. */
export function trytonDateTime(naive: string): TrytonDateTime {
  const m = NAIVE_DATETIME.exec(naive);
  if (!m) throw new TypeError(`not a naive YYYY-MM-DDTHH:MM:SS datetime: ${JSON.stringify(naive)}`);
  return {
    __class__: 'datetime', year: Number(m[1]), month: Number(m[2]), day: Number(m[3]),
    hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]), microsecond: Number((m[7] ?? '').padEnd(6, '0')),
  };
}

const pad = (n: unknown, width = 2) => String(n).padStart(width, '0');

/**
 * A response value with its tags turned into plain values: Decimal → decimal string, date → "YYYY-MM-DD",
 * datetime → "YYYY-MM-DDTHH:MM:SS.ffffff" (naive: Tryton stores server-local time without a zone),
 * time → "HH:MM:SS", timedelta → seconds, bytes → Buffer. Untagged objects and arrays are walked.
 */
export function reviveTryton(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveTryton);
  if (value === null || typeof value !== 'object') return value;
  const v = value as Record<string, unknown>;
  switch (v.__class__) {
    case 'Decimal': return String(v.decimal);
    case 'date': return `${pad(v.year, 4)}-${pad(v.month)}-${pad(v.day)}`;
    case 'datetime':
      return `${pad(v.year, 4)}-${pad(v.month)}-${pad(v.day)}T${pad(v.hour)}:${pad(v.minute)}:${pad(v.second)}.${pad(v.microsecond ?? 0, 6)}`;
    case 'time': return `${pad(v.hour)}:${pad(v.minute)}:${pad(v.second)}`;
    case 'timedelta': return Number(v.seconds);
    case 'bytes': return Buffer.from(String(v.base64), 'base64');
    default: return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reviveTryton(x)]));
  }
}
