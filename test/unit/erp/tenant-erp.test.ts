import { describe, expect, it } from 'vitest';
import { tenantErp } from '../../../src/erp/erp-service.ts';
import { ExternalServiceError } from '../../../src/core/errors.ts';

const named = (name: string, tenant: string): string => (name === 'sandbox' ? (tenant === 'default' ? 'sandbox' : `sandbox-${tenant}`) : name);
/** The ledgers an app has: one sandbox per tenant with an enabled bot (and the directory's tenant), plus real connectors. */
const exists = (c: string): boolean => ['sandbox', 'sandbox-acme', 'kingdee-main'].includes(c);

describe('the ledger of a request whose bot is no longer configured', () => {
  it("is its own tenant's, never another tenant's", () => {
    const bots = [{ tenant: 'default', erp: 'sandbox' }, { tenant: 'acme', erp: 'sandbox' }];
    expect(tenantErp(bots, 'acme', named, exists)).toBe('sandbox-acme');
    expect(tenantErp(bots, 'default', named, exists)).toBe('sandbox');
  });
  it("is refused (not retried), naming the reason, when the tenant has no enabled bot and so no ledger", () => {
    expect(() => tenantErp([{ tenant: 'default', erp: 'sandbox' }], 'globex', named, exists)).toThrow(/tenant "globex" has no enabled bot/);
  });
  it('is refused (not retried) when the tenant uses several ledgers', () => {
    const bots = [{ tenant: 'acme', erp: 'sandbox' }, { tenant: 'acme', erp: 'kingdee-main' }];
    expect(() => tenantErp(bots, 'acme', named, exists)).toThrow(ExternalServiceError);
    expect(() => tenantErp(bots, 'acme', named, exists)).toThrow(/several ERPs \(sandbox-acme, kingdee-main\)/);
  });
});
