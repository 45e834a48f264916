import { callJson, obj, SignInFailure, str, type CallDeps, type JsonAnswer, type OAuthClient, type PlatformPerson } from './oauth-call.ts';

/**
 * DingTalk sign-in, two ways in:
 *
 * In a browser (OAuth 2, open.dingtalk.com/document/orgapp/tutorial-obtaining-user-personal-information):
 * 1. the browser goes to `<login_base>/oauth2/auth?redirect_uri&response_type=code&client_id&scope=openid&state&prompt=consent`;
 *    DingTalk sends it back to redirect_uri with `authCode` (and `code`) and the same `state`;
 * 2. `POST <api_base>/v1.0/oauth2/userAccessToken` {clientId, clientSecret, code, grantType: authorization_code} answers
 *    {accessToken, refreshToken, expireIn} (open.dingtalk.com/document/orgapp/obtain-user-token);
 * 3. `GET <api_base>/v1.0/contact/users/me` with header x-acs-dingtalk-access-token: <user token> answers the person's
 *    unionId and nick (open.dingtalk.com/document/orgapp/dingtalk-retrieve-user-information);
 * 4. the directory knows people by their userid in the organization: `POST <oapi_base>/topapi/user/getbyunionid
 *    ?access_token=<app token>` {unionid} answers result.userid, errcode 60121 when the person is not in the
 *    organization (open.dingtalk.com/document/orgapp/query-a-user-by-the-union-id). The app token comes from
 *    `POST <api_base>/v1.0/oauth2/accessToken` {appKey, appSecret} (the platform adapter's access-token.ts).
 *
 * Inside the DingTalk client (免登): the page calls dd.runtime.permission.requestAuthCode and hands the code over;
 * `POST <oapi_base>/topapi/v2/user/getuserinfo?access_token=<app token>` {code} answers result.userid and unionid,
 * errcode 40078 for a code that does not exist (open.dingtalk.com/document/orgapp/obtain-the-userid-of-a-user-by-using-the-log-free).
 *
 * New-style APIs (api_base) answer errors with a non-2xx status and {code, message, requestid}; legacy topapi ones
 * (oapi_base) with HTTP 200 and a non-zero errcode (open.dingtalk.com/document/orgapp/server-api-error-codes-1).
 */

export interface DingtalkOAuthSettings { loginBase: string; apiBase: string; oapiBase: string; clientId: string; clientSecret: string }

export interface DingtalkOAuthClient extends OAuthClient {
  /** The person behind an in-app 免登 code (requestAuthCode): userid and unionid. */
  identifyInApp(authCode: string): Promise<PlatformPerson>;
}

/** getbyunionid: "the user does not exist" in this organization (the person signed in with DingTalk elsewhere). */
const NOT_IN_ORG = 60121;

export function dingtalkOAuth(s: DingtalkOAuthSettings, d: CallDeps): DingtalkOAuthClient {
  const login = s.loginBase.replace(/\/+$/, '');
  const api = s.apiBase.replace(/\/+$/, '');
  const oapi = s.oapiBase.replace(/\/+$/, '');

  async function appToken(): Promise<string> {
    // Fetched per sign-in: sign-ins are rare, and DingTalk answers the same token while it is valid.
    const r = await callJson(d, 'dingtalk', `${api}/v1.0/oauth2/accessToken`, { method: 'POST', body: { appKey: s.clientId, appSecret: s.clientSecret } });
    const token = str(r.body, 'accessToken');
    if (r.status >= 300 || !token) throw failure('accessToken', r);
    return token;
  }

  async function topapi(path: string, body: Record<string, string>): Promise<JsonAnswer> {
    const token = await appToken();
    return callJson(d, 'dingtalk', `${oapi}${path}?access_token=${encodeURIComponent(token)}`, { method: 'POST', body });
  }

  return {
    platform: 'dingtalk',
    authorizeUrl(redirectUri, state) {
      const q = new URLSearchParams({ redirect_uri: redirectUri, response_type: 'code', client_id: s.clientId, scope: 'openid', state, prompt: 'consent' });
      return `${login}/oauth2/auth?${q.toString()}`;
    },
    async identify(code): Promise<PlatformPerson> {
      const token = await callJson(d, 'dingtalk', `${api}/v1.0/oauth2/userAccessToken`, {
        method: 'POST', body: { clientId: s.clientId, clientSecret: s.clientSecret, code, grantType: 'authorization_code' },
      });
      const userToken = str(token.body, 'accessToken');
      if (token.status >= 300 || !userToken) throw failure('userAccessToken', token);
      const me = await callJson(d, 'dingtalk', `${api}/v1.0/contact/users/me`, { method: 'GET', headers: { 'x-acs-dingtalk-access-token': userToken } });
      const unionId = str(me.body, 'unionId');
      if (me.status >= 300 || !unionId) throw failure('users/me', me);
      const nick = str(me.body, 'nick');
      const found = await topapi('/topapi/user/getbyunionid', { unionid: unionId });
      if (found.body['errcode'] === NOT_IN_ORG) return { platform: 'dingtalk', externalIds: [unionId], ...(nick ? { name: nick } : {}) };
      const userid = str(obj(found.body, 'result'), 'userid');
      if (found.body['errcode'] !== 0 || !userid) throw failure('getbyunionid', found);
      return { platform: 'dingtalk', externalIds: [userid, unionId], ...(nick ? { name: nick } : {}) };
    },
    async identifyInApp(authCode): Promise<PlatformPerson> {
      const r = await topapi('/topapi/v2/user/getuserinfo', { code: authCode });
      const result = obj(r.body, 'result');
      const userid = str(result, 'userid');
      if (r.body['errcode'] !== 0 || !userid) throw failure('getuserinfo', r);
      const unionId = str(result, 'unionid');
      const name = str(result, 'name');
      return { platform: 'dingtalk', externalIds: [userid, ...(unionId ? [unionId] : [])], ...(name ? { name } : {}) };
    },
  };
}

function failure(step: string, r: JsonAnswer): SignInFailure {
  const raw = r.body['code'] ?? r.body['errcode'];
  const code = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined;
  const message = `${step}: HTTP ${r.status} ${[code, str(r.body, 'message') ?? str(r.body, 'errmsg')].filter(Boolean).join(' ')}`.slice(0, 300);
  if (r.status >= 500) return new SignInFailure('signin.unreachable', 'dingtalk', message, code);
  return new SignInFailure(code === undefined || code === '0' ? 'signin.bad_response' : 'signin.refused', 'dingtalk', message, code);
}
