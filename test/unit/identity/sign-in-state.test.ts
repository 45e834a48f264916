import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.ts';
import { findSignInUser } from '../../../src/identity/sign-in-person.ts';
import { beginSignIn, consumeSignIn, safeReturnTo } from '../../../src/identity/sign-in-state.ts';
import { createTestDb, type TestDb } from '../../support/test-db.ts';

let t: TestDb;
beforeAll(async () => { t = await createTestDb(4); });
afterAll(async () => { await t.drop(); });

describe('return_to after signing in', () => {
  it.each([
    ['/console', '/console'],
    ['/console?tab=mine#r1', '/console?tab=mine#r1'],
    ['/console/../admin', '/admin'],
    [undefined, '/console'],
    ['', '/console'],
    ['console', '/console'],
    ['https://evil.example/x', '/console'],
    ['//evil.example/x', '/console'],
    ['/\\evil.example', '/console'],
    ['/%5Cevil', '/%5Cevil'],
    ['/\tevil', '/console'],
    ['javascript:alert(1)', '/console'],
    [`/${'a'.repeat(600)}`, '/console'],
  ])('%s → %s', (raw, expected) => {
    expect(safeReturnTo(raw)).toBe(expected);
  });
});

describe('the OAuth state', () => {
  it('is kept hashed, taken once (also by two callbacks at once), only with its own cookie, within 10 minutes', async () => {
    const db = t.handle.db;
    const clock = fixedClock(new Date('2026-12-06T00:00:00Z'));
    const state = (await beginSignIn(db, clock, 'bot-a', '/console'))!;
    expect(JSON.stringify(await db.selectFrom('sign_in_states').selectAll().execute())).not.toContain(state);
    expect(await consumeSignIn(db, clock, 'bot-a', state, undefined)).toEqual({ ok: false, reason: 'not_this_browser' });
    expect(await consumeSignIn(db, clock, 'bot-a', state, 'x'.repeat(43))).toEqual({ ok: false, reason: 'not_this_browser' });
    const both = await Promise.all([consumeSignIn(db, clock, 'bot-a', state, state), consumeSignIn(db, clock, 'bot-a', state, state)]);
    expect(both.filter((r) => r.ok)).toEqual([{ ok: true, returnTo: '/console' }]);
    expect(both.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'unknown_or_used' }]);

    const late = (await beginSignIn(db, clock, 'bot-a', '/x'))!;
    clock.advance(10 * 60_000);
    expect(await consumeSignIn(db, clock, 'bot-a', late, late)).toEqual({ ok: false, reason: 'expired' });
    const other = (await beginSignIn(db, clock, 'bot-a', '/x'))!;
    expect(await consumeSignIn(db, clock, 'bot-b', other, other)).toEqual({ ok: false, reason: 'other_bot' });
    // Starts never finished are cleared by later starts.
    await beginSignIn(db, clock, 'bot-a', '/x');
    clock.advance(10 * 60_000);
    await beginSignIn(db, clock, 'bot-a', '/x');
    expect((await db.selectFrom('sign_in_states').select('state_hash').execute()).length).toBe(1);
    // A flood of starts is bounded: past the limit a start is refused until older ones expire.
    expect(await beginSignIn(db, clock, 'bot-a', '/x', 3)).not.toBeNull();
    expect(await beginSignIn(db, clock, 'bot-a', '/x', 3)).not.toBeNull();
    expect(await beginSignIn(db, clock, 'bot-a', '/x', 3)).toBeNull();
    clock.advance(10 * 60_000);
    expect(await beginSignIn(db, clock, 'bot-a', '/x', 3)).not.toBeNull();
  });
});

describe('who a sign-in is', () => {
  it('this bot\'s identities first; org-wide ids on other bots of the tenant; never another tenant; inactive named', async () => {
    const db = t.handle.db;
    await db.insertInto('users').values([
      { tenant_id: 'acme', id: 'zhang', name: '张', roles: [] },
      { tenant_id: 'acme', id: 'li', name: '李', roles: [], active: false },
      { tenant_id: 'other', id: 'wang', name: '王', roles: [] },
    ]).execute();
    await db.insertInto('user_identities').values([
      { tenant_id: 'acme', user_id: 'zhang', platform: 'feishu', bot_id: 'fs-a', external_id: 'ou_zhang_a' },
      { tenant_id: 'acme', user_id: 'zhang', platform: 'feishu', bot_id: 'fs-a', external_id: 'on_zhang' },
      { tenant_id: 'acme', user_id: 'li', platform: 'feishu', bot_id: 'fs-a', external_id: 'ou_li_a' },
      { tenant_id: 'other', user_id: 'wang', platform: 'feishu', bot_id: 'fs-x', external_id: 'ou_wang_x' },
      { tenant_id: 'other', user_id: 'wang', platform: 'feishu', bot_id: 'fs-x', external_id: 'on_wang' },
    ]).execute();
    expect(await findSignInUser(db, 'acme', 'fs-a', { platform: 'feishu', externalIds: ['ou_zhang_a'] })).toEqual({ kind: 'user', userId: 'zhang', name: '张' });
    // Signing in with another Feishu app of the tenant: its open_id differs, the union_id is the same.
    expect(await findSignInUser(db, 'acme', 'fs-b', { platform: 'feishu', externalIds: ['ou_zhang_b', 'on_zhang'] })).toMatchObject({ kind: 'user', userId: 'zhang' });
    // An open_id is per app: the same string on another bot is not this person.
    expect(await findSignInUser(db, 'acme', 'fs-b', { platform: 'feishu', externalIds: ['ou_zhang_a'] })).toEqual({ kind: 'unknown' });
    expect(await findSignInUser(db, 'acme', 'fs-a', { platform: 'feishu', externalIds: ['ou_li_a'] })).toEqual({ kind: 'inactive', userId: 'li' });
    expect(await findSignInUser(db, 'acme', 'fs-a', { platform: 'feishu', externalIds: ['ou_wang_x', 'on_wang'] })).toEqual({ kind: 'unknown' });
    expect(await findSignInUser(db, 'acme', 'fs-a', { platform: 'dingtalk', externalIds: ['on_zhang'] })).toEqual({ kind: 'unknown' });
  });
});
