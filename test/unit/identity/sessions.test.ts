import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.ts';
import { createSession, readSession, revokeSession, sessionTokenFrom } from '../../../src/identity/sessions.ts';
import { createTestDb, type TestDb } from '../../support/test-db.ts';

let t: TestDb;
beforeAll(async () => { t = await createTestDb(2); });
afterAll(async () => { await t.drop(); });

describe('sessions', () => {
  it('sets an HTTP-only SameSite cookie, keeps only the token hash, expires and signs out', async () => {
    const clock = fixedClock(new Date('2026-03-02T08:00:00Z'));
    const s = await createSession(t.handle.db, { tenantId: 'acme', userId: 'zhangsan', via: 'demo' }, clock, { secure: true, ttlMs: 60_000 });
    expect(s.setCookie).toMatch(/^aa_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=60; Secure$/);
    const token = sessionTokenFrom(`other=1; ${s.setCookie.split(';')[0]}`)!;
    expect(token).toHaveLength(43);
    const rows = await t.handle.db.selectFrom('auth_sessions').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    const read = await readSession(t.handle.db, token, clock);
    expect(read).toMatchObject({ tenantId: 'acme', userId: 'zhangsan', via: 'demo', csrf: s.csrf });
    expect(await readSession(t.handle.db, `${token.slice(0, -1)}x`, clock)).toBeNull();
    clock.advance(60_000);
    expect(await readSession(t.handle.db, token, clock)).toBeNull();
    const s2 = await createSession(t.handle.db, { tenantId: 'acme', userId: 'lisi', via: 'demo' }, clock);
    const token2 = sessionTokenFrom(s2.setCookie)!;
    const live = await readSession(t.handle.db, token2, clock);
    expect(live?.userId).toBe('lisi');
    await revokeSession(t.handle.db, live!.tokenHash, clock);
    expect(await readSession(t.handle.db, token2, clock)).toBeNull();
    expect(s2.setCookie).not.toContain('Secure');
  });
});
