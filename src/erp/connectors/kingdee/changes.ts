import { ValidationError } from '../../../core/errors.ts';
import type { ChangePage, StatusChange, StatusSnapshot } from '../../erp-connector.ts';
import type { KingdeeClient } from './client.ts';
import { quote, readRow, text } from './model.ts';
import type { KingdeeReader } from './reader.ts';
import type { KingdeeForm, KingdeeSettings } from './settings.ts';
import { isoToK3Time, k3TimeToIso } from './status.ts';

/**
 * The change feed over ExecuteBillQuery. One stream per configured form, plus the payment-bill form (a bank status
 * can change without touching the bill it pays). Each stream is read in (modify date, FID) order:
 * - a new poll re-reads an overlap window before the stream's last change, on both the modify and the create date
 *   (`FModifyDate >= since OR FCreateDate >= since`): K3 dates have second precision and its clock may drift;
 * - the pages after a full one go strictly forward, `(FModifyDate > t OR (FModifyDate = t AND FID > id))`, so a
 *   burst larger than a page inside the window cannot pin the feed, and a bill changed while the feed is being read
 *   moves to the end instead of shifting rows past a row offset (which StartRow paging would skip).
 * The cursor (opaque, base64url JSON) keeps each stream's last (modify date, FID) and the stream to resume at.
 * Repeats carry the same versionStamp (status.ts), so the service skips them.
 */
interface StreamPos { t: string; i: number; m: 'next' | 'rest' }
interface Cursor { f: number; p: Record<string, StreamPos> }

function decode(cursor: string | null): Cursor {
  if (!cursor) return { f: 0, p: {} };
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.f === 'number' && c.p && typeof c.p === 'object') return c;
  } catch { /* below */ }
  throw new ValidationError('erp.cursor_invalid', 'not a Kingdee change-feed cursor');
}

const encode = (c: Cursor): string => Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');

export class KingdeeChangeFeed {
  constructor(private readonly s: KingdeeSettings, private readonly client: KingdeeClient, private readonly reader: KingdeeReader, private readonly forms: KingdeeForm[]) {}

  private streams(): { name: string; form: KingdeeForm | null }[] {
    const pb = this.s.payment_bill;
    return [...this.forms.map((form) => ({ name: form.formId, form })), ...(pb ? [{ name: `pay:${pb.form_id}`, form: null }] : [])];
  }

  private filter(pos: StreamPos | undefined): string {
    const mod = this.s.modify_date_field;
    if (!pos) return '';
    const t = pos.t.replace('T', ' ');
    if (pos.m === 'next') return `(${mod} > ${quote(t)} OR (${mod} = ${quote(t)} AND FID > ${pos.i}))`;
    const since = isoToK3Time(new Date(new Date(k3TimeToIso(pos.t, this.s.timezone)).getTime() - this.s.poll_overlap_seconds * 1000).toISOString(), this.s.timezone);
    return `(${mod} >= ${quote(since)} OR ${this.s.create_date_field} >= ${quote(since)})`;
  }

  async list(cursor: string | null, limit: number): Promise<ChangePage> {
    const c = decode(cursor);
    const streams = this.streams();
    const order = `${this.s.modify_date_field} ASC, FID ASC`;
    const found = new Map<string, StatusSnapshot>();
    let remaining = limit;
    for (let idx = Math.min(c.f, streams.length); idx < streams.length; idx++) {
      const stream = streams[idx] as { name: string; form: KingdeeForm | null };
      const filter = this.filter(c.p[stream.name]);
      const page = stream.form
        ? await this.billPage(stream.form, filter, order, remaining, found)
        : await this.paymentPage(filter, order, remaining, found);
      const prev = c.p[stream.name];
      const full = page.count >= remaining;
      if (page.last) c.p[stream.name] = { t: page.last.t, i: page.last.i, m: full ? 'next' : 'rest' };
      else if (prev) c.p[stream.name] = { ...prev, m: 'rest' };
      remaining -= page.count;
      if (full) return { changes: this.changes(found), nextCursor: encode({ f: idx, p: c.p }), hasMore: true };
    }
    return { changes: this.changes(found), nextCursor: encode({ f: 0, p: c.p }), hasMore: false };
  }

  private async billPage(form: KingdeeForm, filter: string, order: string, limit: number, found: Map<string, StatusSnapshot>): Promise<{ count: number; last: { t: string; i: number } | null }> {
    const reads = await this.reader.bills(form, filter, { order, limit });
    for (const snap of await this.reader.snapshots(reads)) found.set(`${snap.ref.formId}|${snap.ref.id}`, snap);
    const last = reads.at(-1);
    return { count: reads.length, last: last ? { t: last.bill.modify || last.bill.create, i: Number(last.bill.id) } : null };
  }

  /** Payment bills changed in the window: the bills they pay (ours only) are read back whole. */
  private async paymentPage(filter: string, order: string, limit: number, found: Map<string, StatusSnapshot>): Promise<{ count: number; last: { t: string; i: number } | null }> {
    const pb = this.s.payment_bill;
    if (!pb) return { count: 0, last: null };
    const cols = { id: 'FID', modify: this.s.modify_date_field, source: pb.source_number_field };
    const rows = await this.client.query({ formId: pb.form_id, fieldKeys: Object.values(cols), filter, order, limit });
    const read = rows.map((r) => readRow(cols, r));
    const numbers = [...new Set(read.map((r) => text(r.source)).filter(Boolean))];
    if (numbers.length) {
      for (const form of this.forms) {
        const reads = await this.reader.bills(form, `FBillNo IN (${numbers.map(quote).join(',')})`);
        for (const snap of await this.reader.snapshots(reads)) found.set(`${snap.ref.formId}|${snap.ref.id}`, snap);
      }
    }
    const last = read.at(-1);
    return { count: rows.length, last: last ? { t: text(last.modify), i: Number(text(last.id)) } : null };
  }

  private changes(found: Map<string, StatusSnapshot>): StatusChange[] {
    return [...found.values()].map((snapshot) => ({
      ref: snapshot.ref, to: snapshot.status, at: snapshot.changedAt ?? '', source: 'poll' as const, snapshot,
    }));
  }
}
