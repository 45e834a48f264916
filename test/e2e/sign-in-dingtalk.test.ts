import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { t } from '../../src/i18n/catalog.ts';
import { readSession } from '../../src/identity/sessions.ts';
import { startFakeDingtalkOAuth, type DingtalkOAuthFake } from '../fakes/dingtalk-oauth.ts';
import { startFakeDingtalkServer } from '../fakes/dingtalk-server.ts';
import { DINGTALK_BOT, DINGTALK_SECRETS, dingtalkBot, dingtalkStaffId, secrets, writePlatformEnv } from '../support/platform-env.ts';
import { SignInBrowser } from '../support/sign-in-browser.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * Signing in with DingTalk end to end: the browser flow (login page → authCode → user token → unionId → userid) and
 * the in-app 免登 code, against the fake of DingTalk's sign-in APIs (dingtalk-oauth.ts), which forwards everything
 * else (app tokens, the stream gateway's open call) to the messaging fake the running platform uses.
 */
const PUBLIC_URL = 'https://approvals.example.com';
const START = `/auth/dingtalk/${DINGTALK_BOT}/start`;
const CALLBACK = `${PUBLIC_URL}/auth/dingtalk/${DINGTALK_BOT}/callback`;
const IN_APP = `/auth/dingtalk/${DINGTALK_BOT}/in-app`;
const clock = fixedClock(new Date('2026-12-06T02:00:00Z'));
let tdb: TestDb;
let app: App;
let upstream: Awaited<ReturnType<typeof startFakeDingtalkServer>>;
let fake: DingtalkOAuthFake;
let browser: SignInBrowser;

const zh = (key: string, params?: Record<string, string>) => (t as (l: 'zh', k: string, p?: Record<string, string>) => string)('zh', key, params);
const sessions = () => app.db.db.selectFrom('auth_sessions').selectAll().execute();
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  tdb = await createTestDb();
  upstream = await startFakeDingtalkServer();
  fake = await startFakeDingtalkOAuth({ upstream: upstream.url, now: () => clock.now().getTime() });
  fake.app(DINGTALK_SECRETS.clientId, DINGTALK_SECRETS.clientSecret, [CALLBACK]);
  fake.person({ userid: dingtalkStaffId('zhangsan'), unionId: 'union-zhangsan', nick: '张三' });
  fake.person({ userid: dingtalkStaffId('wangwu'), unionId: 'union-wangwu', nick: '王五' });
  fake.person({ userid: 'staff_guest', unionId: 'union-guest', nick: '访客', inOrg: false });
  const bot = { ...dingtalkBot(fake.url), login_base: fake.url, gateway: `${upstream.url}/v1.0/gateway/connections/open`, sign_in: true };
  const env = writePlatformEnv([bot, { id: 'console', platform: 'console' }], { dingtalk: ['zhangsan', 'wangwu'] });
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

describe('sign-in with DingTalk', () => {
  it('login page → authCode → userid: wangwu is signed in with a Secure session (PUBLIC_URL is https)', async () => {
    const start = await browser.app(START);
    const to = new URL(start.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${fake.url}/oauth2/auth`);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({ client_id: DINGTALK_SECRETS.clientId, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', prompt: 'consent' });
    expect(browser.lastSetCookies[0]).toMatch(/; Secure$/);
    fake.loginAs(dingtalkStaffId('wangwu'));
    const back = await browser.platform(to.toString());
    const done = await browser.app(back.headers.get('location')!);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/console');
    expect(browser.lastSetCookies.find((c) => c.startsWith('aa_session='))).toMatch(/HttpOnly; SameSite=Lax; Max-Age=\d+; Secure/);
    expect(await readSession(app.db.db, browser.cookies.get('aa_session')!, clock)).toMatchObject({ userId: 'wangwu', via: 'dingtalk' });
    const me = (await (await browser.app('/console/api/session')).json()) as { user: { id: string } | null };
    expect(me.user?.id).toBe('wangwu');
    // The unionId was turned into the org's userid with the app's token.
    expect(fake.requests.find((r) => r.path === '/topapi/user/getbyunionid')?.body).toEqual({ unionid: 'union-wangwu' });
  });

  it('someone outside the organization (getbyunionid 60121) gets the unknown-person page', async () => {
    const res = await browser.signIn(START, () => fake.loginAs('staff_guest'));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(zh('signIn.unknownPerson', { platform: '钉钉' }));
    expect(fake.refusals.at(-1)).toEqual({ path: '/topapi/user/getbyunionid', code: '60121' });
    expect(await sessions()).toEqual([]);
  });

  it('a spent authCode, a wrong client secret and DingTalk not answering end on clear pages', async () => {
    const start = await browser.app(START);
    fake.loginAs(dingtalkStaffId('zhangsan'));
    const back = (await browser.platform(start.headers.get('location')!)).headers.get('location')!;
    expect((await browser.app(back)).status).toBe(302);
    const again = await browser.app(START);
    const state = new URL(again.headers.get('location')!).searchParams.get('state')!;
    const spent = new URL(back).searchParams.get('authCode')!;
    const reused = await browser.app(`/auth/dingtalk/${DINGTALK_BOT}/callback?authCode=${spent}&state=${state}`);
    expect(reused.status).toBe(502);
    expect(await reused.text()).toContain(zh('signIn.refused', { platform: '钉钉', code: 'invalidParameter.authCode.notFound' }));

    fake.app(DINGTALK_SECRETS.clientId, 'rotated', [CALLBACK]);
    try {
      const res = await browser.signIn(START, () => fake.loginAs(dingtalkStaffId('zhangsan')));
      expect(res.status).toBe(502);
      expect(await res.text()).toContain(zh('signIn.refused', { platform: '钉钉', code: 'invalidClientIdOrSecret' }));
    } finally {
      fake.app(DINGTALK_SECRETS.clientId, DINGTALK_SECRETS.clientSecret, [CALLBACK]);
    }

    fake.hang.add('/v1.0/contact/users/me');
    try {
      const res = await browser.signIn(START, () => fake.loginAs(dingtalkStaffId('zhangsan')));
      expect(res.status).toBe(504);
      expect(await res.text()).toContain(zh('signIn.unreachable', { platform: '钉钉' }));
    } finally {
      fake.hang.delete('/v1.0/contact/users/me');
    }
    expect((await sessions()).length).toBe(1);
  });

  it('the in-app 免登 code signs in once; the same code again is refused (40078)', async () => {
    const code = fake.inAppCode(dingtalkStaffId('zhangsan'));
    const ok = await browser.app(IN_APP, json({ code, return_to: '/console' }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ signedIn: true, returnTo: '/console' });
    expect(await readSession(app.db.db, browser.cookies.get('aa_session')!, clock)).toMatchObject({ userId: 'zhangsan', via: 'dingtalk' });

    const other = new SignInBrowser(app.http, PUBLIC_URL);
    const again = await other.app(IN_APP, json({ code }));
    expect(again.status).toBe(502);
    expect(((await again.json()) as { error: { message: string } }).error.message).toBe(zh('signIn.refused', { platform: '钉钉', code: '40078' }));
    expect(other.cookies.has('aa_session')).toBe(false);

    const missing = await other.app(IN_APP, json({}));
    expect(missing.status).toBe(400);
    expect((await sessions()).length).toBe(1);
  });
});
