import { ExternalServiceError } from '../../../core/errors.ts';
import type { TrytonRpcClient } from './rpc-client.ts';
import { TRYTON_SERVICE } from './rpc-errors.ts';
import type { RecordRef, TrytonSettings } from './settings.ts';

/**
 * The Tryton records a new document points at, found by what people write in configuration and requests: a code,
 * a name or an id. Records named by the instance's settings are looked up once and kept (`forget()` drops them
 * after Tryton refused a document, so a record fixed in Tryton is found again); parties are looked up every time.
 * Each miss is an `erp.validation` error that names what was looked for and where it came from.
 */
export function validation(message: string, details: Record<string, unknown> = {}): ExternalServiceError {
  return new ExternalServiceError(TRYTON_SERVICE, 'erp.validation', message, { retryable: false, httpStatus: 422, details });
}

export interface PartyFound { id: number; name: string; address: number; payable: number | null }

interface Named { id: number; name?: string; code?: string | null }

export class TrytonLookups {
  private readonly kept = new Map<string, Promise<number>>();

  constructor(private readonly rpc: TrytonRpcClient, private readonly settings: TrytonSettings) {}

  forget(): void { this.kept.clear(); }

  /** The invoice journal: settings.expense.journal, else the one journal of type "expense". */
  journal(): Promise<number> {
    const ref = this.settings.expense.journal;
    if (ref !== undefined) return this.keep('journal', () => this.one('account.journal', ref, [], 'journal', 'settings.expense.journal'));
    return this.keep('journal', async () => {
      const ids = await this.rpc.search('account.journal', [['type', '=', 'expense']], { limit: 2 });
      if (ids.length !== 1) {
        throw validation(`Tryton has ${ids.length === 0 ? 'no' : 'more than one'} journal of type "expense": name the one to use in settings.expense.journal`);
      }
      return ids[0] as number;
    });
  }

  /** The expense account of the invoice line: the payload's `account`, else settings.expense.account. */
  expenseAccount(fromPayload: string | undefined): Promise<number> {
    const [ref, where] = fromPayload ? [fromPayload, 'the request\'s account'] : [this.settings.expense.account, 'settings.expense.account'];
    return this.keep(`account:${String(ref)}`, async () => this.one('account.account', ref, [['company', '=', await this.company()]], 'account', where));
  }

  /** The payable account: settings.expense.payable_account, else the party's own, else Tryton's default payable. */
  async payableAccount(party: PartyFound): Promise<number> {
    const ref = this.settings.expense.payable_account;
    if (ref !== undefined) {
      return this.keep('payable', async () => this.one('account.account', ref, [['company', '=', await this.company()]], 'account', 'settings.expense.payable_account'));
    }
    if (party.payable !== null) return party.payable;
    return this.keep('payable-default', async () => {
      const [config] = await this.rpc.read<{ default_account_payable: number | null }>('account.configuration', [1], ['default_account_payable']);
      if (!config?.default_account_payable) {
        throw validation(`Tryton has no default payable account and party "${party.name}" has none: set one in Tryton's accounting configuration or settings.expense.payable_account`);
      }
      return config.default_account_payable;
    });
  }

  /** settings.purchase.warehouse, or undefined for Tryton's default warehouse. */
  warehouse(): Promise<number> | undefined {
    const ref = this.settings.purchase.warehouse;
    if (ref === undefined) return undefined;
    return this.keep('warehouse', () => this.one('stock.location', ref, [['type', '=', 'warehouse']], 'warehouse', 'settings.purchase.warehouse'));
  }

  /** A currency by its ISO code (the request's `currency`). */
  currency(code: string): Promise<number> {
    return this.keep(`currency:${code}`, async () => {
      const ids = await this.rpc.search('currency.currency', [['code', '=', code.toUpperCase()]], { limit: 1 });
      if (!ids[0]) throw validation(`Tryton has no currency ${code} (the request's currency)`);
      return ids[0];
    });
  }

  /** The party a document is made out to: by exact name or code; it needs an address (invoice and purchase need one). */
  async party(name: string, role: string): Promise<PartyFound> {
    const rows = await this.rpc.searchRead<{ id: number; name: string; addresses: number[]; account_payable: number | null }>(
      'party.party', ['OR', ['name', '=', name], ['code', '=', name]], ['id', 'name', 'addresses', 'account_payable'], { limit: 2, order: [['id', 'ASC']] });
    const [party] = rows;
    if (!party) throw validation(`Tryton has no party named "${name}" (the ${role}); create it in Tryton or correct the name`, { party: name });
    if (rows.length > 1) throw validation(`several Tryton parties are named "${name}" (the ${role}); give the party a unique name or use its code`, { party: name });
    if (party.addresses.length === 0) throw validation(`Tryton party "${party.name}" (the ${role}) has no address; add one in Tryton`, { party: name });
    const addresses = await this.rpc.read<{ id: number; invoice?: boolean | number }>('party.address', party.addresses, ['id', 'invoice']);
    const address = addresses.find((a) => a.invoice) ?? addresses.find((a) => a.id === party.addresses[0]) ?? addresses[0];
    return { id: party.id, name: party.name, address: address?.id ?? (party.addresses[0] as number), payable: party.account_payable };
  }

  private async company(): Promise<number> {
    return (this.rpc.context ?? await this.rpc.login()).company;
  }

  private keep(key: string, find: () => Promise<number>): Promise<number> {
    let found = this.kept.get(key);
    if (!found) {
      found = find();
      this.kept.set(key, found);
      found.catch(() => { if (this.kept.get(key) === found) this.kept.delete(key); });
    }
    return found;
  }

  /** Exactly one record by id, or by code or name. */
  private async one(model: string, ref: RecordRef, domain: unknown[], what: string, where: string): Promise<number> {
    const match = typeof ref === 'number' ? [['id', '=', ref]] : [['OR', ['code', '=', ref], ['name', '=', ref]]];
    const rows = await this.rpc.searchRead<Named>(model, [...domain, ...match], ['id', 'name', 'code'], { limit: 3, order: [['id', 'ASC']] });
    if (rows.length === 1) return (rows[0] as Named).id;
    if (rows.length === 0) throw validation(`Tryton has no ${what} "${String(ref)}" (${where})`, { [what]: ref });
    const ones = rows.map((r) => `${r.id}${r.code ? ` (${r.code})` : ''}`).join(', ');
    throw validation(`several Tryton ${what}s match "${String(ref)}" (${where}): ${ones}; use the code or the id`, { [what]: ref });
  }
}
