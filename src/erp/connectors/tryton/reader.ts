import type { DocKind, ErpDocRef, StatusSnapshot } from '../../erp-connector.ts';
import type { SearchOptions, TrytonRpcClient } from './rpc-client.ts';
import {
  INVOICE_FIELDS, INVOICE_MODEL, PAYMENT_LINE_FIELDS, PURCHASE_FIELDS, PURCHASE_MODEL, docKindOf, invoiceSnapshot, lastChange,
  purchaseLastChange, purchaseSnapshot, type InvoiceRow, type PaymentLineRow, type PurchaseRow, type TrytonModel,
} from './status.ts';

/** A document read with what its status depends on: `changed` is its newest naive timestamp (the change feed's key). */
export interface TrytonDoc { model: TrytonModel; id: number; changed: string; snapshot: StatusSnapshot }

/** Only the documents the assistant made: their `reference` is an external key ("approval:<tenant>:<request>:r<rev>"). */
export const OUR_REFERENCES: unknown[] = ['reference', 'like', 'approval:%'];

/**
 * Reads supplier invoices and purchases with their payment lines (and a purchase's invoices) in a fixed number of
 * calls per page, whatever its size: search_read of the documents, one read of the related invoices, one of the
 * payment lines. Dotted fields (`move.write_date`) come back as a `move.` object (trytond ModelStorage.read, 6.0).
 */
export class TrytonReader {
  constructor(private readonly rpc: TrytonRpcClient, private readonly erp: string) {}

  read(model: TrytonModel, domain: unknown[], opts: SearchOptions = {}, docKind?: DocKind): Promise<TrytonDoc[]> {
    return model === INVOICE_MODEL ? this.invoices(domain, opts, docKind) : this.purchases(domain, opts, docKind);
  }

  private ref(model: TrytonModel, row: { id: number; number: string | null; reference: string | null }, docKind?: DocKind): ErpDocRef {
    return {
      erp: this.erp, docKind: docKind ?? docKindOf(model), formId: model, id: String(row.id),
      ...(row.number ? { number: row.number } : {}), externalKey: row.reference ?? '',
    };
  }

  private async invoices(domain: unknown[], opts: SearchOptions, docKind?: DocKind): Promise<TrytonDoc[]> {
    const rows = await this.rpc.searchRead<InvoiceRow>(INVOICE_MODEL, [['type', '=', 'in'], ...domain], INVOICE_FIELDS, opts);
    const lines = await this.paymentLines(rows);
    return rows.map((row) => ({
      model: INVOICE_MODEL, id: row.id, changed: lastChange(row),
      snapshot: invoiceSnapshot(this.ref(INVOICE_MODEL, row, docKind), row, lines.filter((l) => row.payment_lines.includes(l.id))),
    }));
  }

  private async purchases(domain: unknown[], opts: SearchOptions, docKind?: DocKind): Promise<TrytonDoc[]> {
    const rows = await this.rpc.searchRead<PurchaseRow>(PURCHASE_MODEL, domain, PURCHASE_FIELDS, opts);
    const invoiceIds = [...new Set(rows.flatMap((r) => r.invoices))];
    const invoices = invoiceIds.length ? await this.rpc.read<InvoiceRow>(INVOICE_MODEL, invoiceIds, INVOICE_FIELDS) : [];
    const lines = await this.paymentLines(invoices);
    return rows.map((row) => {
      const own = invoices.filter((i) => row.invoices.includes(i.id));
      return {
        model: PURCHASE_MODEL, id: row.id, changed: purchaseLastChange(row, own),
        snapshot: purchaseSnapshot(this.ref(PURCHASE_MODEL, row, docKind), row, own, lines),
      };
    });
  }

  private async paymentLines(invoices: InvoiceRow[]): Promise<PaymentLineRow[]> {
    const ids = [...new Set(invoices.flatMap((i) => i.payment_lines))];
    return ids.length ? this.rpc.read<PaymentLineRow>('account.move.line', ids, PAYMENT_LINE_FIELDS) : [];
  }
}
