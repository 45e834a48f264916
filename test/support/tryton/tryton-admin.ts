import type { TrytonRpcClient } from '../../../src/erp/connectors/tryton/rpc-client.ts';
import { trytonDate } from '../../../src/erp/connectors/tryton/rpc-codec.ts';
import type { TrytonServer } from './start-tryton.ts';

/**
 * What a Tryton administrator or accountant does by hand before and around the assistant's work, over JSON-RPC as
 * Tryton's admin user: parties the assistant's documents are made out to, a fiscal year for the day the documents are
 * dated, and reading back what the assistant created.
 *
 * Tryton 6.0 models (trytond/modules/party, account, account_invoice):
 * - party.party `name` with an `addresses` one2many (an invoice and a purchase need an invoice address);
 * - account.fiscalyear: `post_move_sequence` (ir.sequence of type "Account Move"), `invoice_sequences` (one row naming
 *   an ir.sequence.strict of type "Invoice" for each invoice type), then the `create_period` button (monthly periods:
 *   an invoice is dated, validated and posted into the period of its date).
 *   https://docs.tryton.org/projects/modules-account/en/6.0/usage.html#fiscal-years
 */

/** The party named `name` (with one address in `city`), created when Tryton has none; returns its id. */
export async function ensureParty(admin: TrytonRpcClient, name: string, city = 'Hangzhou'): Promise<number> {
  const [found] = await admin.search('party.party', [['name', '=', name]], { limit: 1 });
  if (found !== undefined) return found;
  const [id] = await admin.create('party.party', [{ name, addresses: [['create', [{ city }]]] }]);
  if (id === undefined) throw new Error(`Tryton created no party ${name}`);
  return id;
}

/** YYYY-MM-DD of `at` in `timeZone` (the company's calendar, as the connector dates documents). */
export function calendarDate(at: Date, timeZone = 'Asia/Shanghai'): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * Opens the fiscal year that contains `date` (YYYY-MM-DD) unless the company has one: the documents of a run are dated
 * by the service's real clock, and Tryton refuses an invoice dated outside every open period. Returns the year's id.
 */
export async function ensureFiscalYear(admin: TrytonRpcClient, tryton: TrytonServer, date: string): Promise<number> {
  const company = tryton.ids.company;
  const d = trytonDate(date);
  const [open] = await admin.search('account.fiscalyear', [['company', '=', company], ['start_date', '<=', d], ['end_date', '>=', d]], { limit: 1 });
  if (open !== undefined) return open;
  const year = Number(date.slice(0, 4));
  const sequenceType = async (name: string): Promise<number> => {
    const [id] = await admin.search('ir.sequence.type', [['name', '=', name]], { limit: 1 });
    if (id === undefined) throw new Error(`Tryton has no sequence type "${name}"`);
    return id;
  };
  const [moves] = await admin.create('ir.sequence', [{ name: `Moves ${year}`, sequence_type: await sequenceType('Account Move'), company }]);
  const [invoices] = await admin.create('ir.sequence.strict', [{ name: `Invoices ${year}`, sequence_type: await sequenceType('Invoice'), company }]);
  const [id] = await admin.create('account.fiscalyear', [{
    name: String(year), company, post_move_sequence: moves,
    start_date: trytonDate(`${year}-01-01`), end_date: trytonDate(`${year}-12-31`),
    invoice_sequences: [['create', [{
      company, in_invoice_sequence: invoices, in_credit_note_sequence: invoices, out_invoice_sequence: invoices, out_credit_note_sequence: invoices,
    }]]],
  }]);
  if (id === undefined) throw new Error(`Tryton created no fiscal year ${year}`);
  await admin.button('account.fiscalyear', 'create_period', [id]);
  const periods = await admin.search('account.period', [['fiscalyear', '=', id], ['start_date', '<=', d], ['end_date', '>=', d]]);
  if (periods.length === 0) throw new Error(`fiscal year ${year} has no period for ${date} after create_period`);
  return id;
}

export interface InvoiceRead {
  id: number; type: string; state: string; number: string | null; reference: string | null; party: number; account: number;
  total_amount: string; currency: number; invoice_date: string | null; lines: number[];
}

/** Every supplier invoice whose reference is `reference` (the assistant's external key). */
export async function invoicesWithReference(admin: TrytonRpcClient, reference: string): Promise<InvoiceRead[]> {
  return admin.searchRead<InvoiceRead>('account.invoice', [['reference', '=', reference]],
    ['id', 'type', 'state', 'number', 'reference', 'party', 'account', 'total_amount', 'currency', 'invoice_date', 'lines'], { order: [['id', 'ASC']] });
}

/** The expense accounts of an invoice's lines. */
export async function lineAccounts(admin: TrytonRpcClient, lines: number[]): Promise<number[]> {
  return (await admin.read<{ account: number }>('account.invoice.line', lines, ['account'])).map((l) => l.account);
}
