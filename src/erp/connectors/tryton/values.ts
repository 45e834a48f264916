import type { Clock } from '../../../core/clock.ts';
import { moneyToFen, normalizeMoney } from '../../../core/money.ts';
import { validation, type TrytonLookups } from './lookups.ts';
import { trytonDate, trytonDecimal } from './rpc-codec.ts';
import type { TrytonSettings } from './settings.ts';

/**
 * A request's payload (rendered from the intent's `erp.payload`: amount, currency, description, party, date, item,
 * quantity, account) as the values of Tryton's `create`, checked before anything is sent.
 *
 * Supplier invoice (account.invoice, Tryton 6.0): `party`, `invoice_address`, `account` (payable) and `journal` are
 * required when created over RPC (the client fills them through on_change; RPC does not); `invoice_date` is required
 * to validate a supplier invoice. A line without a product needs `account`, `quantity` and `unit_price`. Company and
 * currency default from the context's company. https://docs.tryton.org/projects/modules-account-invoice/en/6.0/
 *
 * Purchase (purchase.purchase): `party` is required; `invoice_address` and `purchase_date` are required from
 * confirmation on, so they are set at once. A line of type "line" without a product needs `quantity` and `unit_price`
 * (and a description to mean anything); a warehouse is only required for goods, Tryton's default is kept otherwise.
 * https://docs.tryton.org/projects/modules-purchase/en/6.0/
 */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function positiveAmount(payload: Record<string, string>): string {
  const raw = payload.amount;
  const amount = raw === undefined ? null : normalizeMoney(raw);
  if (amount === null || moneyToFen(amount) <= 0n) throw validation(`the request's amount ${JSON.stringify(raw ?? null)} is not a positive amount`);
  return amount;
}

/** The payload's `date`, else today in the company's time zone. */
export function documentDate(payload: Record<string, string>, clock: Clock, timeZone: string): string {
  const date = payload.date?.trim();
  if (date) {
    if (!ISO_DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw validation(`the request's date "${date}" is not a YYYY-MM-DD date`);
    return date;
  }
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(clock.now());
}

function required(payload: Record<string, string>, key: string, what: string): string {
  const v = payload[key]?.trim();
  if (!v) throw validation(`the request has no ${key} (${what}) for Tryton`);
  return v;
}

/**
 * Quantity and unit price whose line amount is exactly `amount` (Tryton rounds the line to the currency's cents; unit
 * prices carry 4 decimals). A quantity that does not divide the amount exactly becomes one line of quantity 1 for the
 * whole amount, with the quantity in its description.
 */
export function purchaseLine(amount: string, quantityText: string | undefined, item: string): { quantity: number; unitPrice: string; description: string } {
  const whole = { quantity: 1, unitPrice: amount, description: item };
  if (quantityText === undefined || quantityText.trim() === '') return whole;
  const q = Number(quantityText.trim());
  if (!Number.isFinite(q) || q <= 0) throw validation(`the request's quantity "${quantityText}" is not a positive number`);
  const milli = BigInt(Math.round(q * 1000));
  if (milli <= 0n) throw validation(`the request's quantity "${quantityText}" is too small`);
  const amount4 = moneyToFen(amount) * 100n; // in 1/10000
  const unit4 = (amount4 * 1000n + milli / 2n) / milli;
  const lineFen = (unit4 * milli + 50_000n) / 100_000n;
  if (lineFen !== moneyToFen(amount)) return { ...whole, description: `${item} × ${quantityText.trim()}` };
  const unitPrice = `${unit4 / 10000n}.${(unit4 % 10000n).toString().padStart(4, '0')}`;
  return { quantity: Number(milli) / 1000, unitPrice, description: item };
}

export interface ValueContext { lookups: TrytonLookups; clock: Clock; settings: TrytonSettings }

/** account.invoice values (type "in") for an expense claim paid back to the employee's party. */
export async function invoiceValues(c: ValueContext, payload: Record<string, string>, reference: string): Promise<Record<string, unknown>> {
  const amount = positiveAmount(payload);
  const date = documentDate(payload, c.clock, c.settings.timezone);
  const party = await c.lookups.party(required(payload, 'party', 'the employee to pay back'), 'employee to pay back');
  const [account, journal, payable, currency] = await Promise.all([
    c.lookups.expenseAccount(payload.account?.trim() || undefined), c.lookups.journal(), c.lookups.payableAccount(party),
    payload.currency?.trim() ? c.lookups.currency(payload.currency.trim()) : undefined,
  ]);
  const description = payload.description?.trim() || payload.item?.trim() || reference;
  return {
    type: 'in', party: party.id, invoice_address: party.address, account: payable, journal, invoice_date: trytonDate(date),
    reference, description, ...(currency !== undefined ? { currency } : {}),
    lines: [['create', [{ account, description, quantity: 1, unit_price: trytonDecimal(amount) }]]],
  };
}

/** purchase.purchase values for a purchase request to the supplier. */
export async function purchaseValues(c: ValueContext, payload: Record<string, string>, reference: string): Promise<Record<string, unknown>> {
  const amount = positiveAmount(payload);
  const date = documentDate(payload, c.clock, c.settings.timezone);
  const supplier = await c.lookups.party(required(payload, 'party', 'the supplier'), 'supplier');
  const [warehouse, currency] = await Promise.all([
    c.lookups.warehouse(), payload.currency?.trim() ? c.lookups.currency(payload.currency.trim()) : undefined,
  ]);
  const item = payload.item?.trim() || payload.description?.trim() || reference;
  const line = purchaseLine(amount, payload.quantity, item);
  return {
    party: supplier.id, invoice_address: supplier.address, purchase_date: trytonDate(date), reference,
    description: payload.description?.trim() || item,
    ...(warehouse !== undefined ? { warehouse } : {}), ...(currency !== undefined ? { currency } : {}),
    lines: [['create', [{ type: 'line', description: line.description, quantity: line.quantity, unit_price: trytonDecimal(line.unitPrice) }]]],
  };
}
