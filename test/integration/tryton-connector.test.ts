import { afterAll, describe, expect, it } from 'vitest';
import { ExternalServiceError } from '../../src/core/errors.ts';
import type { ErpDocRef, ExternalKey } from '../../src/erp/erp-connector.ts';
import { erpContract } from '../contract/erp-contract.ts';
import { adminClient, contractHarness, EMPLOYEE, makeConnector, payInvoice, postInvoice, SUPPLIER } from '../support/tryton/connector-harness.ts';
import { startTryton, type TrytonServer } from '../support/tryton/start-tryton.ts';

/**
 * The Tryton connector against a real trytond 6.0 (Debian packages; its own copy of the set-up database): the ERP
 * contract every connector passes, then what is Tryton's own: the supplier a purchase goes to, partial payments, a
 * session Tryton expired in the middle of a create, the refusals that name what is missing. The push module has its
 * own file (tryton-push.test.ts). Skipped with a message where Tryton is not installed; with CI set it must run.
 */
const tryton = await startTryton();
afterAll(() => tryton?.stop());

erpContract('tryton', async () => (tryton ? contractHarness(tryton) : null));

let n = 0;
const key = (label: string): ExternalKey => ({ namespace: 'approval:tryton-test', key: `${label}-${process.pid}-${++n}:r1` });

async function failure(p: Promise<unknown>): Promise<ExternalServiceError> {
  const e: unknown = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof ExternalServiceError)) throw new Error(`expected an ExternalServiceError, got ${String(e)}`);
  return e;
}

describe.skipIf(!tryton)('Tryton connector: what Tryton itself does (real trytond)', () => {
  const t = tryton as TrytonServer;

  it('makes an expense claim a supplier invoice to the employee: party, payable and expense accounts, journal, reference, date', async () => {
    const c = makeConnector(t);
    const k = key('claim');
    const res = await c.createDocument({
      docKind: 'expense_reimbursement', externalKey: k, autoApprove: true,
      payload: { amount: '428.6', party: EMPLOYEE, description: 'Taxi and one hotel night' },
    });
    expect(res).toMatchObject({ created: true, snapshot: { status: 'approved', amounts: { total: '428.60', paid: '0.00', currency: 'CNY' } } });
    expect(res.ref).toMatchObject({ erp: 'tryton', formId: 'account.invoice', externalKey: `${k.namespace}:${k.key}` });
    expect(res.ref.number).toMatch(/\S/);
    const [inv] = await adminClient(t).read<Record<string, unknown>>('account.invoice', [Number(res.ref.id)],
      ['type', 'state', 'party', 'account', 'journal', 'reference', 'invoice_date', 'description', 'lines']);
    // No date in the request: today in the company's zone (Asia/Shanghai), from the injected clock.
    expect(inv).toMatchObject({
      type: 'in', state: 'validated', party: t.ids.party_employee, account: t.ids.account_payable, journal: t.ids.journal_expense,
      reference: `${k.namespace}:${k.key}`, invoice_date: `${t.fiscalYear}-06-15`, description: 'Taxi and one hotel night',
    });
    const lines = await adminClient(t).read<Record<string, unknown>>('account.invoice.line', inv?.lines as number[], ['account', 'quantity', 'unit_price', 'description']);
    expect(lines).toEqual([expect.objectContaining({ account: t.ids.account_expense, quantity: 1, unit_price: '428.60', description: 'Taxi and one hotel night' })]);
    await c.close();
  });

  it('makes a purchase request a quoted purchase to the supplier, its total to the cent; its supplier invoice carries it to paid', async () => {
    const c = makeConnector(t);
    const res = await c.createDocument({
      docKind: 'purchase_requisition', externalKey: key('chairs'), autoApprove: true,
      payload: { amount: '1000.00', party: SUPPLIER, item: 'Office chair', quantity: '3', date: `${t.fiscalYear}-05-06` },
    });
    expect(res.snapshot).toMatchObject({ status: 'approved', amounts: { total: '1000.00', currency: 'CNY' }, raw: { state: 'quotation' } });
    const admin = adminClient(t);
    const [p] = await admin.read<Record<string, unknown>>('purchase.purchase', [Number(res.ref.id)], ['party', 'state', 'purchase_date', 'invoice_address', 'lines']);
    expect(p).toMatchObject({ party: t.ids.party_supplier, state: 'quotation', purchase_date: `${t.fiscalYear}-05-06` });
    // Tryton rounds a line to the cent (quantity × unit price, 4 decimals): 3 × 333.3333 is 1000.00.
    const lines = await admin.read<Record<string, unknown>>('purchase.line', p?.lines as number[], ['quantity', 'unit_price', 'description', 'amount']);
    expect(lines).toEqual([expect.objectContaining({ quantity: 3, unit_price: '333.3333', description: 'Office chair', amount: '1000.00' })]);

    // The buyer confirms: Tryton makes a draft supplier invoice; the accountant posts it, then pays part, then the rest.
    await admin.button('purchase.purchase', 'confirm', [Number(res.ref.id)]);
    expect((await c.getStatus(res.ref)).status).toBe('approved');
    const [{ invoices }] = await admin.read<{ invoices: number[] }>('purchase.purchase', [Number(res.ref.id)], ['invoices']) as [{ invoices: number[] }];
    const invoice = invoices[0] as number;
    await admin.write('account.invoice', [invoice], { invoice_date: { __class__: 'date', year: t.fiscalYear, month: 5, day: 7 } });
    await postInvoice(admin, invoice);
    expect(await c.getStatus(res.ref)).toMatchObject({ status: 'posted', postedAt: expect.stringMatching(/Z$/) });
    await payInvoice(t, admin, invoice, '400.00', 'BANK-PO-1', `${t.fiscalYear}-05-08`);
    expect(await c.getStatus(res.ref)).toMatchObject({ status: 'partially_paid', amounts: { total: '1000.00', paid: '400.00' }, payment: { bankRef: 'BANK-PO-1' } });
    await payInvoice(t, admin, invoice, '600.00', 'BANK-PO-2', `${t.fiscalYear}-05-09`);
    expect(await c.getStatus(res.ref)).toMatchObject({ status: 'paid', amounts: { paid: '1000.00' }, payment: { bankRef: 'BANK-PO-2' } });
    await c.close();
  });

  it('reports a partial payment of an invoice with the bank reference of the pay wizard', async () => {
    const c = makeConnector(t);
    const { ref } = await c.createDocument({ docKind: 'expense_reimbursement', externalKey: key('partial'), autoApprove: true, payload: { amount: '300.00', party: EMPLOYEE } });
    const admin = adminClient(t);
    await postInvoice(admin, Number(ref.id));
    const posted = await c.getStatus(ref);
    expect(posted).toMatchObject({ status: 'posted', voucher: expect.stringMatching(/\S/) });
    await payInvoice(t, admin, Number(ref.id), '120.50', 'CMB-20260620-7781', `${t.fiscalYear}-06-20`);
    const part = await c.getStatus(ref);
    expect(part).toMatchObject({ status: 'partially_paid', amounts: { total: '300.00', paid: '120.50' }, payment: { bankRef: 'CMB-20260620-7781' } });
    expect(part.versionStamp).not.toBe(posted.versionStamp);
    await c.close();
  });

  it('logs in again when Tryton expired the session in the middle of a create, and makes one invoice', async () => {
    const methods: string[] = [];
    let expired = false;
    const expiring: typeof fetch = async (input, init) => {
      const method = (JSON.parse(String(init?.body)) as { method: string }).method;
      methods.push(method);
      // Just before the create is sent, Tryton forgets the session: the create gets HTTP 401 and never runs.
      if (method === 'model.account.invoice.create' && !expired) { expired = true; await t.expireSessions(t.bot.login); }
      return fetch(input, init);
    };
    const c = makeConnector(t, { fetch: expiring });
    const k = key('expiry');
    const res = await c.createDocument({ docKind: 'expense_reimbursement', externalKey: k, autoApprove: true, payload: { amount: '66.00', party: EMPLOYEE } });
    expect(res.created).toBe(true);
    const creates = methods.filter((m) => m === 'model.account.invoice.create');
    expect(creates).toHaveLength(2);
    expect(methods.slice(methods.indexOf('model.account.invoice.create'))).toEqual(expect.arrayContaining(['common.db.login']));
    expect(await adminClient(t).search('account.invoice', [['reference', '=', `${k.namespace}:${k.key}`]])).toEqual([Number(res.ref.id)]);
    await c.close();
  });

  it('calls a create whose answer was lost "result unknown"; a server that refuses the connection is only unavailable', async () => {
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(init?.body).includes('"model.account.invoice.create"')) {
        await res.text();
        throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      }
      return res;
    };
    const k = key('lost');
    const lost = await failure(makeConnector(t, { fetch: lossy }).createDocument({ docKind: 'expense_reimbursement', externalKey: k, payload: { amount: '9.00', party: EMPLOYEE } }));
    expect(lost).toMatchObject({ code: 'erp.result_unknown', retryable: true });
    expect(await makeConnector(t).findByExternalKey('expense_reimbursement', k)).not.toBeNull();
    const refused = await failure(makeConnector(t, { url: 'http://127.0.0.1:9' }).createDocument({ docKind: 'expense_reimbursement', externalKey: key('refused'), payload: { amount: '9.00', party: EMPLOYEE } }));
    expect(refused).toMatchObject({ code: 'erp.unavailable', retryable: true });
  });

  it('refuses a claim for a party Tryton does not know, naming it, and creates nothing', async () => {
    const c = makeConnector(t);
    const k = key('ghost');
    const e = await failure(c.createDocument({ docKind: 'expense_reimbursement', externalKey: k, autoApprove: true, payload: { amount: '10.00', party: 'Nobody Atall' } }));
    expect(e).toMatchObject({ code: 'erp.validation', retryable: false });
    expect(e.message).toContain('"Nobody Atall"');
    expect(await c.findByExternalKey('expense_reimbursement', k)).toBeNull();
    const bad = await failure(c.createDocument({ docKind: 'expense_reimbursement', externalKey: k, payload: { amount: '-3', party: EMPLOYEE } }));
    expect(bad.message).toMatch(/not a positive amount/);
    // Tryton's own refusal (no period for the date) leaves nothing behind: the draft it would not validate is deleted.
    const old = await failure(c.createDocument({ docKind: 'expense_reimbursement', externalKey: k, autoApprove: true, payload: { amount: '10.00', party: EMPLOYEE, date: '1999-01-04' } }));
    expect(old).toMatchObject({ code: 'erp.validation', details: { kind: 'UserError' } });
    expect(old.message).toMatch(/period/i);
    expect(await c.findByExternalKey('expense_reimbursement', k)).toBeNull();
    const unmapped = await failure(makeConnector(t, { settings: { expense: { account: 'No Such Account' } } })
      .createDocument({ docKind: 'expense_reimbursement', externalKey: k, payload: { amount: '10.00', party: EMPLOYEE } }));
    expect(unmapped.message).toContain('settings.expense.account');
    expect(await failure(c.createDocument({ docKind: 'contract', externalKey: k, payload: { amount: '1.00' } }))).toMatchObject({ code: 'erp.validation' });
    await c.close();
  });

  it('approves, reverses with the reason, and deletes a draft on request; a posted invoice cannot be reversed', async () => {
    const c = makeConnector(t);
    const made = await c.createDocument({ docKind: 'expense_reimbursement', externalKey: key('reverse'), payload: { amount: '20.00', party: EMPLOYEE } });
    expect(made.snapshot.raw.state).toBe('draft');
    expect((await c.approve(made.ref)).raw.state).toBe('validated');
    expect((await c.approve(made.ref)).raw.state).toBe('validated'); // already approved: fine
    const back = await c.reverse(made.ref, { reason: 'wrong project code' });
    expect(back.raw.state).toBe('draft');
    // It has a number since it was validated: Tryton keeps it, cancelled.
    expect(await c.reverse(made.ref, { reason: 'withdrawn', deleteIfPossible: true })).toMatchObject({ status: 'cancelled', raw: { state: 'cancelled' } });

    const draft = await c.createDocument({ docKind: 'purchase_order', externalKey: key('withdrawn'), payload: { amount: '5.00', party: SUPPLIER } });
    expect(draft.snapshot).toMatchObject({ status: 'submitted', raw: { state: 'draft' } });
    expect(await c.reverse(draft.ref, { reason: 'withdrawn', deleteIfPossible: true })).toMatchObject({ status: 'cancelled', raw: { deleted: true } });
    expect(await failure(c.getStatus(draft.ref))).toMatchObject({ code: 'erp.not_found' });

    const posted = await c.createDocument({ docKind: 'expense_reimbursement', externalKey: key('posted'), autoApprove: true, payload: { amount: '21.00', party: EMPLOYEE } });
    await postInvoice(adminClient(t), Number(posted.ref.id));
    const refused = await failure(c.reverse(posted.ref as ErpDocRef, { reason: 'too late' }));
    expect(refused).toMatchObject({ code: 'erp.not_allowed_in_state', retryable: false });
    await c.close();
  });
});
