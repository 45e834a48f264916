import { describe, expect, it } from 'vitest';
import { tenantErp } from '../../../src/app.ts';
import { ExternalServiceError } from '../../../src/core/errors.ts';

const named = (name: string, tenant: string): string => (name === 'sandbox' ? (tenant === 'default' ? 'sandbox' : `sandbox-${tenant}`) : name);

describe('the ledger of a request whose bot is no longer configured', () => {
  it("is its own tenant's, never another tenant's", () => {
    const bots = [{ tenant: 'default', erp: 'sandbox' }, { tenant: 'acme', erp: 'sandbox' }];
    expect(tenantErp(bots, 'acme', named)).toBe('sandbox-acme');
    expect(tenantErp(bots, 'default', named)).toBe('sandbox');
  });
  it("is the tenant's sandbox when the tenant has no bot left", () => {
    expect(tenantErp([{ tenant: 'default', erp: 'sandbox' }], 'acme', named)).toBe('sandbox-acme');
  });
  it('is refused (not retried) when the tenant uses several ledgers', () => {
    const bots = [{ tenant: 'acme', erp: 'sandbox' }, { tenant: 'acme', erp: 'kingdee-main' }];
    expect(() => tenantErp(bots, 'acme', named)).toThrow(ExternalServiceError);
    expect(() => tenantErp(bots, 'acme', named)).toThrow(/several ERPs \(sandbox-acme, kingdee-main\)/);
  });
});
