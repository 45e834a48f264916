import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalServiceError } from '../../src/core/errors.ts';
import { TrytonRpcClient, type TrytonRpcOptions } from '../../src/erp/connectors/tryton/rpc-client.ts';
import { trytonDate, trytonDecimal } from '../../src/erp/connectors/tryton/rpc-codec.ts';
import { startTcpProxy } from '../support/tcp-blackhole.ts';
import { startTryton, type TrytonServer } from '../support/tryton/start-tryton.ts';

/**
 * The Tryton JSON-RPC client against a real trytond 6.0 (Debian packages, its own SQLite copy of the set-up
 * database). Skipped with a message where Tryton is not installed; with CI set, startTryton() fails instead.
 */
const tryton = await startTryton();

async function failure(p: Promise<unknown>): Promise<ExternalServiceError> {
  const e: unknown = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof ExternalServiceError)) throw new Error(`expected an ExternalServiceError, got ${String(e)}`);
  return e;
}

/** Counts the JSON-RPC methods a client sends (the server is still the real one). */
function countingFetch(): { fetch: typeof fetch; methods: string[] } {
  const methods: string[] = [];
  const counted: typeof fetch = (input, init) => {
    methods.push((JSON.parse(String(init?.body)) as { method: string }).method);
    return fetch(input, init);
  };
  return { fetch: counted, methods };
}

interface InvoiceRow { id: number; state: string; number: string | null; reference: string; total_amount: string; description: string }

describe.skipIf(!tryton)('Tryton 6.0 JSON-RPC client (real trytond)', () => {
  const t = tryton as TrytonServer;
  const options = (o: Partial<TrytonRpcOptions> = {}): TrytonRpcOptions =>
    ({ url: t.url, database: t.database, login: t.bot.login, password: t.bot.password, ...o });
  let bot: TrytonRpcClient;
  beforeAll(() => { bot = new TrytonRpcClient(options()); });
  afterAll(() => t.stop());

  it('logs the bot in: a session, and the company in the context of every call', async () => {
    const ctx = await bot.login();
    expect(bot.currentSession).toMatchObject({ userId: t.ids.user_bot });
    expect(ctx.company).toBe(t.ids.company);
    const [company] = await bot.read<{ currency: number }>('company.company', [t.ids.company], ['currency']);
    expect(company?.currency).toBe(t.ids.currency);
  });

  it('creates a supplier invoice to the employee, validates and posts it, and finds it by its reference', async () => {
    const reference = 'approval:tenant-a:req-0042';
    const [id] = await bot.create('account.invoice', [{
      type: 'in', party: t.ids.party_employee, invoice_address: t.ids.party_employee_address,
      account: t.ids.account_payable, journal: t.ids.journal_expense,
      invoice_date: trytonDate(`${t.fiscalYear}-11-23`), reference, description: 'Expense claim 42: taxi and hotel',
      lines: [['create', [{
        account: t.ids.account_expense, description: 'Taxi to the airport and one hotel night',
        quantity: 1, unit_price: trytonDecimal('428.60'),
      }]]],
    }]);
    expect(id).toBeTypeOf('number');
    const read = async () => (await bot.read<InvoiceRow>('account.invoice', [id!], ['state', 'number', 'reference', 'total_amount', 'description']))[0]!;

    expect(await read()).toMatchObject({ state: 'draft', number: null, reference, total_amount: '428.60' });

    await bot.button('account.invoice', 'validate_invoice', [id!]);
    expect((await read()).state).toBe('validated');

    await bot.button('account.invoice', 'post', [id!]);
    const posted = await read();
    expect(posted).toMatchObject({ state: 'posted', total_amount: '428.60' });
    expect(posted.number).toMatch(/\S/);

    // A button the state does not allow is not an error in Tryton: nothing happens. Only a re-read tells.
    await bot.button('account.invoice', 'validate_invoice', [id!]);
    expect((await read()).state).toBe('posted');

    expect(await bot.search('account.invoice', [['reference', '=', reference]])).toEqual([id]);
    const [found] = await bot.searchRead<InvoiceRow>('account.invoice', [['type', '=', 'in'], ['reference', '=', reference]], ['state', 'total_amount', 'description']);
    expect(found).toMatchObject({ id, state: 'posted', total_amount: '428.60', description: 'Expense claim 42: taxi and hotel' });
    expect(await bot.search('account.invoice', [['reference', '=', 'approval:tenant-a:no-such-request']])).toEqual([]);
  });

  it("maps Tryton's UserError to erp.validation with Tryton's own message", async () => {
    const e = await failure(bot.create('account.invoice', [{
      type: 'in', party: t.ids.party_employee, invoice_address: t.ids.party_employee_address, journal: t.ids.journal_expense,
    }]));
    expect(e.code).toBe('erp.validation');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/A value is required for field "Account" in "Invoice"/);
    expect(e.details).toMatchObject({ method: 'model.account.invoice.create', kind: 'UserError' });
  });

  it('has least privilege: the bot reads parties but may not change them', async () => {
    const [party] = await bot.read<{ name: string }>('party.party', [t.ids.party_supplier], ['name']);
    expect(party?.name).toBe('Hangzhou Office Supplies Co.');
    const e = await failure(bot.write('party.party', [t.ids.party_supplier], { name: 'Renamed by the bot' }));
    expect(e.code).toBe('erp.validation');
    expect(e.message).toMatch(/not allowed/i);
    const [after] = await bot.read<{ name: string }>('party.party', [t.ids.party_supplier], ['name']);
    expect(after?.name).toBe('Hangzhou Office Supplies Co.');
  });

  it('logs in again once when Tryton has expired the session, and repeats the call', async () => {
    const { fetch: counted, methods } = countingFetch();
    const client = new TrytonRpcClient(options({ fetch: counted }));
    await client.login();
    const first = client.currentSession!;
    await t.expireSessions(t.bot.login);
    methods.length = 0;

    const ids = await client.search('account.invoice', [['type', '=', 'in']]);
    expect(ids.length).toBeGreaterThan(0);
    expect(methods).toEqual(['model.account.invoice.search', 'common.db.login', 'model.res.user.get_preferences', 'model.account.invoice.search']);
    expect(client.currentSession?.key).not.toBe(first.key);
  });

  it('gives up with erp.auth when the fresh session is refused too (one re-login, not a loop)', async () => {
    const methods: string[] = [];
    // Every session expires just before each model call: the client must stop after its one re-login.
    const expiring: typeof fetch = async (input, init) => {
      const method = (JSON.parse(String(init?.body)) as { method: string }).method;
      methods.push(method);
      if (method.startsWith('model.account')) await t.expireSessions(t.bot.login);
      return fetch(input, init);
    };
    const client = new TrytonRpcClient(options({ fetch: expiring }));
    const e = await failure(client.search('account.invoice', []));
    expect(e.code).toBe('erp.auth');
    expect(methods.filter((m) => m === 'common.db.login')).toHaveLength(2);
  });

  it('a wrong password is erp.auth', async () => {
    const client = new TrytonRpcClient(options({ password: 'not-the-password' }));
    const e = await failure(client.search('account.invoice', []));
    expect(e.code).toBe('erp.auth');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain(t.bot.login);
    expect(client.currentSession).toBeNull();
  });

  it('a server that does not answer in time is erp.unavailable (timeout)', async () => {
    const port = Number(new URL(t.url).port);
    const proxy = await startTcpProxy({ host: '127.0.0.1', port });
    try {
      // Black-holed from the first byte: a login (which Tryton may slow down by up to a second after a failed
      // login of the same user, see res.user.get_login) cannot tell a late answer from a lost one.
      proxy.blackhole(true);
      const client = new TrytonRpcClient(options({ url: `http://127.0.0.1:${proxy.port}`, timeoutMs: 300 }));
      const e = await failure(client.search('account.invoice', []));
      expect(e.code).toBe('erp.unavailable');
      expect(e.retryable).toBe(true);
      expect(e.details).toMatchObject({ reason: 'timeout', method: 'common.db.login' });
    } finally {
      await proxy.close();
    }
  });

  it('a stopped server is erp.unavailable (connection refused), and stop() ends trytond cleanly', async () => {
    const other = (await startTryton())!;
    const client = new TrytonRpcClient(options({ url: other.url }));
    await client.login();
    await other.stop();
    expect(other.exit()).toMatchObject({ signal: 'SIGTERM' });
    const e = await failure(client.search('account.invoice', []));
    expect(e.code).toBe('erp.unavailable');
    expect(e.retryable).toBe(true);
    expect(e.details).toMatchObject({ reason: 'network' });
    expect(e.message).toContain('ECONNREFUSED');
  });
});
