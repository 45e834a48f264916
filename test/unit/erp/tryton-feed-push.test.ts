import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.ts';
import { fixedClock } from '../../../src/core/clock.ts';
import { changedSince, decodeCursor, earlier, encodeCursor } from '../../../src/erp/connectors/tryton/feed.ts';
import { parseTrytonPush } from '../../../src/erp/connectors/tryton/push.ts';
import { trytonDateTime } from '../../../src/erp/connectors/tryton/rpc-codec.ts';
import { documentDate, positiveAmount, purchaseLine } from '../../../src/erp/connectors/tryton/values.ts';

/** The pure parts of the Tryton connector: feed cursors and domains, push bodies, payload checks. */
describe('Tryton change feed cursor', () => {
  it('round-trips both shapes and reads anything else as "from the start"', () => {
    const rest = { n: '2026-06-15T04:00:00.123456' };
    const page = { n: '2026-06-15T04:00:00.123456', p: 1 as const, w: null, m: 1, id: 42 };
    expect(decodeCursor(encodeCursor(rest))).toEqual(rest);
    expect(decodeCursor(encodeCursor(page))).toEqual(page);
    expect(decodeCursor(encodeCursor({ n: null }))).toEqual({ n: null });
    for (const junk of [null, '', 'garbage', 'tc1.%%%', `tc1.${Buffer.from('[1]').toString('base64url')}`, encodeCursor({ n: 'yesterday' })]) {
      expect(decodeCursor(junk)).toBeNull();
    }
    // A page cursor with a model index out of range falls back to a new poll from its newest timestamp.
    expect(decodeCursor(encodeCursor({ ...page, m: 9 }))).toEqual({ n: page.n });
  });

  it('moves a naive timestamp back by the overlap window, across midnight', () => {
    expect(earlier('2026-06-15T00:00:30.500000', 60_000)).toBe('2026-06-14T23:59:30.500');
  });

  it("asks for create or write at or after the window's start; purchases also for their invoices' dates", () => {
    const t = trytonDateTime('2026-06-15T04:00:00.123');
    expect(t).toEqual({ __class__: 'datetime', year: 2026, month: 6, day: 15, hour: 4, minute: 0, second: 0, microsecond: 123000 });
    expect(changedSince('account.invoice', null)).toEqual([]);
    expect(changedSince('account.invoice', '2026-06-15T04:00:00.123')).toEqual([['OR', ['write_date', '>=', t], ['create_date', '>=', t]]]);
    expect(changedSince('purchase.purchase', '2026-06-15T04:00:00.123')).toEqual([['OR',
      ['write_date', '>=', t], ['create_date', '>=', t], ['invoices.write_date', '>=', t], ['invoices.create_date', '>=', t]]]);
  });
});

describe("Tryton push body (erp-modules/tryton/approval_webhook)", () => {
  it('names each record by id and reference, with the document kind of its model', () => {
    expect(parseTrytonPush({ event_id: 'e-1', model: 'account.invoice', records: [{ id: 7, reference: 'approval:t:R-7:r1', state: 'posted' }] }))
      .toEqual({ eventId: 'e-1', documents: [{ id: '7', externalKey: 'approval:t:R-7:r1', docKind: 'expense_reimbursement' }] });
    expect(parseTrytonPush({ event_id: 'e-2', model: 'purchase.purchase', records: [{ id: 3, reference: null }] }))
      .toEqual({ eventId: 'e-2', documents: [{ id: '3', docKind: 'purchase_order' }] });
  });

  it.each([
    ['not an object', 'hello'], ['no event id', { model: 'account.invoice', records: [] }], ['another model', { event_id: 'e', model: 'res.user', records: [] }],
    ['no records', { event_id: 'e', model: 'account.invoice' }], ['a record without id or reference', { event_id: 'e', model: 'account.invoice', records: [{ state: 'paid' }] }],
    ['a bad id', { event_id: 'e', model: 'account.invoice', records: [{ id: -1 }] }], ['a reference that is not text', { event_id: 'e', model: 'account.invoice', records: [{ id: 1, reference: 5 }] }],
  ])('refuses %s', (_what, body) => {
    expect(() => parseTrytonPush(body)).toThrow(ValidationError);
  });
});

describe('Tryton payload checks', () => {
  it('wants a positive amount, normalised to cents', () => {
    expect(positiveAmount({ amount: '1,250.5' })).toBe('1250.50');
    for (const amount of [undefined, '', '0', '-3', 'a lot']) {
      expect(() => positiveAmount(amount === undefined ? {} : { amount })).toThrow(/not a positive amount/);
    }
  });

  it("dates a document from the payload, else today in the company's zone by the injected clock", () => {
    const clock = fixedClock(new Date('2026-06-14T17:30:00Z')); // 01:30 on the 15th in Shanghai
    expect(documentDate({}, clock, 'Asia/Shanghai')).toBe('2026-06-15');
    expect(documentDate({}, clock, 'UTC')).toBe('2026-06-14');
    expect(documentDate({ date: '2026-02-03' }, clock, 'UTC')).toBe('2026-02-03');
    expect(() => documentDate({ date: '3 Feb' }, clock, 'UTC')).toThrow(/YYYY-MM-DD/);
  });

  it('splits a purchase into quantity × unit price only when Tryton\'s rounded line gives the amount back', () => {
    expect(purchaseLine('1000.00', '3', 'Chair')).toEqual({ quantity: 3, unitPrice: '333.3333', description: 'Chair' });
    expect(purchaseLine('12.50', '2.5', 'Paper')).toEqual({ quantity: 2.5, unitPrice: '5.0000', description: 'Paper' });
    expect(purchaseLine('10.01', '1000', 'Screws')).toEqual({ quantity: 1, unitPrice: '10.01', description: 'Screws × 1000' });
    expect(purchaseLine('10.00', undefined, 'Pens')).toEqual({ quantity: 1, unitPrice: '10.00', description: 'Pens' });
    expect(() => purchaseLine('10.00', 'two', 'Pens')).toThrow(/not a positive number/);
    expect(() => purchaseLine('10.00', '0', 'Pens')).toThrow(/not a positive number/);
  });
});
