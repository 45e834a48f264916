import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { trytonKind, trytonSettingsSchema } from '../../../src/erp/connectors/tryton/index.ts';

/** The `settings:` block of a Tryton instance file (src/erp/connectors/tryton/settings.ts). */
const EXAMPLE = `
settings:
  database: erp
  company: 1
  timezone: Asia/Shanghai
  expense:
    journal: EXP
    account: Main Expense
    payable_account: Main Payable
  purchase:
    warehouse: WH
  master_data:
    supplier_category: Suppliers
`;

describe('Tryton instance settings', () => {
  it('reads the documented example', () => {
    const settings = trytonSettingsSchema.parse((parse(EXAMPLE) as { settings: unknown }).settings);
    expect(settings).toEqual({
      database: 'erp', company: 1, language: 'en', timezone: 'Asia/Shanghai',
      expense: { journal: 'EXP', account: 'Main Expense', payable_account: 'Main Payable' }, purchase: { warehouse: 'WH' },
      master_data: { supplier_category: 'Suppliers' },
    });
  });

  it('needs only the database and the expense account; the rest has defaults', () => {
    expect(trytonSettingsSchema.parse({ database: 'erp', expense: { account: 6602 } })).toEqual({
      database: 'erp', language: 'en', timezone: 'Asia/Shanghai', expense: { account: 6602 }, purchase: {}, master_data: {},
    });
  });

  it.each([
    ['no database', { expense: { account: 'x' } }, 'database'],
    ['no expense account', { database: 'erp', expense: {} }, 'account'],
    ['no expense block', { database: 'erp' }, 'expense'],
    ['a misspelt key', { database: 'erp', expense: { account: 'x' }, jornal: 'EXP' }, 'jornal'],
    ['a misspelt nested key', { database: 'erp', expense: { account: 'x', jornal: 'EXP' } }, 'jornal'],
    ['a company that is not an id', { database: 'erp', company: 'Acme', expense: { account: 'x' } }, 'company'],
    ['an unknown time zone', { database: 'erp', timezone: 'Mars/Olympus', expense: { account: 'x' } }, 'IANA'],
    ['an empty record name', { database: 'erp', expense: { account: '  ' } }, 'account'],
    ['a record id of 0', { database: 'erp', expense: { account: 'x', journal: 0 } }, 'journal'],
    ['an empty supplier category', { database: 'erp', expense: { account: 'x' }, master_data: { supplier_category: ' ' } }, 'supplier_category'],
    ['a misspelt master data key', { database: 'erp', expense: { account: 'x' }, master_data: { vendor_category: 'S' } }, 'vendor_category'],
  ])('refuses %s', (_what, settings, mentioned) => {
    const r = trytonSettingsSchema.safeParse(settings);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(mentioned);
  });

  it('is the tryton kind, reading login and password from the credentials', () => {
    expect(trytonKind.kind).toBe('tryton');
    expect(trytonKind.credentials).toEqual(['login', 'password']);
    expect(trytonKind.settings).toBe(trytonSettingsSchema);
  });
});
