import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangePage, StatusChange } from '../../src/erp/erp-connector.ts';
import type { TrytonConnector } from '../../src/erp/connectors/tryton/connector.ts';
import { encodeCursor, OVERLAP_MS } from '../../src/erp/connectors/tryton/feed.ts';
import { adminClient, EMPLOYEE, makeConnector, postInvoice, SUPPLIER } from '../support/tryton/connector-harness.ts';
import { startTryton, type TrytonServer } from '../support/tryton/start-tryton.ts';

/**
 * The Tryton change feed against a real trytond: pages that go forward without repeats or gaps, only the assistant's
 * documents, and a purchase that changes through its supplier invoice (the purchase row itself is not written then).
 */
const tryton = await startTryton();

async function drain(c: TrytonConnector, cursor: string | null, limit: number): Promise<{ changes: StatusChange[]; cursor: string; pages: number }> {
  const changes: StatusChange[] = [];
  let cur = cursor;
  let pages = 0;
  for (;;) {
    const page: ChangePage = await c.listChanges(cur, { limit });
    pages++;
    changes.push(...page.changes);
    cur = page.nextCursor;
    if (!page.hasMore || pages > 100) return { changes, cursor: cur, pages };
  }
}

/** Naive UTC as Tryton writes it, shifted by `ms`. */
const shift = (naive: string, ms: number) => new Date(Date.parse(`${naive.slice(0, 23)}Z`) + ms).toISOString().slice(0, 23);

describe.skipIf(!tryton)('Tryton change feed (real trytond)', () => {
  const t = tryton as TrytonServer;
  let c: TrytonConnector;
  beforeAll(async () => {
    c = makeConnector(t);
    for (let i = 0; i < 5; i++) {
      await c.createDocument({ docKind: 'expense_reimbursement', externalKey: { namespace: 'approval:feed', key: `claim-${i}:r1` }, autoApprove: true, payload: { amount: `${i + 1}0.00`, party: EMPLOYEE } });
      await c.createDocument({ docKind: 'purchase_order', externalKey: { namespace: 'approval:feed', key: `po-${i}:r1` }, autoApprove: true, payload: { amount: `${i + 1}5.00`, party: SUPPLIER, item: 'Paper' } });
    }
    // A supplier invoice someone typed in Tryton: not the assistant's, never in its feed.
    const admin = adminClient(t);
    await admin.create('account.invoice', [{
      type: 'in', party: t.ids.party_employee, invoice_address: t.ids.party_employee_address, account: t.ids.account_payable,
      journal: t.ids.journal_expense, reference: 'SUPPLIER-INV-991',
      lines: [['create', [{ account: t.ids.account_expense, description: 'Typed by hand', quantity: 1, unit_price: { __class__: 'Decimal', decimal: '9.00' } }]]],
    }]);
  });
  afterAll(async () => { await c?.close(); await t.stop(); });

  it('pages forward through invoices then purchases: small pages see what one big page sees, once each', async () => {
    const big = await drain(c, null, 500);
    const keys = big.changes.map((x) => `${x.ref.formId}:${x.ref.id}`);
    expect(keys).toHaveLength(10);
    expect(new Set(keys).size).toBe(10);
    expect(big.changes.every((x) => x.ref.externalKey.startsWith('approval:feed:'))).toBe(true);
    expect(big.changes.map((x) => x.snapshot.status)).toEqual([...Array(5).fill('approved'), ...Array(5).fill('approved')]);

    const small = await drain(c, null, 3);
    expect(small.pages).toBe(4);
    expect(small.changes.map((x) => `${x.ref.formId}:${x.ref.id}`)).toEqual(keys);
    expect(small.changes.map((x) => x.snapshot.versionStamp)).toEqual(big.changes.map((x) => x.snapshot.versionStamp));
  });

  it('re-reads the overlap window after the newest change it saw, and nothing older', async () => {
    const { cursor } = await drain(c, null, 500);
    const again = await drain(c, cursor, 500);
    // Everything was made within the last minute: all of it is inside the window and comes again, unchanged.
    expect(again.changes).toHaveLength(10);
    const newest = again.changes.map((x) => x.snapshot.raw.write_date as string).sort().at(-1) as string;
    const later = await drain(c, encodeCursor({ n: shift(newest, OVERLAP_MS + 1_000) }), 500);
    expect(later.changes).toEqual([]);
    expect(later.cursor).toBe(encodeCursor({ n: shift(newest, OVERLAP_MS + 1_000) }));
  });

  it('sees a purchase move to posted when its supplier invoice is posted, though the purchase row is not written', async () => {
    const po = await c.createDocument({ docKind: 'purchase_order', externalKey: { namespace: 'approval:feed', key: 'po-invoiced:r1' }, autoApprove: true, payload: { amount: '88.00', party: SUPPLIER, item: 'Toner' } });
    const admin = adminClient(t);
    await admin.button('purchase.purchase', 'confirm', [Number(po.ref.id)]);
    const [{ invoices, write_date: purchaseWritten }] = await admin.read<{ invoices: number[]; write_date: string }>('purchase.purchase', [Number(po.ref.id)], ['invoices', 'write_date']) as [{ invoices: number[]; write_date: string }];
    const invoice = invoices[0] as number;
    await admin.write('account.invoice', [invoice], { invoice_date: { __class__: 'date', year: t.fiscalYear, month: 6, day: 1 } });
    await postInvoice(admin, invoice);
    const [after] = await admin.read<{ write_date: string }>('purchase.purchase', [Number(po.ref.id)], ['write_date']);
    expect(after?.write_date).toBe(purchaseWritten);
    const [inv] = await admin.read<{ write_date: string }>('account.invoice', [invoice], ['write_date']);
    // A cursor whose window starts at the invoice's post: the purchase's own dates are older, only its invoice is new.
    const feed = await drain(c, encodeCursor({ n: shift(inv?.write_date as string, OVERLAP_MS) }), 50);
    const seen = feed.changes.filter((x) => x.ref.formId === 'purchase.purchase');
    expect(seen.map((x) => [x.ref.id, x.snapshot.status])).toEqual([[po.ref.id, 'posted']]);
    expect(feed.changes.filter((x) => x.ref.formId === 'account.invoice')).toEqual([]); // the purchase's invoice has no reference of ours
  });
});
