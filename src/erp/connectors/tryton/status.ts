import { fenToMoney, moneyToFen } from '../../../core/money.ts';
import type { CanonicalStatus, DocKind, ErpDocRef, StatusSnapshot } from '../../erp-connector.ts';

/**
 * Tryton 6.0 states → the port's canonical statuses, and the StatusSnapshot of a document read over JSON-RPC.
 *
 * Supplier invoice (account.invoice, type "in"; states in trytond/modules/account_invoice/invoice.py):
 *   draft, validated → approved   (the bot creates it after the final approval in chat; it waits for the accountant)
 *   posted           → posted, or partially_paid when 0 < amount paid < total, or paid when nothing is left to pay
 *                      (amount_to_pay 0 before Tryton reconciles), amount paid = total_amount − amount_to_pay
 *   paid             → paid        cancelled → cancelled
 * postedAt: the move's last write (the post writes it; naive UTC in Tryton), else its post_date; voucher: the move's
 * post_number. payment: the newest payment line (what the pay wizard records): `at` its creation time, `bankRef`
 * its move's description (the wizard's "Description"); without payment lines, the reconciliation date.
 *
 * Purchase (purchase.purchase; trytond/modules/purchase/purchase.py):
 *   draft → submitted       (recorded, the purchasing department has not quoted it yet)
 *   quotation → approved    (what createDocument(autoApprove) leaves: the approved request, quoted, waiting for the buyer)
 *   confirmed, processing → approved until a supplier invoice of the purchase is posted, then the invoices decide:
 *                           posted, partially_paid or paid (summed over its invoices that are not cancelled)
 *   done → paid when its invoices are paid, else posted (received and closed without an invoice to pay)
 *   cancelled → cancelled
 *
 * Tryton's timestamps are naive; the test and production servers run in UTC (trytond's `TZ`), so they are read as UTC.
 */

export const INVOICE_MODEL = 'account.invoice';
export const PURCHASE_MODEL = 'purchase.purchase';
export type TrytonModel = typeof INVOICE_MODEL | typeof PURCHASE_MODEL;

type Related<T> = T | null | undefined;

export interface InvoiceRow {
  id: number;
  number: string | null;
  reference: string | null;
  state: string;
  total_amount: string;
  amount_to_pay: string;
  reconciled: string | null;
  payment_lines: number[];
  write_date: string | null;
  create_date: string;
  'currency.'?: Related<{ code: string }>;
  'move.'?: Related<{ write_date: string | null; post_date: string | null; post_number: string | null }>;
}
export const INVOICE_FIELDS = [
  'id', 'number', 'reference', 'state', 'total_amount', 'amount_to_pay', 'reconciled', 'payment_lines', 'write_date', 'create_date',
  'currency.code', 'move.write_date', 'move.post_date', 'move.post_number',
];

export interface PaymentLineRow { id: number; date: string; create_date: string; 'move.'?: Related<{ description: string | null }> }
export const PAYMENT_LINE_FIELDS = ['id', 'date', 'create_date', 'move.description'];

export interface PurchaseRow {
  id: number;
  number: string | null;
  reference: string | null;
  state: string;
  invoice_state: string;
  total_amount: string;
  invoices: number[];
  write_date: string | null;
  create_date: string;
  'currency.'?: Related<{ code: string }>;
}
export const PURCHASE_FIELDS = [
  'id', 'number', 'reference', 'state', 'invoice_state', 'total_amount', 'invoices', 'write_date', 'create_date', 'currency.code',
];

/** "2026-11-23T08:05:01.123456" (naive UTC, rpc-codec.ts) → "2026-11-23T08:05:01.123Z". */
export function trytonTimeToIso(naive: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?$/.exec(naive);
  if (!m) throw new TypeError(`not a Tryton datetime: ${JSON.stringify(naive)}`);
  return `${m[1]}T${m[2]}.${((m[3] ?? '') + '000').slice(0, 3)}Z`;
}

const dateToIso = (date: string) => `${date}T00:00:00.000Z`;
const later = (a: string | undefined, b: string | undefined) => (!a ? b : !b ? a : a >= b ? a : b);
const max0 = (fen: bigint) => (fen < 0n ? 0n : fen);

/** The document's last change: its write date, or its creation for one never written (Tryton leaves write_date empty). */
export function lastChange(row: { write_date: string | null; create_date: string }): string {
  return row.write_date ?? row.create_date;
}

export interface InvoiceFacts {
  status: CanonicalStatus;
  total: string;
  paid: string;
  postedAt?: string;
  voucher?: string;
  payment?: { at: string; bankRef?: string; date?: string };
  stamp: string;
}

/** What an invoice says about itself (also each invoice of a purchase). `lines`: its payment lines, any order. */
export function invoiceFacts(row: InvoiceRow, lines: PaymentLineRow[]): InvoiceFacts {
  const totalFen = moneyToFen(row.total_amount);
  const isPosted = row.state === 'posted' || row.state === 'paid';
  const paidFen = row.state === 'paid' ? totalFen : row.state === 'posted' ? max0(totalFen - max0(moneyToFen(row.amount_to_pay))) : 0n;
  let status: CanonicalStatus;
  switch (row.state) {
    case 'draft': case 'validated': status = 'approved'; break;
    case 'posted': status = totalFen > 0n && paidFen >= totalFen ? 'paid' : paidFen > 0n ? 'partially_paid' : 'posted'; break;
    case 'paid': status = 'paid'; break;
    case 'cancelled': status = 'cancelled'; break;
    default: status = 'unknown';
  }
  const move = row['move.'];
  const postedAt = !isPosted || !move ? undefined : move.write_date ? trytonTimeToIso(move.write_date) : move.post_date ? dateToIso(move.post_date) : undefined;
  let payment: InvoiceFacts['payment'];
  if (paidFen > 0n) {
    const newest = [...lines].sort((a, b) => (a.create_date < b.create_date ? -1 : a.create_date > b.create_date ? 1 : a.id - b.id)).at(-1);
    const bankRef = newest?.['move.']?.description?.trim();
    if (newest) payment = { at: trytonTimeToIso(newest.create_date), date: newest.date, ...(bankRef ? { bankRef } : {}) };
    else payment = { at: row.reconciled ? dateToIso(row.reconciled) : trytonTimeToIso(lastChange(row)) };
  }
  return {
    status, total: fenToMoney(totalFen), paid: fenToMoney(paidFen), postedAt, payment,
    ...(isPosted && move?.post_number ? { voucher: move.post_number } : {}),
    stamp: `${lastChange(row)}|${row.state}|${row.amount_to_pay}`,
  };
}

export function invoiceSnapshot(ref: ErpDocRef, row: InvoiceRow, lines: PaymentLineRow[]): StatusSnapshot {
  const f = invoiceFacts(row, lines);
  const currency = row['currency.']?.code;
  return {
    ref, status: f.status,
    raw: {
      model: INVOICE_MODEL, id: row.id, state: row.state, number: row.number, reference: row.reference, total_amount: row.total_amount,
      amount_to_pay: row.amount_to_pay, reconciled: row.reconciled, write_date: row.write_date, create_date: row.create_date,
      ...(f.payment?.date ? { payment_date: f.payment.date } : {}),
    },
    amounts: { total: f.total, paid: f.paid, ...(currency ? { currency } : {}) },
    changedAt: trytonTimeToIso(lastChange(row)),
    ...(f.postedAt ? { postedAt: f.postedAt } : {}),
    ...(f.voucher ? { voucher: f.voucher } : {}),
    ...(f.payment ? { payment: { at: f.payment.at, ...(f.payment.bankRef ? { bankRef: f.payment.bankRef } : {}) } } : {}),
    versionStamp: f.stamp,
  };
}

/** The newest of a purchase's own change and its invoices' (a posted or paid invoice changes the purchase's status). */
export function purchaseLastChange(row: PurchaseRow, invoices: InvoiceRow[]): string {
  return invoices.reduce((t, i) => (lastChange(i) > t ? lastChange(i) : t), lastChange(row));
}

export function purchaseSnapshot(ref: ErpDocRef, row: PurchaseRow, invoices: InvoiceRow[], lines: PaymentLineRow[]): StatusSnapshot {
  const live = invoices.filter((i) => row.invoices.includes(i.id) && i.state !== 'cancelled').sort((a, b) => a.id - b.id);
  const facts = live.map((i) => invoiceFacts(i, lines.filter((l) => i.payment_lines.includes(l.id))));
  const booked = facts.filter((f) => f.status === 'posted' || f.status === 'partially_paid' || f.status === 'paid');
  const paidFen = facts.reduce((s, f) => s + moneyToFen(f.paid), 0n);
  const allPaid = facts.length > 0 && facts.every((f) => f.status === 'paid');
  let status: CanonicalStatus;
  switch (row.state) {
    case 'draft': status = 'submitted'; break;
    case 'quotation': status = 'approved'; break;
    case 'confirmed': case 'processing': case 'done':
      if (allPaid) status = 'paid';
      else if (paidFen > 0n) status = 'partially_paid';
      else if (booked.length > 0 || row.state === 'done') status = 'posted';
      else status = 'approved';
      break;
    case 'cancelled': status = 'cancelled'; break;
    default: status = 'unknown';
  }
  const postedAt = booked.map((f) => f.postedAt).filter((t): t is string => !!t).sort()[0]
    ?? (row.state === 'done' ? trytonTimeToIso(lastChange(row)) : undefined);
  const payment = facts.map((f) => f.payment).filter((p) => !!p).reduce<InvoiceFacts['payment']>((a, p) => (!a || p.at >= a.at ? p : a), undefined);
  const currency = row['currency.']?.code;
  const changed = purchaseLastChange(row, live);
  return {
    ref, status,
    raw: {
      model: PURCHASE_MODEL, id: row.id, state: row.state, invoice_state: row.invoice_state, number: row.number, reference: row.reference,
      total_amount: row.total_amount, invoices: live.map((i) => ({ id: i.id, number: i.number, state: i.state, amount_to_pay: i.amount_to_pay })),
      write_date: row.write_date, create_date: row.create_date,
    },
    amounts: { total: fenToMoney(moneyToFen(row.total_amount)), paid: fenToMoney(paidFen), ...(currency ? { currency } : {}) },
    changedAt: trytonTimeToIso(changed),
    ...(postedAt ? { postedAt } : {}),
    ...(payment ? { payment: { at: payment.at, ...(payment.bankRef ? { bankRef: payment.bankRef } : {}) } } : {}),
    versionStamp: [`${lastChange(row)}|${row.state}|${row.invoice_state}`, ...live.map((i, n) => `${i.id}:${facts[n]?.stamp ?? ''}`)].join(';'),
  };
}

/** Which document kind a model's document is, where the caller does not know (the change feed, a push). */
export function docKindOf(model: TrytonModel): DocKind {
  return model === INVOICE_MODEL ? 'expense_reimbursement' : 'purchase_order';
}

/** The Tryton model a document kind is created as; null for kinds this connector does not create. */
export function modelOf(docKind: DocKind): TrytonModel | null {
  if (docKind === 'expense_reimbursement') return INVOICE_MODEL;
  if (docKind === 'purchase_requisition' || docKind === 'purchase_order') return PURCHASE_MODEL;
  return null;
}
