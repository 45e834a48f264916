import { ValidationError } from '../../../core/errors.ts';
import type { MasterKind } from '../../../core/master-kinds.ts';
import type { MasterDataSource, MasterPage, MasterRecord } from '../../master-data-port.ts';
import type { KingdeeClient } from './client.ts';
import { quote, readRow, text } from './model.ts';
import type { KingdeeSettings } from './settings.ts';
import type { ResolvedMasterForm } from './settings-origin.ts';
import { isoToK3Time, k3TimeToIso } from './status.ts';

/**
 * K3 base data (基础资料: suppliers, customers, employees…) read with ExecuteBillQuery, incrementally per kind.
 *
 * A pass reads the records whose modify date — or forbid date, since forbidding is its own operation
 * (ExcuteOperation "Forbid") and is read here by FForbidDate — is at or after the cursor's last change less an
 * overlap window, paged by the record's internal id within that window (a stable order: a record changed during the
 * pass keeps its id and is caught by the next pass's window). The cursor keeps the latest date seen and, mid-pass,
 * the window and the last id. Active: the forbid status is not one of `forbidden` ('B'). versionStamp: modify date,
 * forbid status and forbid date, so a repeat read of an unchanged record is skipped by the service.
 */
interface KindCursor { t: string; w: string | null; a: number }

function decode(cursor: string | null): KindCursor {
  if (!cursor) return { t: '', w: null, a: 0 };
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as KindCursor;
    if (typeof c.t === 'string' && typeof c.a === 'number') return c;
  } catch { /* below */ }
  throw new ValidationError('erp.cursor_invalid', 'not a Kingdee master-data cursor');
}
const encode = (c: KindCursor): string => Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');

export class KingdeeMasterData implements MasterDataSource {
  constructor(private readonly s: KingdeeSettings, private readonly client: KingdeeClient, private readonly forms: ResolvedMasterForm[], private readonly enabled: MasterKind[] | null) {}

  kinds(): MasterKind[] {
    return this.forms.map((f) => f.kind).filter((k) => this.enabled === null || this.enabled.includes(k));
  }

  private form(kind: MasterKind): ResolvedMasterForm {
    const f = this.forms.find((x) => x.kind === kind);
    if (!f || !this.kinds().includes(kind)) throw new ValidationError('erp.validation', `this Kingdee instance does not share ${kind} (settings.master_data / master_data.kinds)`);
    return f;
  }

  async listMaster(kind: MasterKind, cursor: string | null, opts: { limit?: number } = {}): Promise<MasterPage> {
    const form = this.form(kind);
    const m = this.s.master_data;
    const limit = Math.max(1, Math.min(opts.limit ?? 500, 2000));
    const c = decode(cursor);
    const window = c.w ?? (c.t ? this.since(c.t) : '');
    const dates = [m.modify_date_field, ...(m.forbid_date_field ? [m.forbid_date_field] : [])];
    const parts = [window ? dates.map((d) => `${d} >= ${quote(window)}`).join(' OR ') : '', c.a > 0 ? `${form.id} > ${c.a}` : ''].filter(Boolean);
    const cols: Record<string, string | null> = { id: form.id, code: form.code, name: form.name, forbid: m.forbid_field, modify: m.modify_date_field, forbidDate: m.forbid_date_field };
    form.aliases.forEach((a, i) => { cols[`alias${i}`] = a; });
    for (const [name, key] of Object.entries(form.attrs)) cols[`attr:${name}`] = key;
    const keys = Object.values(cols).filter((v): v is string => v !== null);
    const rows = await this.client.query({ formId: form.formId, fieldKeys: keys, filter: parts.map((p) => `(${p})`).join(' AND '), order: `${form.id} ASC`, limit });
    let latest = c.t;
    const records: MasterRecord[] = [];
    for (const raw of rows) {
      const r = readRow(cols, raw) as Record<string, unknown>;
      const id = text(r.id);
      if (!id || records.some((x) => x.erpId === id)) continue; // a multi-org record may come once per use org
      const modify = text(r.modify);
      const forbidDate = text(r.forbidDate);
      for (const t of [modify, forbidDate]) if (t && (!latest || later(t, latest, this.s.timezone))) latest = t;
      const name = text(r.name);
      const aliases = form.aliases.map((_, i) => text(r[`alias${i}`])).filter((a) => a && a !== name);
      const attrs = Object.fromEntries(Object.keys(form.attrs).map((n) => [n, text(r[`attr:${n}`])]).filter(([, v]) => v));
      records.push({
        kind, erpId: id, ...(text(r.code) ? { code: text(r.code) } : {}), name, ...(aliases.length ? { aliases } : {}),
        active: !m.forbidden.includes(text(r.forbid)), ...(Object.keys(attrs).length ? { attrs } : {}),
        versionStamp: `${modify}|${text(r.forbid)}|${forbidDate}`,
      });
    }
    const full = rows.length >= limit;
    const lastId = Number(text((rows.at(-1) ?? [])[0]));
    if (full) return { records, nextCursor: encode({ t: latest, w: window, a: Number.isFinite(lastId) ? lastId : 0 }), hasMore: true };
    return { records, nextCursor: encode({ t: latest, w: null, a: 0 }), hasMore: false };
  }

  /** The window's start: the last change seen less the overlap, as a K3 literal in the server's zone. */
  private since(t: string): string {
    const iso = k3TimeToIso(t, this.s.timezone);
    if (!iso) return '';
    return isoToK3Time(new Date(new Date(iso).getTime() - this.s.master_data.overlap_seconds * 1000).toISOString(), this.s.timezone);
  }
}

function later(a: string, b: string, tz: string): boolean {
  return k3TimeToIso(a, tz) > k3TimeToIso(b, tz);
}
