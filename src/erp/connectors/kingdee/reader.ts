import type { ErpDocRef, StatusSnapshot } from '../../erp-connector.ts';
import type { KingdeeClient } from './client.ts';
import { billColumns, fieldKeys, quote, readRow, text, type BillColumns } from './model.ts';
import type { KingdeeForm, KingdeeSettings } from './settings.ts';
import { snapshotOf, type BillState, type PaymentRow } from './status.ts';

/**
 * Reads bills and their payment bills with ExecuteBillQuery and turns them into snapshots. Only bills carrying a
 * key are ours: every bill read filters on the form's key field. Payment bills are read in one query per page
 * (`<source number field> IN (…)`), and only for audited bills (the only ones that can be paid).
 */
export interface BillRead { form: KingdeeForm; bill: BillState; ref: ErpDocRef }

const IN_CHUNK = 200;

export class KingdeeReader {
  constructor(readonly erp: string, private readonly s: KingdeeSettings, private readonly client: KingdeeClient) {}

  columns(form: KingdeeForm): BillColumns {
    return billColumns(form, { modify: this.s.modify_date_field, create: this.s.create_date_field, cancel: this.s.status_codes.cancel_field });
  }

  /** `<key> <> '' AND <key> <> ' '`: K3 stores an empty text as a single space on many forms. */
  hasKey(form: KingdeeForm): string {
    return `(${form.keyField} <> '' AND ${form.keyField} <> ' ')`;
  }

  /** Bills of one form matching `filter` (ANDed with "carries a key"), in `order`, at most `limit`. */
  async bills(form: KingdeeForm, filter: string, opts: { order?: string; limit?: number } = {}): Promise<BillRead[]> {
    const cols = this.columns(form);
    const rows = await this.client.query({
      formId: form.formId, fieldKeys: fieldKeys(cols), filter: filter ? `${this.hasKey(form)} AND (${filter})` : this.hasKey(form),
      order: opts.order ?? 'FID ASC', limit: opts.limit ?? 2000,
    });
    const seen = new Set<string>();
    const out: BillRead[] = [];
    for (const row of rows) {
      const r = readRow(cols, row);
      const bill: BillState = {
        id: text(r.id), number: text(r.number), documentStatus: text(r.documentStatus), key: text(r.key), amount: r.amount,
        currency: text(r.currency), modify: text(r.modify), create: text(r.create), paid: r.paid,
        cancel: cols.cancel === null ? null : text(r.cancel), posted: r.posted, postedDate: cols.postedDate === null ? null : text(r.postedDate),
      };
      // A query may repeat a bill once per entry line if a configured field is an entry field: keep the first.
      if (!bill.id || !bill.key || seen.has(bill.id)) continue;
      seen.add(bill.id);
      out.push({ form, bill, ref: { erp: this.erp, docKind: form.docKind, formId: form.formId, id: bill.id, number: bill.number, externalKey: bill.key } });
    }
    return out;
  }

  async billById(form: KingdeeForm, id: string): Promise<BillRead | null> {
    if (!/^\d+$/.test(id)) return null;
    return (await this.bills(form, `FID = ${id}`, { limit: 1 }))[0] ?? null;
  }

  async billByKey(form: KingdeeForm, key: string): Promise<BillRead | null> {
    return (await this.bills(form, `${form.keyField} = ${quote(key)}`, { order: 'FID ASC', limit: 1 }))[0] ?? null;
  }

  /** Payment bills per source bill number (null when payment bills are not read on this instance). */
  async payments(numbers: string[]): Promise<Map<string, PaymentRow[]> | null> {
    const pb = this.s.payment_bill;
    if (!pb) return null;
    const out = new Map<string, PaymentRow[]>();
    const cols = { id: 'FID', billNo: 'FBillNo', source: pb.source_number_field, bankStatus: pb.bank_status_field, amount: pb.amount_field, date: pb.date_field, bankRef: pb.bank_ref_field };
    const unique = [...new Set(numbers.filter(Boolean))];
    for (let i = 0; i < unique.length; i += IN_CHUNK) {
      const chunk = unique.slice(i, i + IN_CHUNK);
      const rows = await this.client.query({ formId: pb.form_id, fieldKeys: fieldKeys(cols), filter: `${pb.source_number_field} IN (${chunk.map(quote).join(',')})`, order: 'FID ASC' });
      // One row per entry line: a payment bill counts once (its header amount), and as paid only when every line is.
      const byBill = new Map<string, { row: PaymentRow; statuses: string[] }>();
      for (const raw of rows) {
        const r = readRow(cols, raw);
        const id = `${text(r.id)}|${text(r.source)}`;
        const entry = byBill.get(id);
        if (entry) { entry.statuses.push(text(r.bankStatus)); continue; }
        byBill.set(id, { row: { sourceNumber: text(r.source), bankStatus: text(r.bankStatus), amount: r.amount, date: text(r.date), bankRef: text(r.bankRef), billNo: text(r.billNo) }, statuses: [text(r.bankStatus)] });
      }
      for (const { row, statuses } of byBill.values()) {
        const allPaid = statuses.every((st) => this.s.status_codes.bank_paid.includes(st));
        const list = out.get(row.sourceNumber) ?? [];
        list.push(allPaid ? row : { ...row, bankStatus: statuses.find((st) => !this.s.status_codes.bank_paid.includes(st)) ?? row.bankStatus });
        out.set(row.sourceNumber, list);
      }
    }
    return out;
  }

  /** Snapshots of bills read together; payment bills are read for the audited ones in one go. */
  async snapshots(reads: BillRead[]): Promise<StatusSnapshot[]> {
    const audited = reads.filter((r) => this.s.status_codes.document[r.bill.documentStatus] === 'approved');
    const payments = audited.length ? await this.payments(audited.map((r) => r.bill.number)) : this.s.payment_bill ? new Map<string, PaymentRow[]>() : null;
    return reads.map((r) => snapshotOf(this.s, r.form, r.ref, r.bill, payments ? payments.get(r.bill.number) ?? [] : null));
  }
}
