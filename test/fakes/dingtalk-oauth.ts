import type { Context } from 'hono';
import { opaque, startOAuthFake, type OAuthFakeBase } from './oauth-fake-base.ts';

/**
 * Loopback fake of DingTalk's sign-in, as strict as its documentation:
 * - login page `/oauth2/auth`: open.dingtalk.com/document/orgapp/tutorial-obtaining-user-personal-information
 * - `POST /v1.0/oauth2/userAccessToken`: open.dingtalk.com/document/orgapp/obtain-user-token
 * - `GET /v1.0/contact/users/me`: open.dingtalk.com/document/orgapp/dingtalk-retrieve-user-information
 * - `POST /v1.0/oauth2/accessToken` (app token): open.dingtalk.com/document/orgapp/obtain-the-access_token-of-an-internal-app
 * - `POST /topapi/user/getbyunionid`: open.dingtalk.com/document/orgapp/query-a-user-by-the-union-id
 * - `POST /topapi/v2/user/getuserinfo` (免登): open.dingtalk.com/document/orgapp/obtain-the-userid-of-a-user-by-using-the-log-free
 * New-style APIs answer errors with HTTP 400 and {code, message, requestid}; topapi ones with HTTP 200 and a
 * non-zero errcode (open.dingtalk.com/document/orgapp/server-api-error-codes-1). Codes are single-use and live 5
 * minutes on the fake's clock. With an upstream (dingtalk-server.ts), app tokens come from it and are learnt here.
 */
export interface DingtalkPerson { userid: string; unionId: string; nick: string; inOrg?: boolean }

export interface DingtalkOAuthFake extends OAuthFakeBase {
  app(clientId: string, clientSecret: string, redirectUris: string[]): void;
  person(p: DingtalkPerson): void;
  /** Who logs in on the next visit of the login page. */
  loginAs(userid: string): void;
  /** A 免登 code, as dd.runtime.permission.requestAuthCode gives a page inside DingTalk for this person. */
  inAppCode(userid: string): string;
  refusals: { path: string; code: string }[];
}

/** Temporary codes live 5 minutes and are used once (the 免登 page: "临时授权码有效期5分钟，且只能使用一次"). */
const CODE_TTL_MS = 5 * 60 * 1000;

export async function startFakeDingtalkOAuth(opts: { upstream?: string; now?: () => number } = {}): Promise<DingtalkOAuthFake> {
  const now = opts.now ?? (() => Date.now());
  const apps = new Map<string, { secret: string; redirectUris: Set<string> }>();
  const people = new Map<string, DingtalkPerson>();
  const codes = new Map<string, { clientId: string; userid: string; issuedAt: number; used: boolean }>();
  const inApp = new Map<string, { userid: string; issuedAt: number; used: boolean }>();
  const userTokens = new Map<string, string>();
  const appTokens = new Set<string>();
  const refusals: DingtalkOAuthFake['refusals'] = [];
  let visitor: string | undefined;

  const apiError = (c: Context, status: 400 | 401, code: string, message: string) => {
    refusals.push({ path: c.req.path, code });
    return c.json({ code, message, requestid: opaque('') }, status);
  };
  const topError = (c: Context, errcode: number, errmsg: string) => {
    refusals.push({ path: c.req.path, code: String(errcode) });
    return c.json({ errcode, errmsg, request_id: opaque('') });
  };
  const byUnion = (unionId: string) => [...people.values()].find((p) => p.unionId === unionId);

  const base = await startOAuthFake((app) => {
    app.get('/oauth2/auth', (c) => {
      const q = c.req.query();
      const registered = q['client_id'] ? apps.get(q['client_id']) : undefined;
      // The login page checks the app and that redirect_uri is the app's registered callback before anything else.
      if (!registered) { refusals.push({ path: c.req.path, code: 'invalid client_id' }); return c.text('client_id is invalid', 400); }
      if (q['response_type'] !== 'code') { refusals.push({ path: c.req.path, code: 'invalid response_type' }); return c.text('response_type must be code', 400); }
      if (!(q['scope'] ?? '').split(/\s+/).includes('openid')) { refusals.push({ path: c.req.path, code: 'invalid scope' }); return c.text('scope must include openid', 400); }
      if (!q['redirect_uri'] || !registered.redirectUris.has(q['redirect_uri'])) { refusals.push({ path: c.req.path, code: 'invalid redirect_uri' }); return c.text('redirect_uri does not match the app\'s callback', 400); }
      const who = visitor;
      visitor = undefined;
      if (who === undefined) return c.text('nobody is logged in to DingTalk in this browser (the test calls loginAs first)', 409);
      const code = opaque('');
      codes.set(code, { clientId: q['client_id']!, userid: who, issuedAt: now(), used: false });
      const back = new URL(q['redirect_uri']);
      back.searchParams.set('authCode', code);
      back.searchParams.set('code', code);
      if (q['state'] !== undefined) back.searchParams.set('state', q['state']);
      return c.redirect(back.toString(), 302);
    });

    app.post('/v1.0/oauth2/userAccessToken', async (c) => {
      const b = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
      // The API gateway refuses a request without one of its required fields, naming it ("Missing<field>"; the same
      // gateway answers "Missingbody" without a JSON body: github.com/aliyun/alibabacloud-php-sdk/issues/36).
      if (!b) return apiError(c, 400, 'Missingbody', 'body is mandatory for this action.');
      for (const k of ['clientId', 'clientSecret', 'grantType']) if (typeof b[k] !== 'string' || b[k] === '') return apiError(c, 400, `Missing${k}`, `${k} is mandatory for this action.`);
      if (b['grantType'] !== 'authorization_code' && b['grantType'] !== 'refresh_token') return apiError(c, 400, 'invalidParameter.grantType', 'grantType must be authorization_code or refresh_token');
      const registered = apps.get(String(b['clientId']));
      // A wrong client id or secret: "invalidClientIdOrSecret" (github.com/DingTalk-Real-AI/dingtalk-workspace-cli/issues/919).
      if (!registered || registered.secret !== b['clientSecret']) return apiError(c, 400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
      const code = typeof b['code'] === 'string' ? codes.get(b['code']) : undefined;
      // Unknown, spent, expired or another app's code all answer the same (invalidParameter.authCode.notFound).
      if (!code || code.used || code.clientId !== b['clientId'] || now() - code.issuedAt > CODE_TTL_MS) return apiError(c, 400, 'invalidParameter.authCode.notFound', '不合法的临时授权码');
      code.used = true;
      const token = opaque('');
      userTokens.set(token, code.userid);
      return c.json({ accessToken: token, refreshToken: opaque(''), expireIn: 7200, corpId: 'ding-corp' });
    });

    app.get('/v1.0/contact/users/me', (c) => {
      const userid = userTokens.get(c.req.header('x-acs-dingtalk-access-token') ?? '');
      if (!userid) return apiError(c, 400, 'InvalidAuthentication', '不合法的access_token');
      const p = people.get(userid)!;
      return c.json({ nick: p.nick, unionId: p.unionId, openId: `open-${p.userid}`, avatarUrl: '', stateCode: '86' });
    });

    if (!opts.upstream) {
      app.post('/v1.0/oauth2/accessToken', async (c) => {
        const b = (await c.req.json().catch(() => null)) as { appKey?: string; appSecret?: string } | null;
        const registered = b?.appKey ? apps.get(b.appKey) : undefined;
        if (!registered || registered.secret !== b?.appSecret) return apiError(c, 400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
        const token = opaque('');
        appTokens.add(token);
        return c.json({ accessToken: token, expireIn: 7200 });
      });
    }

    app.post('/topapi/user/getbyunionid', async (c) => {
      if (!appTokens.has(c.req.query('access_token') ?? '')) return topError(c, 40014, '不合法的access_token');
      const b = (await c.req.json().catch(() => null)) as { unionid?: string } | null;
      const p = b?.unionid ? byUnion(b.unionid) : undefined;
      if (!p || p.inOrg === false) return topError(c, 60121, '找不到该用户');
      return c.json({ errcode: 0, errmsg: 'ok', result: { contact_type: 0, userid: p.userid }, request_id: opaque('') });
    });

    app.post('/topapi/v2/user/getuserinfo', async (c) => {
      if (!appTokens.has(c.req.query('access_token') ?? '')) return topError(c, 40014, '不合法的access_token');
      const b = (await c.req.json().catch(() => null)) as { code?: string } | null;
      const code = b?.code ? inApp.get(b.code) : undefined;
      if (!code || code.used || now() - code.issuedAt > CODE_TTL_MS) return topError(c, 40078, '不存在的临时授权码');
      code.used = true;
      const p = people.get(code.userid)!;
      return c.json({ errcode: 0, errmsg: 'ok', result: { userid: p.userid, unionid: p.unionId, name: p.nick, device_id: 'dev', sys: false, sys_level: 0 }, request_id: opaque('') });
    });
  }, {
    upstream: opts.upstream,
    onProxied: (path, status, body) => {
      if (path !== '/v1.0/oauth2/accessToken' || status !== 200) return;
      const token = (JSON.parse(body) as { accessToken?: string }).accessToken;
      if (token) appTokens.add(token);
    },
  });

  return {
    ...base,
    refusals,
    app(clientId, clientSecret, redirectUris) { apps.set(clientId, { secret: clientSecret, redirectUris: new Set(redirectUris) }); },
    person(p) { people.set(p.userid, p); },
    loginAs(userid) { visitor = userid; },
    inAppCode(userid) {
      const code = opaque('');
      inApp.set(code, { userid, issuedAt: now(), used: false });
      return code;
    },
  };
}
