import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDingtalkOAuth, type DingtalkOAuthFake } from '../../fakes/dingtalk-oauth.ts';
import { startFakeFeishuOAuth, type FeishuOAuthFake } from '../../fakes/feishu-oauth.ts';

/** The sign-in fakes refuse what Feishu and DingTalk refuse, with their documented codes (see each fake's comments). */
const REDIRECT = 'https://approvals.example.com/auth/x/y/callback';
let t = 0;
let feishu: FeishuOAuthFake;
let dingtalk: DingtalkOAuthFake;

const post = (url: string, body: unknown, type = 'application/json') =>
  fetch(url, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

beforeAll(async () => {
  feishu = await startFakeFeishuOAuth({ now: () => t });
  feishu.app('cli_app', 'secret', [REDIRECT]);
  feishu.person({ open_id: 'ou_a', name: 'A' });
  dingtalk = await startFakeDingtalkOAuth({ now: () => t });
  dingtalk.app('ding_app', 'secret', [REDIRECT]);
  dingtalk.person({ userid: 'u1', unionId: 'un1', nick: 'U' });
});

afterAll(async () => {
  await feishu.close();
  await dingtalk.close();
});

/** Plays the authorization page for `who`: answers the code Feishu would redirect with. */
async function feishuCode(who: string, redirectUri = REDIRECT): Promise<string> {
  feishu.loginAs(who);
  const q = new URLSearchParams({ client_id: 'cli_app', response_type: 'code', redirect_uri: redirectUri, state: 's' });
  const res = await fetch(`${feishu.url}/open-apis/authen/v1/authorize?${q.toString()}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!).searchParams.get('code')!;
}

describe('fake Feishu sign-in', () => {
  const token = (body: Record<string, unknown>) => post(`${feishu.url}/open-apis/authen/v2/oauth/token`, body);
  const good = (code: string) => ({ grant_type: 'authorization_code', client_id: 'cli_app', client_secret: 'secret', code, redirect_uri: REDIRECT });

  it('the authorization page redirects only to a registered redirect URL', async () => {
    feishu.loginAs('ou_a');
    const q = new URLSearchParams({ client_id: 'cli_app', response_type: 'code', redirect_uri: 'https://evil.example/cb', state: 's' });
    expect((await fetch(`${feishu.url}/open-apis/authen/v1/authorize?${q.toString()}`, { redirect: 'manual' })).status).toBe(400);
  });

  it('refuses a missing or wrong grant type, a wrong secret, a redirect_uri mismatch, a form body', async () => {
    const code = await feishuCode('ou_a');
    const { grant_type: _, ...noGrant } = good(code);
    const cases: [Response, number][] = [
      [await token(noGrant), 20001],
      [await token({ ...good(code), grant_type: 'client_credentials' }), 20036],
      [await token({ ...good(code), client_secret: 'nope' }), 20002],
      [await token({ ...good(code), redirect_uri: 'https://approvals.example.com/other' }), 20071],
      [await post(`${feishu.url}/open-apis/authen/v2/oauth/token`, new URLSearchParams(good(code)).toString(), 'application/x-www-form-urlencoded'), 20063],
    ];
    for (const [res, code] of cases) {
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: number }).code).toBe(code);
    }
    // None of those spent the code.
    expect((await (await token(good(code))).json())).toMatchObject({ code: 0, token_type: 'Bearer' });
  });

  it('a code works once and for 5 minutes', async () => {
    const code = await feishuCode('ou_a');
    const ok = (await (await token(good(code))).json()) as { access_token: string };
    expect(((await (await token(good(code))).json()) as { code: number }).code).toBe(20065);
    expect(((await (await token(good('never-issued'))).json()) as { code: number }).code).toBe(20003);
    const late = await feishuCode('ou_a');
    t += 5 * 60_000 + 1;
    expect(((await (await token(good(late))).json()) as { code: number }).code).toBe(20004);
    const info = await fetch(`${feishu.url}/open-apis/authen/v1/user_info`, { headers: { authorization: `Bearer ${ok.access_token}` } });
    expect(await info.json()).toMatchObject({ code: 0, data: { open_id: 'ou_a' } });
    expect(await (await fetch(`${feishu.url}/open-apis/authen/v1/user_info`, { headers: { authorization: 'Bearer u-forged' } })).json()).toMatchObject({ code: 20005 });
  });
});

describe('fake DingTalk sign-in', () => {
  const userToken = (body: Record<string, unknown>) => post(`${dingtalk.url}/v1.0/oauth2/userAccessToken`, body);

  async function authCode(): Promise<string> {
    dingtalk.loginAs('u1');
    const q = new URLSearchParams({ client_id: 'ding_app', response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', state: 's', prompt: 'consent' });
    const res = await fetch(`${dingtalk.url}/oauth2/auth?${q.toString()}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!).searchParams.get('authCode')!;
  }

  it('refuses a missing grant type, a wrong secret, and a code used twice', async () => {
    const code = await authCode();
    const missing = await userToken({ clientId: 'ding_app', clientSecret: 'secret', code });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: 'MissinggrantType' });
    const wrong = await userToken({ clientId: 'ding_app', clientSecret: 'nope', code, grantType: 'authorization_code' });
    expect(await wrong.json()).toMatchObject({ code: 'invalidClientIdOrSecret' });
    const ok = await userToken({ clientId: 'ding_app', clientSecret: 'secret', code, grantType: 'authorization_code' });
    expect(ok.status).toBe(200);
    const again = await userToken({ clientId: 'ding_app', clientSecret: 'secret', code, grantType: 'authorization_code' });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ code: 'invalidParameter.authCode.notFound' });
  });

  it('the login page redirects only to the registered callback; topapi wants an app token', async () => {
    dingtalk.loginAs('u1');
    const q = new URLSearchParams({ client_id: 'ding_app', response_type: 'code', redirect_uri: 'https://evil.example/cb', scope: 'openid', state: 's' });
    expect((await fetch(`${dingtalk.url}/oauth2/auth?${q.toString()}`, { redirect: 'manual' })).status).toBe(400);
    const noToken = await post(`${dingtalk.url}/topapi/user/getbyunionid?access_token=forged`, { unionid: 'un1' });
    expect(await noToken.json()).toMatchObject({ errcode: 40014 });
  });
});
