import { describe, expect, it } from 'vitest';
import type { ErpDocRef } from '../../../src/erp/erp-connector.ts';
import {
  invoiceSnapshot, purchaseSnapshot, trytonTimeToIso, type InvoiceRow, type PaymentLineRow, type PurchaseRow,
} from '../../../src/erp/connectors/tryton/status.ts';

/** Tryton 6.0 invoice and purchase states → canonical statuses, amounts, posting and payment facts (status.ts). */
const ref: ErpDocRef = { erp: 'tryton', docKind: 'expense_reimbursement', formId: 'account.invoice', id: '7', externalKey: 'approval:t:R-7:r1' };

function invoice(o: Partial<InvoiceRow> = {}): InvoiceRow {
  return {
    id: 7, number: '12', reference: 'approval:t:R-7:r1', state: 'draft', total_amount: '300.00', amount_to_pay: '0', reconciled: null,
    payment_lines: [], write_date: null, create_date: '2026-06-15T04:00:00.123456', 'currency.': { code: 'CNY' }, 'move.': null, ...o,
  };
}
const move = { write_date: '2026-06-16T08:30:00.500000', post_date: '2026-06-16', post_number: 'M-0042' };
const line = (id: number, created: string, description: string | null): PaymentLineRow => ({ id, date: '2026-06-20', create_date: created, 'move.': { description } });

describe('Tryton supplier invoice → canonical status', () => {
  it.each([
    ['draft', '0', 'approved'], ['validated', '0', 'approved'], ['posted', '300.00', 'posted'], ['posted', '120.00', 'partially_paid'],
    ['posted', '0', 'paid'], ['paid', '0', 'paid'], ['cancelled', '0', 'cancelled'], ['exotic', '0', 'unknown'],
  ])('%s with %s left to pay is %s', (state, amountToPay, status) => {
    expect(invoiceSnapshot(ref, invoice({ state, amount_to_pay: amountToPay, 'move.': move }), []).status).toBe(status);
  });

  it('reports the amount paid as total minus what is left, to the cent, with the currency', () => {
    expect(invoiceSnapshot(ref, invoice({ state: 'posted', amount_to_pay: '179.50', 'move.': move }), []).amounts).toEqual({ total: '300.00', paid: '120.50', currency: 'CNY' });
    expect(invoiceSnapshot(ref, invoice({ state: 'paid', amount_to_pay: '0', 'move.': move }), []).amounts?.paid).toBe('300.00');
    expect(invoiceSnapshot(ref, invoice({ state: 'validated', amount_to_pay: '0' }), []).amounts?.paid).toBe('0.00');
  });

  it("takes postedAt from the move's write (else its post date) and the voucher from its post number, only once posted", () => {
    const posted = invoiceSnapshot(ref, invoice({ state: 'posted', amount_to_pay: '300.00', 'move.': move }), []);
    expect(posted).toMatchObject({ postedAt: '2026-06-16T08:30:00.500Z', voucher: 'M-0042' });
    expect(invoiceSnapshot(ref, invoice({ state: 'posted', amount_to_pay: '300.00', 'move.': { ...move, write_date: null } }), []).postedAt).toBe('2026-06-16T00:00:00.000Z');
    const validated = invoiceSnapshot(ref, invoice({ state: 'validated', 'move.': { write_date: null, post_date: null, post_number: null } }), []);
    expect(validated.postedAt).toBeUndefined();
    expect(validated.voucher).toBeUndefined();
  });

  it('takes the payment from the newest payment line: its time, its move description as bank reference', () => {
    const lines = [line(31, '2026-06-20T02:00:00.000000', 'CMB-1'), line(35, '2026-06-21T03:04:05.000000', ' CMB-2 ')];
    const s = invoiceSnapshot(ref, invoice({ state: 'paid', payment_lines: [31, 35], 'move.': move, reconciled: '2026-06-21' }), lines);
    expect(s.payment).toEqual({ at: '2026-06-21T03:04:05.000Z', bankRef: 'CMB-2' });
    expect(s.raw.payment_date).toBe('2026-06-20');
    const noLines = invoiceSnapshot(ref, invoice({ state: 'paid', 'move.': move, reconciled: '2026-06-22' }), []);
    expect(noLines.payment).toEqual({ at: '2026-06-22T00:00:00.000Z' });
    expect(invoiceSnapshot(ref, invoice({ state: 'posted', amount_to_pay: '300.00', 'move.': move }), []).payment).toBeUndefined();
  });

  it('changes its version stamp with the write date, the state and what is left to pay, and only then', () => {
    const a = invoiceSnapshot(ref, invoice({ state: 'posted', amount_to_pay: '300.00', write_date: '2026-06-16T08:30:00.500000', 'move.': move }), []);
    expect(invoiceSnapshot(ref, invoice({ state: 'posted', amount_to_pay: '300.00', write_date: '2026-06-16T08:30:00.500000', 'move.': move }), []).versionStamp).toBe(a.versionStamp);
    expect(invoiceSnapshot(ref, invoice({ state: 'posted', amount_to_pay: '100.00', write_date: '2026-06-16T08:30:00.500000', 'move.': move }), []).versionStamp).not.toBe(a.versionStamp);
    expect(invoiceSnapshot(ref, invoice({ state: 'posted', amount_to_pay: '300.00', write_date: '2026-06-17T00:00:00.000000', 'move.': move }), []).versionStamp).not.toBe(a.versionStamp);
    expect(a.changedAt).toBe('2026-06-16T08:30:00.500Z');
    expect(invoiceSnapshot(ref, invoice(), []).changedAt).toBe('2026-06-15T04:00:00.123Z'); // never written: its creation
  });
});

describe('Tryton purchase → canonical status', () => {
  const pref: ErpDocRef = { ...ref, docKind: 'purchase_order', formId: 'purchase.purchase', id: '3' };
  function purchase(o: Partial<PurchaseRow> = {}): PurchaseRow {
    return {
      id: 3, number: 'P-3', reference: 'approval:t:R-9:r1', state: 'quotation', invoice_state: 'none', total_amount: '1000.00', invoices: [],
      write_date: '2026-06-15T05:00:00.000000', create_date: '2026-06-15T04:59:00.000000', 'currency.': { code: 'CNY' }, ...o,
    };
  }
  const inv = (id: number, o: Partial<InvoiceRow>) => invoice({ id, total_amount: '500.00', 'move.': move, ...o });

  it.each([['draft', 'submitted'], ['quotation', 'approved'], ['confirmed', 'approved'], ['processing', 'approved'], ['done', 'posted'], ['cancelled', 'cancelled']])(
    'without invoices, %s is %s', (state, status) => {
      expect(purchaseSnapshot(pref, purchase({ state }), [], []).status).toBe(status);
    });

  it('follows its supplier invoices once one is posted: posted, partly paid, paid; cancelled invoices do not count', () => {
    const rows = (a: Partial<InvoiceRow>, b: Partial<InvoiceRow>) => [inv(41, a), inv(42, b), inv(43, { state: 'cancelled' })];
    const p = purchase({ state: 'processing', invoice_state: 'waiting', invoices: [41, 42, 43] });
    expect(purchaseSnapshot(pref, p, rows({ state: 'draft' }, { state: 'draft' }), []).status).toBe('approved');
    const posted = purchaseSnapshot(pref, p, rows({ state: 'posted', amount_to_pay: '500.00' }, { state: 'draft' }), []);
    expect(posted).toMatchObject({ status: 'posted', postedAt: '2026-06-16T08:30:00.500Z', amounts: { total: '1000.00', paid: '0.00' } });
    const part = purchaseSnapshot(pref, p, rows({ state: 'paid', payment_lines: [9] }, { state: 'posted', amount_to_pay: '500.00' }), [line(9, '2026-06-25T01:00:00.000000', 'B-9')]);
    expect(part).toMatchObject({ status: 'partially_paid', amounts: { paid: '500.00' }, payment: { at: '2026-06-25T01:00:00.000Z', bankRef: 'B-9' } });
    const paid = purchaseSnapshot(pref, { ...p, state: 'done', invoice_state: 'paid' }, rows({ state: 'paid' }, { state: 'paid' }), []);
    expect(paid).toMatchObject({ status: 'paid', amounts: { paid: '1000.00' } });
    expect(paid.raw.invoices).toHaveLength(2);
  });

  it("changes its version stamp when one of its invoices changes, though the purchase row did not", () => {
    const p = purchase({ state: 'processing', invoice_state: 'waiting', invoices: [41] });
    const a = purchaseSnapshot(pref, p, [inv(41, { state: 'validated', write_date: '2026-06-16T00:00:00.000000' })], []);
    const b = purchaseSnapshot(pref, p, [inv(41, { state: 'posted', amount_to_pay: '500.00', write_date: '2026-06-17T00:00:00.000000' })], []);
    expect(b.versionStamp).not.toBe(a.versionStamp);
    expect(b.changedAt).toBe('2026-06-17T00:00:00.000Z');
  });
});

describe('Tryton timestamps', () => {
  it('reads naive UTC with any fraction as ISO 8601 UTC, and refuses anything else', () => {
    expect(trytonTimeToIso('2026-06-15T04:00:00.123456')).toBe('2026-06-15T04:00:00.123Z');
    expect(trytonTimeToIso('2026-06-15T04:00:00')).toBe('2026-06-15T04:00:00.000Z');
    expect(trytonTimeToIso('2026-06-15 04:00:00.5')).toBe('2026-06-15T04:00:00.500Z');
    expect(() => trytonTimeToIso('15/06/2026')).toThrow(TypeError);
  });
});
