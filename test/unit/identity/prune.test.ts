import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.ts';
import { needsBootstrap } from '../../../src/identity/bootstrap.ts';
import { pruneIdentity } from '../../../src/identity/prune.ts';
import { createSession } from '../../../src/identity/sessions.ts';
import { beginSignIn } from '../../../src/identity/sign-in-state.ts';
import { createTestDb, type TestDb } from '../../support/test-db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb(2);
  await t.handle.db.insertInto('users').values([
    { tenant_id: 'prune', id: 'boss', name: '老板', roles: ['admin'] },
    { tenant_id: 'prune', id: 'clerk', name: '职员', roles: ['employee'] },
  ] as never).execute();
});
afterAll(async () => { await t.drop(); });

describe('pruning what sign-in leaves behind', () => {
  it('deletes ended sessions after 30 days and spent OAuth states, keeps live ones and admins\' (the bootstrap rule reads them)', async () => {
    const clock = fixedClock(new Date('2026-04-01T00:00:00Z'));
    const db = t.handle.db;
    await createSession(db, { tenantId: 'prune', userId: 'clerk', via: 'demo' }, clock, { ttlMs: 60_000 });
    await createSession(db, { tenantId: 'prune', userId: 'boss', via: 'demo' }, clock, { ttlMs: 60_000 });
    await beginSignIn(db, clock, 'feishu-main', '/console');
    clock.advance(40 * 24 * 60 * 60 * 1000);
    await createSession(db, { tenantId: 'prune', userId: 'clerk', via: 'demo' }, clock, { ttlMs: 60_000 }); // live
    expect(await needsBootstrap(db, 'prune')).toBe(false);

    expect(await pruneIdentity(db, clock.now())).toEqual({ sessions: 1, states: 1 });
    const left = await db.selectFrom('auth_sessions').select(['user_id', 'created_at']).where('tenant_id', '=', 'prune').orderBy('created_at').execute();
    expect(left.map((r) => r.user_id)).toEqual(['boss', 'clerk']);
    expect(await needsBootstrap(db, 'prune')).toBe(false);
    expect(await pruneIdentity(db, clock.now())).toEqual({ sessions: 0, states: 0 });
  });
});
