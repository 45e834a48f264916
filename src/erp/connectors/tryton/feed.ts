import type { ChangePage, StatusChange } from '../../erp-connector.ts';
import { OUR_REFERENCES, type TrytonDoc, type TrytonReader } from './reader.ts';
import { trytonDateTime } from './rpc-codec.ts';
import { INVOICE_MODEL, PURCHASE_MODEL, type TrytonModel } from './status.ts';

/**
 * The change feed: the assistant's supplier invoices and purchases changed since a cursor, read with search_read.
 *
 * - Tryton sets `create_date` on create and `write_date` on each later write (null until then), both naive UTC taken
 *   at the start of the writing transaction (trytond ModelSQL). A document changed at or after T is therefore
 *   `write_date >= T OR create_date >= T`; a purchase also changes when one of its supplier invoices does (posted,
 *   paid), so its domain adds the invoices' dates.
 * - A transaction that started before the newest timestamp seen may commit after the read, so every poll re-reads an
 *   overlap window (OVERLAP_MS) before that timestamp; repeats carry the same versionStamp and the service skips them.
 *   The timestamp comes from the data (Tryton's clock), never from this service's.
 * - Pages go forward by id inside one poll (keyset, stable while documents change), invoices first, then purchases.
 *
 * Cursor (opaque to callers): `tc1.` + base64url(JSON) of
 *   { n: newest timestamp seen }                                         between polls, or
 *   { n, p: 1, w: window start or null, m: model index, id: last id }   inside a poll that has more pages.
 * null (or a cursor this version cannot read) starts from the first document.
 */
export const OVERLAP_MS = 60_000;
const MODELS: readonly TrytonModel[] = [INVOICE_MODEL, PURCHASE_MODEL];
const PREFIX = 'tc1.';

export interface FeedCursor { n: string | null; p?: 1; w?: string | null; m?: number; id?: number }

export function encodeCursor(c: FeedCursor): string {
  return PREFIX + Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

const NAIVE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;
const naiveOrNull = (v: unknown): v is string | null => v === null || (typeof v === 'string' && NAIVE.test(v));

export function decodeCursor(cursor: string | null): FeedCursor | null {
  if (!cursor?.startsWith(PREFIX)) return null;
  let c: unknown;
  try { c = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), 'base64url').toString('utf8')); } catch { return null; }
  if (c === null || typeof c !== 'object') return null;
  const { n, p, w, m, id } = c as Record<string, unknown>;
  if (!naiveOrNull(n)) return null;
  if (p !== 1) return { n };
  if (!naiveOrNull(w) || !Number.isInteger(m) || (m as number) < 0 || (m as number) >= MODELS.length || !Number.isInteger(id)) return { n };
  return { n, p: 1, w, m: m as number, id: id as number };
}

/** `naive` minus `ms`, as a naive timestamp (millisecond precision: a slightly earlier bound only re-reads more). */
export function earlier(naive: string, ms: number): string {
  return new Date(Date.parse(`${naive.slice(0, 23)}Z`) - ms).toISOString().slice(0, 23);
}

/** The domain of a model's changes since `since` (null: all of them). */
export function changedSince(model: TrytonModel, since: string | null): unknown[] {
  if (since === null) return [];
  const t = trytonDateTime(since);
  const own = [['write_date', '>=', t], ['create_date', '>=', t]];
  const viaInvoices = model === PURCHASE_MODEL ? [['invoices.write_date', '>=', t], ['invoices.create_date', '>=', t]] : [];
  return [['OR', ...own, ...viaInvoices]];
}

export async function readChanges(reader: TrytonReader, cursor: string | null, limit: number): Promise<ChangePage> {
  const c = decodeCursor(cursor);
  const paging = c?.p === 1;
  const since = paging ? (c.w ?? null) : c?.n ? earlier(c.n, OVERLAP_MS) : null;
  let newest = c?.n ?? null;
  const changes: StatusChange[] = [];
  let after = paging ? (c.id ?? 0) : 0;
  for (let m = paging ? (c.m ?? 0) : 0; m < MODELS.length; m++, after = 0) {
    const model = MODELS[m] as TrytonModel;
    const docs: TrytonDoc[] = await reader.read(model, [OUR_REFERENCES, ['id', '>', after], ...changedSince(model, since)], {
      limit: limit - changes.length, order: [['id', 'ASC']],
    });
    for (const d of docs) {
      if (newest === null || d.changed > newest) newest = d.changed;
      changes.push({ ref: d.snapshot.ref, to: d.snapshot.status, at: d.snapshot.changedAt ?? '', source: 'poll', snapshot: d.snapshot });
    }
    if (changes.length >= limit) {
      return { changes, hasMore: true, nextCursor: encodeCursor({ n: newest, p: 1, w: since, m, id: docs.at(-1)?.id ?? after }) };
    }
  }
  return { changes, hasMore: false, nextCursor: encodeCursor({ n: newest }) };
}
