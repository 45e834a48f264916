import { fenToMoney, moneyToFen, normalizeMoney } from '../../../core/money.ts';
import type { OriginatedDoc, OriginatedLine, OriginatedState } from '../../originated-port.ts';
import type { KingdeeClient } from './client.ts';
import { readRow, text } from './model.ts';
import type { KingdeeSettings } from './settings.ts';
import type { ResolvedOriginForm } from './settings-origin.ts';
import { k3TimeToIso } from './status.ts';

/**
 * Reads ERP-made bills for approval in two ExecuteBillQuery steps: a header page (one row per bill: id, dates) that
 * the feed pages over, then the bills' details by `FID IN (…)` naming the entry's fields, which K3 answers with one
 * row per entry line, the header's values repeated on each (so an entry-level party such as PUR_Requisition's
 * suggested supplier reads the same way as a header one: from the first line). Paging by rows over the detail query
 * alone would cut a bill's lines at a page boundary; paging the headers does not.
 */
export interface HeaderRow { id: string; modify: string; create: string }

const IN_CHUNK = 200;
const ROW_LIMIT = 2000;

export class OriginReader {
  constructor(readonly erp: string, private readonly s: KingdeeSettings, private readonly client: KingdeeClient, private readonly keyField: (formId: string) => string) {}

  /** Bills of one form, header only, matching `filter` (ANDed with "not ours" when settings say so). */
  async headers(form: ResolvedOriginForm, filter: string, opts: { order: string; limit: number; includeOwn?: boolean }): Promise<HeaderRow[]> {
    const cols = { id: 'FID', modify: this.s.modify_date_field, create: this.s.create_date_field };
    const parts = [filter, !opts.includeOwn && this.s.originated.skip_own ? this.notOurs(form) : ''].filter(Boolean);
    const rows = await this.client.query({ formId: form.formId, fieldKeys: Object.values(cols), filter: parts.map((p) => `(${p})`).join(' AND '), order: opts.order, limit: opts.limit });
    return rows.map((r) => readRow(cols, r)).map((r) => ({ id: text(r.id), modify: text(r.modify), create: text(r.create) }));
  }

  /** Our key field is empty (K3 keeps an empty text as '' or a single space). */
  private notOurs(form: ResolvedOriginForm): string {
    const k = this.keyField(form.formId);
    return `${k} = '' OR ${k} = ' '`;
  }

  private columns(form: ResolvedOriginForm): Record<string, string | null> {
    const o = this.s.originated;
    const applicant = o.owner === 'applicant' ? form.applicantField : null;
    return {
      id: 'FID', number: 'FBillNo', status: 'FDocumentStatus', cancel: this.s.status_codes.cancel_field, modify: this.s.modify_date_field,
      create: this.s.create_date_field, creatorId: o.creator_field, creatorName: `${o.creator_field}.FName`,
      applicantId: applicant, applicantName: applicant ? `${applicant}.FName` : null, title: form.titleField, remark: form.remarkField,
      total: form.totalField, currency: form.currencyField, date: form.dateField, party: form.partyField, lineId: `${form.entry}_FEntryId`,
      item: form.line.item, quantity: form.line.quantity, amount: form.line.amount, unit: form.line.unit,
    };
  }

  /** The bills with these ids, whole, in the order of `ids` (bills no longer there are left out). */
  async docs(form: ResolvedOriginForm, ids: string[]): Promise<OriginatedDoc[]> {
    const cols = this.columns(form);
    const keys = Object.values(cols).filter((v): v is string => v !== null);
    const byId = new Map<string, Record<string, unknown>[]>();
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = ids.slice(i, i + IN_CHUNK).filter((id) => /^\d+$/.test(id));
      if (!chunk.length) continue;
      for (let start = 0; ; start += ROW_LIMIT) {
        const rows = await this.client.query({ formId: form.formId, fieldKeys: keys, filter: `FID IN (${chunk.join(',')})`, order: `FID ASC, ${cols.lineId} ASC`, startRow: start, limit: ROW_LIMIT });
        for (const raw of rows) {
          const r = readRow(cols, raw) as Record<string, unknown>;
          const list = byId.get(text(r.id)) ?? [];
          list.push(r);
          byId.set(text(r.id), list);
        }
        if (rows.length < ROW_LIMIT) break;
      }
    }
    return ids.flatMap((id) => {
      const rows = byId.get(id);
      return rows ? [this.doc(form, rows)] : [];
    });
  }

  private doc(form: ResolvedOriginForm, rows: Record<string, unknown>[]): OriginatedDoc {
    const h = rows[0] as Record<string, unknown>;
    const o = this.s.originated;
    const cancelled = h.cancel !== null && h.cancel !== undefined && this.s.status_codes.cancelled.includes(text(h.cancel));
    const letter = text(h.status);
    const state: OriginatedState = cancelled ? 'cancelled' : o.states[letter] ?? 'draft';
    const lines: OriginatedLine[] = rows.filter((r) => text(r.lineId) !== '' && text(r.lineId) !== '0').map((r) => ({
      item: text(r.item), quantity: form.line.quantity ? decimal(r.quantity) : '1', amount: money(r.amount) ?? '0.00',
      ...(text(r.unit) ? { unit: text(r.unit) } : {}),
    }));
    const total = money(h.total) ?? fenToMoney(lines.reduce((s, l) => s + moneyToFen(l.amount), 0n));
    const currency = Object.entries(this.s.currencies).find(([, n]) => n.toLowerCase() === text(h.currency).toLowerCase())?.[0] ?? text(h.currency);
    const number = text(h.number);
    const useApplicant = o.owner === 'applicant' && text(h.applicantId) !== '' && text(h.applicantId) !== '0';
    const owner = useApplicant ? { erpId: text(h.applicantId), name: text(h.applicantName) } : { erpId: text(h.creatorId), name: text(h.creatorName) };
    const modify = text(h.modify) || text(h.create);
    const remark = text(h.remark);
    const id = text(h.id);
    const link = o.link_template ? o.link_template.replace(/\{formId\}/g, encodeURIComponent(form.formId)).replace(/\{id\}/g, encodeURIComponent(id)).replace(/\{number\}/g, encodeURIComponent(number)) : null;
    const date = form.dateField ? text(h.date).slice(0, 10) : '';
    const party = text(h.party);
    return {
      ref: { erp: this.erp, docKind: form.docKind, formId: form.formId, id, number, externalKey: `origin:${form.formId}:${id}` },
      state, owner, title: text(h.title) || lines[0]?.item || number, lines, total, currency,
      ...(/^\d{4}-\d{2}-\d{2}$/.test(date) ? { date } : {}), ...(party ? { party } : {}), ...(link ? { link } : {}),
      versionStamp: `${modify}|${letter}|${text(h.cancel)}`,
      changedAt: k3TimeToIso(modify, this.s.timezone),
      ...(state === 'draft' && remark ? { rejectReason: remark } : {}),
      raw: { FDocumentStatus: letter, cancel: text(h.cancel), modify, remark, creator: { id: text(h.creatorId), name: text(h.creatorName) } },
    };
  }
}

function money(v: unknown): string | null {
  if (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '')) return normalizeMoney(v);
  return null;
}

/** A quantity as a plain decimal string ('2', '1.5'); unreadable → '0'. */
function decimal(v: unknown): string {
  const n = typeof v === 'number' ? v : Number(text(v));
  return Number.isFinite(n) ? String(n) : '0';
}
