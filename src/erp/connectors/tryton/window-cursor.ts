import { earlier, OVERLAP_MS } from './feed.ts';
import { trytonDateTime } from './rpc-codec.ts';

/**
 * The cursor of one Tryton model read incrementally (purchase requisitions, each kind of master data), as the change
 * feed (feed.ts) reads documents: a record changed at or after T has `write_date >= T OR create_date >= T` (or a
 * related record's dates: a requisition's lines, a party's contact mechanisms), every poll re-reads an overlap window
 * (OVERLAP_MS) before the newest timestamp seen (a transaction that started earlier may commit later), and pages go
 * forward by id inside one poll. Timestamps come from Tryton's data, never from this service's clock.
 *
 * Opaque to callers: `<prefix>` + base64url(JSON) of
 *   { n: newest timestamp seen }                              between polls, or
 *   { n, p: 1, w: window start or null, id: last id }         inside a poll that has more pages.
 * null, or a cursor of another prefix or shape, starts from the first record.
 */
export interface WindowCursor { n: string | null; p?: 1; w?: string | null; id?: number }

const NAIVE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;
const naiveOrNull = (v: unknown): v is string | null => v === null || (typeof v === 'string' && NAIVE.test(v));

export function encodeWindow(prefix: string, c: WindowCursor): string {
  return prefix + Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

export function decodeWindow(prefix: string, cursor: string | null): WindowCursor | null {
  if (!cursor?.startsWith(prefix)) return null;
  let c: unknown;
  try { c = JSON.parse(Buffer.from(cursor.slice(prefix.length), 'base64url').toString('utf8')); } catch { return null; }
  if (c === null || typeof c !== 'object') return null;
  const { n, p, w, id } = c as Record<string, unknown>;
  if (!naiveOrNull(n)) return null;
  if (p !== 1 || !naiveOrNull(w) || !Number.isInteger(id) || (id as number) < 0) return { n };
  return { n, p: 1, w, id: id as number };
}

/** Where a read resumes: the window start (null: everything) and the last id already returned in this poll. */
export function resume(c: WindowCursor | null): { since: string | null; after: number; newest: string | null } {
  if (c?.p === 1) return { since: c.w ?? null, after: c.id ?? 0, newest: c.n };
  return { since: c?.n ? earlier(c.n, OVERLAP_MS) : null, after: 0, newest: c?.n ?? null };
}

/** `['OR', [field, '>=', since], …]` over the given date fields, or nothing when reading everything. */
export function changedSinceDomain(since: string | null, dateFields: readonly string[]): unknown[] {
  if (since === null) return [];
  const t = trytonDateTime(since);
  return [['OR', ...dateFields.map((f) => [f, '>=', t])]];
}

/** The newest of naive timestamps (null and undefined ignored). */
export function newestOf(...stamps: (string | null | undefined)[]): string | null {
  let n: string | null = null;
  for (const s of stamps) if (s && (n === null || s > n)) n = s;
  return n;
}

/** The cursor after a page of `count` records of at most `limit`, the last with id `lastId`. */
export function nextWindow(prefix: string, r: { since: string | null; newest: string | null; count: number; limit: number; lastId: number }): { nextCursor: string; hasMore: boolean } {
  if (r.count >= r.limit) return { hasMore: true, nextCursor: encodeWindow(prefix, { n: r.newest, p: 1, w: r.since, id: r.lastId }) };
  return { hasMore: false, nextCursor: encodeWindow(prefix, { n: r.newest }) };
}
