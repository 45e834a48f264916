import { pino } from 'pino';
import type { ErpInstance } from '../../../src/config/erp-instances.ts';
import { fixedClock } from '../../../src/core/clock.ts';
import type { ErpDocRef } from '../../../src/erp/erp-connector.ts';
import { trytonKind, type TrytonConnector } from '../../../src/erp/connectors/tryton/index.ts';
import { TrytonRpcClient } from '../../../src/erp/connectors/tryton/rpc-client.ts';
import { trytonDate, trytonDecimal } from '../../../src/erp/connectors/tryton/rpc-codec.ts';
import type { ContractHarness } from '../../contract/erp-contract.ts';
import type { TrytonServer } from './start-tryton.ts';

/**
 * The Tryton connector against a real trytond (start-tryton.ts), and Tryton's own side of the story: its accountant
 * (the admin user) posting and paying invoices with the buttons and the wizard the Tryton client uses.
 */
export const EMPLOYEE = 'Wang Fang';
export const SUPPLIER = 'Hangzhou Office Supplies Co.';

/** The clock of the tests: a day inside the set-up database's fiscal year. */
export function trytonClock(tryton: TrytonServer) {
  return fixedClock(new Date(`${tryton.fiscalYear}-06-15T04:00:00Z`));
}

export function trytonInstance(tryton: TrytonServer, settings: Record<string, unknown> = {}): ErpInstance {
  return {
    id: 'tryton-test', kind: 'tryton', tenant: 'default', baseUrl: tryton.url,
    credentials: { login: tryton.bot.login, password: tryton.bot.password }, pollIntervalMs: 1_000, timeoutMs: 5_000, push: null, approvals: [], masterData: null,
    settings: { database: tryton.database, timezone: 'Asia/Shanghai', expense: { journal: 'EXP', account: 'Main Expense' }, ...settings },
    file: 'erps/tryton-test.yaml',
  };
}

export function makeConnector(tryton: TrytonServer, opts: { fetch?: typeof fetch; settings?: Record<string, unknown>; url?: string } = {}): TrytonConnector {
  const instance = { ...trytonInstance(tryton, opts.settings), ...(opts.url ? { baseUrl: opts.url } : {}) };
  return trytonKind.create(instance, trytonKind.settings.parse(instance.settings), {
    clock: trytonClock(tryton), logger: pino({ level: 'silent' }), ...(opts.fetch ? { fetch: opts.fetch } : {}),
  }) as TrytonConnector;
}

export function adminClient(tryton: TrytonServer): TrytonRpcClient {
  return new TrytonRpcClient({ url: tryton.url, database: tryton.database, login: tryton.admin.login, password: tryton.admin.password });
}

/** A wizard form's defaults without the `field.` companions (rec_names the client shows), ready to send back. */
function formValues(answer: { view?: { defaults?: Record<string, unknown> } }): Record<string, unknown> {
  return Object.fromEntries(Object.entries(answer.view?.defaults ?? {}).filter(([k]) => !k.includes('.')));
}

/** Posts a supplier invoice as the accountant: validate (if still draft), then post; fails unless Tryton says posted. */
export async function postInvoice(admin: TrytonRpcClient, id: number): Promise<void> {
  const state = async () => (await admin.read<{ state: string }>('account.invoice', [id], ['state']))[0]?.state;
  if (await state() === 'draft') await admin.button('account.invoice', 'validate_invoice', [id]);
  await admin.button('account.invoice', 'post', [id]);
  const now = await state();
  if (now !== 'posted' && now !== 'paid') throw new Error(`invoice ${id} is ${String(now)} after post`);
}

/**
 * Pays (part of) a posted supplier invoice with the wizard account.invoice.pay: its start form (amount, payment method,
 * date, description = the bank reference), then, for less than what is due, the "ask" form answered "partial".
 */
export async function payInvoice(tryton: TrytonServer, admin: TrytonRpcClient, id: number, amount: string, bankRef: string, date: string): Promise<void> {
  await admin.wizard('account.invoice.pay', 'account.invoice', [id], async (step) => {
    const start = {
      ...formValues(await step('start', {})), amount: trytonDecimal(amount), payment_method: tryton.ids.invoice_payment_method,
      date: trytonDate(date), description: bankRef,
    };
    const choice = await step('choice', { start });
    if (choice.view) await step('pay', { start, ask: { ...formValues(choice), type: 'partial' } });
  });
}

/** The contract harness: expense claims (first: the lifecycle) and purchase orders, an outage by stopping trytond. */
export function contractHarness(tryton: TrytonServer): ContractHarness {
  let loseNext = false;
  const lossy: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const method = (JSON.parse(String(init?.body ?? '{}')) as { method?: string }).method ?? '';
    if (loseNext && /^model\.[\w.]+\.create$/.test(method)) {
      loseNext = false;
      await res.text(); // Tryton answered and committed; the caller never hears of it
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    }
    return res;
  };
  const connector = makeConnector(tryton, { fetch: lossy });
  const admin = adminClient(tryton);
  const invoiceOf = (ref: ErpDocRef) => {
    if (ref.formId !== 'account.invoice') throw new Error(`the accountant posts and pays supplier invoices, not ${ref.formId}`);
    return Number(ref.id);
  };
  return {
    connector,
    kinds: [
      { docKind: 'expense_reimbursement', payload: (amount, tag) => ({ amount, party: EMPLOYEE, description: `Travel claim ${tag}`, date: `${tryton.fiscalYear}-06-12` }) },
      { docKind: 'purchase_order', payload: (amount, tag) => ({ amount, party: SUPPLIER, item: `Office chairs ${tag}`, quantity: '2' }) },
    ],
    // Tryton refuses to validate an invoice dated outside every fiscal year (no period), in its own words.
    invalid: { docKind: 'expense_reimbursement', payload: { amount: '12.00', party: EMPLOYEE, description: 'Claim from another era', date: '1999-01-04' } },
    erpSide: {
      post: (ref) => postInvoice(admin, invoiceOf(ref)),
      pay: (ref, amount, bankRef) => payInvoice(tryton, admin, invoiceOf(ref), amount, bankRef, `${tryton.fiscalYear}-06-20`),
    },
    outage: async () => {
      await tryton.halt();
      return () => tryton.restart();
    },
    loseNextAnswer: () => { loseNext = true; },
    close: async () => {
      await connector.close();
      await admin.logout().catch(() => undefined);
    },
  };
}
