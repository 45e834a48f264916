import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.ts';
import { tokenCommand } from '../../../src/identity/token-command.ts';
import { verifyServiceToken } from '../../../src/identity/service-tokens.ts';
import { createTestDb, type TestDb } from '../../support/test-db.ts';

let t: TestDb;
beforeAll(async () => { t = await createTestDb(2); });
afterAll(async () => { await t.drop(); });

describe('npm run token', () => {
  it('creates (printed once, stored hashed), lists without the token, rotates and revokes', async () => {
    const clock = fixedClock(new Date('2026-12-01T00:00:00Z'));
    const db = t.handle.db;
    const a = await tokenCommand(db, clock, ['create', '--name', 'ci', '--scopes', 'admin:read,admin:write', '--days', '30']);
    expect(a.code).toBe(0);
    const tokenA = a.out[0]!;
    expect(tokenA).toMatch(/^aat_[A-Za-z0-9_-]{43}$/);
    expect(a.err[0]).toMatch(/expires 2026-12-31T00:00:00.000Z/);
    const b = await tokenCommand(db, clock, ['create', '--name', 'ci', '--scopes', 'admin:read']);
    const tokenB = b.out[0]!;
    const list = await tokenCommand(db, clock, ['list']);
    expect(list.out).toHaveLength(3);
    expect(list.out.join('\n')).not.toContain(tokenA.slice(4));
    const idA = list.out[1]!.split('\t')[0]!;
    expect((await tokenCommand(db, clock, ['revoke', '--id', idA])).code).toBe(0);
    expect((await tokenCommand(db, clock, ['revoke', '--id', idA])).code).toBe(1);
    expect(await verifyServiceToken(db, tokenA, clock)).toBeNull();
    expect((await verifyServiceToken(db, tokenB, clock))?.scopes).toEqual(['admin:read']);
    clock.advance(31 * 86_400_000);
    expect((await tokenCommand(db, clock, ['list'])).out[1]).toContain('revoked');
  });

  it('refuses unknown scopes, commands and missing arguments with exit 2 and the usage', async () => {
    const clock = fixedClock(new Date('2026-12-01T00:00:00Z'));
    for (const argv of [['create', '--name', 'x', '--scopes', 'root'], ['create', '--name', 'x'], ['frobnicate'], [], ['revoke'], ['create', '--name', 'x', '--scopes', 'admin:read', '--days', '0']]) {
      const r = await tokenCommand(t.handle.db, clock, argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err.join('\n')).toContain('usage: npm run token');
    }
  });
});
