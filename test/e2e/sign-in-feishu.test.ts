import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { t } from '../../src/i18n/catalog.ts';
import { readSession } from '../../src/identity/sessions.ts';
import { startFakeFeishuOAuth, type FeishuOAuthFake } from '../fakes/feishu-oauth.ts';
import { startFakeFeishuServer, type FakeFeishuServer } from '../fakes/feishu-server.ts';
import { FEISHU_BOT, FEISHU_SECRETS, feishuBot, secrets, writePlatformEnv } from '../support/platform-env.ts';
import { SignInBrowser } from '../support/sign-in-browser.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * Signing in with Feishu end to end: the app (PUBLIC_URL http://app.test) sends the browser to the fake's
 * authorization page, the fake sends it back with a code, the app exchanges it and looks the person up in the
 * directory. The fake speaks Feishu's documented protocol and refuses what Feishu refuses (feishu-oauth.ts).
 */
const PUBLIC_URL = 'http://app.test';
const START = `/auth/feishu/${FEISHU_BOT}/start`;
const CALLBACK = `${PUBLIC_URL}/auth/feishu/${FEISHU_BOT}/callback`;
const clock = fixedClock(new Date('2026-12-06T02:00:00Z'));
let tdb: TestDb;
let app: App;
let upstream: FakeFeishuServer;
let fake: FeishuOAuthFake;
let browser: SignInBrowser;

const page = (key: Parameters<typeof t>[1], params?: Record<string, string>) => (t as (l: 'zh', k: string, p?: Record<string, string>) => string)('zh', key, params);
const sessions = () => app.db.db.selectFrom('auth_sessions').selectAll().execute();

beforeAll(async () => {
  tdb = await createTestDb();
  upstream = await startFakeFeishuServer();
  fake = await startFakeFeishuOAuth({ upstream: upstream.url, now: () => clock.now().getTime() });
  fake.app(FEISHU_SECRETS.appId, FEISHU_SECRETS.appSecret, [CALLBACK]);
  fake.person({ open_id: 'ou_zhangsan', union_id: 'on_zhangsan', name: '张三' });
  fake.person({ open_id: 'ou_lisi', union_id: 'on_lisi', name: '李四' });
  fake.person({ open_id: 'ou_stranger', union_id: 'on_stranger', name: '路人' });
  const env = writePlatformEnv([feishuBot(fake.url, { sign_in: true }), { id: 'console', platform: 'console' }], { feishu: ['zhangsan', 'lisi'] });
  app = await startApp({ db: tdb.handle, clock, env: { ...env, PUBLIC_URL, SIGN_IN_TIMEOUT_MS: '2000' }, secrets });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  await upstream?.close();
  await tdb?.drop();
});

beforeEach(async () => {
  browser = new SignInBrowser(app.http, PUBLIC_URL);
  await app.db.db.deleteFrom('auth_sessions').execute();
});

describe('sign-in with Feishu', () => {
  it('start → Feishu → callback signs zhangsan in with an HTTP-only session and returns to the page', async () => {
    const start = await browser.app(`${START}?return_to=${encodeURIComponent('/console?tab=mine')}`);
    expect(start.status).toBe(302);
    const to = new URL(start.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${fake.url}/open-apis/authen/v1/authorize`);
    expect(to.searchParams.get('client_id')).toBe(FEISHU_SECRETS.appId);
    expect(to.searchParams.get('redirect_uri')).toBe(CALLBACK);
    const state = to.searchParams.get('state')!;
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(browser.cookies.get('aa_signin')).toBe(state);
    expect(browser.lastSetCookies[0]).toMatch(/HttpOnly; SameSite=Lax/);

    fake.loginAs('ou_zhangsan');
    const back = await browser.platform(to.toString());
    const done = await browser.app(back.headers.get('location')!);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/console?tab=mine');
    const cookie = browser.lastSetCookies.find((c) => c.startsWith('aa_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(browser.cookies.has('aa_signin')).toBe(false);

    const token = browser.cookies.get('aa_session')!;
    expect((await readSession(app.db.db, token, clock))).toMatchObject({ tenantId: 'default', userId: 'zhangsan', via: 'feishu' });
    const me = (await (await browser.app('/console/api/session')).json()) as { user: { id: string } | null };
    expect(me.user?.id).toBe('zhangsan');
    // The code went back with the same redirect_uri, and the user token to user_info.
    const tokenCall = fake.requests.find((r) => r.path === '/open-apis/authen/v2/oauth/token')!;
    expect(tokenCall.body).toMatchObject({ grant_type: 'authorization_code', client_id: FEISHU_SECRETS.appId, redirect_uri: CALLBACK });
    const audit = await app.db.db.selectFrom('audit_log').select(['actor', 'action']).where('action', '=', 'auth.signed_in').execute();
    expect(audit).toContainEqual({ actor: 'zhangsan', action: 'auth.signed_in' });
  });

  it('a return_to on another site is not followed: the sign-in ends on the console', async () => {
    for (const evil of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
      const res = await browser.signIn(`${START}?return_to=${encodeURIComponent(evil)}`, () => fake.loginAs('ou_lisi'));
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/console');
    }
  });

  it('a callback whose state is not this browser\'s is refused, and the code is not spent', async () => {
    const attacker = new SignInBrowser(app.http, PUBLIC_URL);
    const start = await attacker.app(START);
    fake.loginAs('ou_lisi');
    const back = await attacker.platform(start.headers.get('location')!);
    // The attacker's callback link, opened by someone else's browser (no cookie, or another sign-in's cookie).
    await browser.app(START);
    const res = await browser.app(back.headers.get('location')!);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(page('signIn.badState'));
    expect(await sessions()).toEqual([]);
    expect(fake.requests.filter((r) => r.path === '/open-apis/authen/v2/oauth/token' && (r.body as { code?: string }).code === new URL(back.headers.get('location')!).searchParams.get('code'))).toEqual([]);
  });

  it('a callback replayed, or a spent code in a new sign-in, makes no second session', async () => {
    const first = await browser.app(START);
    fake.loginAs('ou_zhangsan');
    const back = (await browser.platform(first.headers.get('location')!)).headers.get('location')!;
    const stateCookie = browser.cookies.get('aa_signin')!;
    expect((await browser.app(back)).status).toBe(302);
    // Replayed with the old state cookie: the state was used.
    browser.cookies.set('aa_signin', stateCookie);
    const replay = await browser.app(back);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain(page('signIn.badState'));
    // A fresh sign-in carrying the spent code: Feishu refuses it (20065) and the page says so.
    const again = await browser.app(START);
    const state = new URL(again.headers.get('location')!).searchParams.get('state')!;
    const spent = new URL(back).searchParams.get('code')!;
    const res = await browser.app(`/auth/feishu/${FEISHU_BOT}/callback?code=${spent}&state=${state}`);
    expect(res.status).toBe(502);
    expect(await res.text()).toContain(page('signIn.refused', { platform: '飞书', code: '20065' }));
    expect(fake.refusals.at(-1)).toEqual({ path: '/open-apis/authen/v2/oauth/token', code: 20065 });
    expect((await sessions()).length).toBe(1);
  });

  it('someone Feishu knows but the directory does not gets a page in the bot\'s language and no session', async () => {
    const res = await browser.signIn(START, () => fake.loginAs('ou_stranger'));
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain(page('signIn.unknownPerson', { platform: '飞书' }));
    expect(html).toContain(`href="/auth/feishu/${FEISHU_BOT}/start"`);
    expect(browser.cookies.has('aa_session')).toBe(false);
    expect(await sessions()).toEqual([]);
  });

  it('an inactive directory user is refused', async () => {
    await app.db.db.updateTable('users').set({ active: false }).where('id', '=', 'lisi').execute();
    try {
      const res = await browser.signIn(START, () => fake.loginAs('ou_lisi'));
      expect(res.status).toBe(403);
      expect(await res.text()).toContain(page('signIn.inactive'));
      expect(await sessions()).toEqual([]);
    } finally {
      await app.db.db.updateTable('users').set({ active: true }).where('id', '=', 'lisi').execute();
    }
  });

  it('declining on Feishu\'s page, an expired state and an expired code end on clear pages', async () => {
    const declined = await browser.signIn(START, () => fake.decline());
    expect(declined.status).toBe(403);
    expect(await declined.text()).toContain(page('signIn.denied', { platform: '飞书' }));

    // The state lives 10 minutes on the app's clock.
    const start = await browser.app(START);
    fake.loginAs('ou_zhangsan');
    const back = (await browser.platform(start.headers.get('location')!)).headers.get('location')!;
    clock.advance(11 * 60_000);
    const late = await browser.app(back);
    expect(late.status).toBe(400);
    expect(await late.text()).toContain(page('signIn.badState'));

    // A code older than Feishu's 5 minutes: 20004.
    const start2 = await browser.app(START);
    fake.loginAs('ou_zhangsan');
    const back2 = (await browser.platform(start2.headers.get('location')!)).headers.get('location')!;
    clock.advance(6 * 60_000);
    const expired = await browser.app(back2);
    expect(expired.status).toBe(502);
    expect(await expired.text()).toContain(page('signIn.refused', { platform: '飞书', code: '20004' }));
    expect(await sessions()).toEqual([]);
  });

  it('a wrong app secret and Feishu not answering end on clear pages, and the service keeps serving', async () => {
    fake.app(FEISHU_SECRETS.appId, 'rotated-secret', [CALLBACK]);
    try {
      const res = await browser.signIn(START, () => fake.loginAs('ou_zhangsan'));
      expect(res.status).toBe(502);
      expect(await res.text()).toContain(page('signIn.refused', { platform: '飞书', code: '20002' }));
    } finally {
      fake.app(FEISHU_SECRETS.appId, FEISHU_SECRETS.appSecret, [CALLBACK]);
    }
    fake.hang.add('/open-apis/authen/v2/oauth/token');
    try {
      const res = await browser.signIn(START, () => fake.loginAs('ou_zhangsan'));
      expect(res.status).toBe(504);
      expect(await res.text()).toContain(page('signIn.unreachable', { platform: '飞书' }));
    } finally {
      fake.hang.delete('/open-apis/authen/v2/oauth/token');
    }
    expect((await app.http.request('/healthz')).status).toBe(200);
    expect(await sessions()).toEqual([]);
  });

  it('sign-out needs the session\'s CSRF token, then the cookie no longer works', async () => {
    await browser.signIn(START, () => fake.loginAs('ou_zhangsan'));
    const token = browser.cookies.get('aa_session')!;
    const session = (await readSession(app.db.db, token, clock))!;
    const forged = await browser.app('/auth/sign-out', { method: 'POST' });
    expect(forged.status).toBe(403);
    expect(await readSession(app.db.db, token, clock)).not.toBeNull();
    const out = await browser.app('/auth/sign-out', { method: 'POST', headers: { 'x-csrf-token': session.csrf } });
    expect(out.status).toBe(200);
    expect(browser.cookies.has('aa_session')).toBe(false);
    expect(await readSession(app.db.db, token, clock)).toBeNull();
  });
});
