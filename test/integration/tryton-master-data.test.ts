import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalServiceError } from '../../src/core/errors.ts';
import type { MasterKind } from '../../src/core/master-kinds.ts';
import type { TrytonConnector } from '../../src/erp/connectors/tryton/connector.ts';
import type { TrytonRpcClient } from '../../src/erp/connectors/tryton/rpc-client.ts';
import { trytonDate } from '../../src/erp/connectors/tryton/rpc-codec.ts';
import type { MasterDataSource, MasterRecord } from '../../src/erp/master-data-port.ts';
import { adminClient, EMPLOYEE, makeConnector, SUPPLIER } from '../support/tryton/connector-harness.ts';
import { startTryton, type TrytonServer } from '../support/tryton/start-tryton.ts';

/**
 * Tryton's master data through the connector's MasterDataSource against a real trytond 6.0: every kind Tryton has,
 * read in full and then incrementally from a cursor (new and renamed records, archived ones as inactive), pages that
 * go forward without gaps, the supplier category setting, and Tryton stopped. Skipped where Tryton is not installed.
 */
const tryton = await startTryton();

async function failure(p: Promise<unknown>): Promise<ExternalServiceError> {
  const e: unknown = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof ExternalServiceError)) throw new Error(`expected an ExternalServiceError, got ${String(e)}`);
  return e;
}

async function drain(src: MasterDataSource, kind: MasterKind, cursor: string | null, limit = 200): Promise<{ records: MasterRecord[]; cursor: string; pages: number }> {
  const records: MasterRecord[] = [];
  let cur = cursor;
  for (let pages = 1; ; pages++) {
    const page = await src.listMaster(kind, cur, { limit });
    records.push(...page.records);
    cur = page.nextCursor;
    if (!page.hasMore || pages > 100) return { records, cursor: cur, pages };
  }
}

const named = (records: MasterRecord[], name: string) => records.find((r) => r.name === name);

describe.skipIf(!tryton)('Tryton master data (real trytond)', () => {
  const t = tryton as TrytonServer;
  let c: TrytonConnector;
  let admin: TrytonRpcClient;

  beforeAll(() => {
    admin = adminClient(t);
    c = makeConnector(t);
  });
  afterAll(async () => {
    await c?.close();
    await admin?.logout().catch(() => undefined);
    await t.stop();
  });

  it('shares the kinds Tryton has, and refuses one it has not', async () => {
    expect(c.masterData.kinds()).toEqual(['supplier', 'customer', 'employee', 'material', 'warehouse', 'account']);
    expect(await failure(c.masterData.listMaster('project', null))).toMatchObject({ code: 'erp.validation' });
  });

  it('suppliers: a new party and a renamed one come from the previous cursor, an archived one as inactive; customers are the same parties', async () => {
    const full = await drain(c.masterData, 'supplier', null);
    const before = named(full.records, SUPPLIER);
    expect(before).toMatchObject({ kind: 'supplier', erpId: String(t.ids.party_supplier), active: true, code: expect.stringMatching(/\S/) });
    expect(named(full.records, EMPLOYEE)).toBeDefined();

    const [created] = await admin.create('party.party', [{ name: 'Ningbo Paper Co.', contact_mechanisms: [['create', [{ type: 'email', value: 'sales@nbpaper.example' }, { type: 'phone', value: '+86 574 1234 5678' }]]] }]);
    await admin.write('party.party', [t.ids.party_supplier], { name: 'Hangzhou Office Supplies Group' });
    const [archived] = await admin.create('party.party', [{ name: 'Old Courier Ltd.' }]);
    await admin.write('party.party', [archived as number], { active: false });

    const next = await drain(c.masterData, 'supplier', full.cursor);
    expect(next.records.find((r) => r.erpId === String(created))).toMatchObject({
      name: 'Ningbo Paper Co.', active: true, attrs: { email: 'sales@nbpaper.example', phone: '+86 574 1234 5678' },
    });
    const renamed = next.records.find((r) => r.erpId === String(t.ids.party_supplier));
    expect(renamed).toMatchObject({ name: 'Hangzhou Office Supplies Group', active: true });
    expect(renamed?.versionStamp).not.toBe(before?.versionStamp);
    expect(next.records.find((r) => r.erpId === String(archived))).toMatchObject({ name: 'Old Courier Ltd.', active: false });
    // Anything else in the page is the overlap window re-read: same stamps as in the full read.
    const stamps = new Map(full.records.map((r) => [r.erpId, r.versionStamp]));
    for (const r of next.records.filter((x) => ![created, archived, t.ids.party_supplier].map(String).includes(x.erpId))) expect(r.versionStamp).toBe(stamps.get(r.erpId));

    const customers = await drain(c.masterData, 'customer', null);
    expect(customers.records.map((r) => r.erpId).sort()).toEqual((await drain(c.masterData, 'supplier', null)).records.map((r) => r.erpId).sort());
    expect(customers.records.every((r) => r.kind === 'customer')).toBe(true);
  });

  it('a contact mechanism changed on its own changes the party and the employee', async () => {
    const parties = await drain(c.masterData, 'supplier', null);
    const employees = await drain(c.masterData, 'employee', null);
    await admin.create('party.contact_mechanism', [{ party: t.ids.party_employee, type: 'email', value: 'wang.fang@example.com' }]);
    expect((await drain(c.masterData, 'supplier', parties.cursor)).records.find((r) => r.erpId === String(t.ids.party_employee))?.attrs).toMatchObject({ email: 'wang.fang@example.com' });
    expect((await drain(c.masterData, 'employee', employees.cursor)).records.find((r) => r.erpId === String(t.ids.employee))).toMatchObject({ name: EMPLOYEE, attrs: { email: 'wang.fang@example.com' } });
  });

  it('employees have their party\'s name, e-mail and mobile; one whose end date has passed is inactive', async () => {
    const [party] = await admin.create('party.party', [{ name: 'Zhao Min', contact_mechanisms: [['create', [{ type: 'email', value: 'zhaomin@example.com' }, { type: 'mobile', value: '13800000000' }]]] }]);
    const [current] = await admin.create('company.employee', [{ party, company: t.ids.company, start_date: trytonDate(`${t.fiscalYear}-01-01`) }]);
    const [leftParty] = await admin.create('party.party', [{ name: 'Qian Lei' }]);
    const [left] = await admin.create('company.employee', [{ party: leftParty, company: t.ids.company, end_date: trytonDate(`${t.fiscalYear}-03-31`) }]);
    const { records } = await drain(c.masterData, 'employee', null);
    expect(records.every((r) => r.kind === 'employee' && r.name.trim() !== '')).toBe(true);
    expect(records.find((r) => r.erpId === String(t.ids.employee))).toMatchObject({ name: EMPLOYEE, active: true });
    expect(records.find((r) => r.erpId === String(current))).toMatchObject({ name: 'Zhao Min', active: true, attrs: { email: 'zhaomin@example.com', mobile: '13800000000' } });
    expect(records.find((r) => r.erpId === String(left))).toMatchObject({ name: 'Qian Lei', active: false });
  });

  it('materials with their unit, the warehouse, the company\'s accounts (closed ones inactive)', async () => {
    const materials = await drain(c.masterData, 'material', null);
    const product = materials.records.find((r) => r.erpId === String(t.ids.product_expense));
    expect(product).toMatchObject({ kind: 'material', name: 'Expense reimbursement', active: true, attrs: { unit: 'u', type: 'service' } });
    const [row] = await admin.read<{ template: number }>('product.product', [t.ids.product_expense], ['template']);
    await admin.write('product.template', [row?.template as number], { name: 'Reimbursable expense' });
    const renamed = (await drain(c.masterData, 'material', materials.cursor)).records.find((r) => r.erpId === String(t.ids.product_expense));
    expect(renamed?.name).toBe('Reimbursable expense');
    expect(renamed?.versionStamp).not.toBe(product?.versionStamp);

    const warehouses = (await drain(c.masterData, 'warehouse', null)).records;
    expect(warehouses).toEqual([expect.objectContaining({ kind: 'warehouse', code: 'WH', name: 'Warehouse', active: true })]);

    const accounts = (await drain(c.masterData, 'account', null)).records;
    expect(accounts.find((r) => r.erpId === String(t.ids.account_expense))).toMatchObject({ name: 'Main Expense', active: true, attrs: { type: 'Expense' } });
    expect(accounts.find((r) => r.erpId === String(t.ids.account_payable))).toMatchObject({ name: 'Main Payable' });
    // The chart's root is closed (it takes no moves): shared as inactive, so no form offers it.
    expect(named(accounts, 'Minimal Account Chart')).toMatchObject({ active: false });
    expect(accounts.filter((r) => r.active).map((r) => r.name).sort()).toEqual(['Main Cash', 'Main Expense', 'Main Payable', 'Main Receivable', 'Main Revenue', 'Main Tax']);
  });

  it('pages forward by id: small pages see what one big page sees, once each', async () => {
    const big = await drain(c.masterData, 'supplier', null, 1000);
    expect(big.records.length).toBeGreaterThanOrEqual(5);
    const small = await drain(c.masterData, 'supplier', null, 2);
    expect(small.pages).toBe(Math.floor(big.records.length / 2) + 1);
    expect(small.records.map((r) => `${r.erpId}|${r.versionStamp}`)).toEqual(big.records.map((r) => `${r.erpId}|${r.versionStamp}`));
  });

  it('a supplier category narrows the first read to its parties; later, a changed party outside it is inactive; an unknown category is refused', async () => {
    const missing = makeConnector(t, { settings: { master_data: { supplier_category: 'Approved suppliers' } } });
    expect(await failure(missing.masterData.listMaster('supplier', null))).toMatchObject({ code: 'erp.validation', message: expect.stringContaining('Approved suppliers') });
    const [category] = await admin.create('party.category', [{ name: 'Approved suppliers' }]);
    await admin.write('party.party', [t.ids.party_supplier], { categories: [['add', [category]]] });
    const full = await drain(missing.masterData, 'supplier', null);
    expect(full.records.map((r) => r.erpId)).toEqual([String(t.ids.party_supplier)]);
    await admin.write('party.party', [t.ids.party_employee], { name: `${EMPLOYEE} ` });
    await admin.write('party.party', [t.ids.party_supplier], { categories: [['remove', [category]]] });
    const next = await drain(missing.masterData, 'supplier', full.cursor);
    expect(next.records.find((r) => r.erpId === String(t.ids.party_employee))?.active).toBe(false);
    expect(next.records.find((r) => r.erpId === String(t.ids.party_supplier))?.active).toBe(false);
    // Customers have no category set here: every party.
    expect((await drain(missing.masterData, 'customer', null)).records.length).toBeGreaterThan(1);
    await missing.close();
  });

  it('Tryton stopped: erp.unavailable (retryable); served again once it is back', async () => {
    await t.halt();
    try {
      expect(await failure(c.masterData.listMaster('employee', null))).toMatchObject({ code: 'erp.unavailable', retryable: true });
      expect(await failure(c.approvals.listOriginated(null))).toMatchObject({ code: 'erp.unavailable', retryable: true });
    } finally {
      await t.restart();
    }
    expect((await c.masterData.listMaster('employee', null)).records.length).toBeGreaterThan(0);
  });
});
