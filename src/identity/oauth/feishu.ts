import { callJson, obj, SignInFailure, str, type CallDeps, type OAuthClient, type PlatformPerson } from './oauth-call.ts';

/**
 * Feishu (Lark) web sign-in, the authorization-code flow of Feishu's "browser application" guide:
 * 1. the browser goes to `GET <accounts>/open-apis/authen/v1/authorize?client_id&response_type=code&redirect_uri&state`
 *    (open.feishu.cn/document/common-capabilities/sso/api/obtain-oauth-code); Feishu sends it back to `redirect_uri`
 *    with `code` and the same `state`, or with `error=access_denied` when the person declines;
 * 2. `POST <open>/open-apis/authen/v2/oauth/token` with grant_type=authorization_code, client_id (App ID),
 *    client_secret (App Secret), code and the same redirect_uri exchanges the code, once, within 5 minutes, for a
 *    user_access_token (open.feishu.cn/document/authentication-management/access-token/get-user-access-token);
 * 3. `GET <open>/open-apis/authen/v1/user_info` with `Authorization: Bearer <user_access_token>` answers who it is:
 *    open_id (per app), union_id (per developer) and user_id when the app may read it
 *    (open.feishu.cn/document/server-docs/authentication-management/login-state-management/get).
 * No scope is asked for: user_info needs none, and the ids are all the sign-in uses.
 */

export interface FeishuOAuthSettings {
  /** The bot's `domain`: `feishu`, `lark` or a base URL (private deployment, fakes) that then serves both hosts. */
  domain: string;
  appId: string;
  appSecret: string;
}

/** The authorization page and the OpenAPI live on different hosts on Feishu and Lark; a custom base serves both. */
export function feishuHosts(domain: string): { accounts: string; open: string } {
  if (domain === 'feishu') return { accounts: 'https://accounts.feishu.cn', open: 'https://open.feishu.cn' };
  if (domain === 'lark') return { accounts: 'https://accounts.larksuite.com', open: 'https://open.larksuite.com' };
  const base = domain.replace(/\/+$/, '');
  return { accounts: base, open: base };
}

export function feishuOAuth(s: FeishuOAuthSettings, d: CallDeps): OAuthClient {
  const hosts = feishuHosts(s.domain);
  return {
    platform: 'feishu',
    authorizeUrl(redirectUri, state) {
      const q = new URLSearchParams({ client_id: s.appId, response_type: 'code', redirect_uri: redirectUri, state });
      return `${hosts.accounts}/open-apis/authen/v1/authorize?${q.toString()}`;
    },
    async identify(code, redirectUri): Promise<PlatformPerson> {
      const token = await callJson(d, 'feishu', `${hosts.open}/open-apis/authen/v2/oauth/token`, {
        method: 'POST',
        body: { grant_type: 'authorization_code', client_id: s.appId, client_secret: s.appSecret, code, redirect_uri: redirectUri },
      });
      // The token endpoint answers `code` 0 on success; errors carry a non-zero code with error / error_description
      // (20003 code not found or used, 20004 expired, 20002 bad secret, 20071 redirect_uri mismatch…).
      const accessToken = str(token.body, 'access_token');
      if (token.body['code'] !== 0 || !accessToken) {
        if (token.status >= 500) throw new SignInFailure('signin.unreachable', 'feishu', `token: HTTP ${token.status} ${describe(token.body)}`, codeOf(token.body));
        throw new SignInFailure(token.status < 300 && token.body['code'] === 0 ? 'signin.bad_response' : 'signin.refused', 'feishu', `token: HTTP ${token.status} ${describe(token.body)}`, codeOf(token.body));
      }
      const info = await callJson(d, 'feishu', `${hosts.open}/open-apis/authen/v1/user_info`, { method: 'GET', headers: { authorization: `Bearer ${accessToken}` } });
      // user_info answers HTTP 200 with a non-zero code for people who left (20021), are frozen (20022)…
      if (info.body['code'] !== 0) {
        if (info.status >= 500) throw new SignInFailure('signin.unreachable', 'feishu', `user_info: HTTP ${info.status} ${describe(info.body)}`, codeOf(info.body));
        throw new SignInFailure('signin.refused', 'feishu', `user_info: HTTP ${info.status} ${describe(info.body)}`, codeOf(info.body));
      }
      const data = obj(info.body, 'data');
      const openId = str(data, 'open_id');
      if (!openId) throw new SignInFailure('signin.bad_response', 'feishu', 'user_info: no open_id');
      const others = [str(data, 'union_id'), str(data, 'user_id')].filter((x): x is string => x !== undefined);
      const name = str(data, 'name');
      return { platform: 'feishu', externalIds: [openId, ...others], ...(name ? { name } : {}) };
    },
  };
}

function codeOf(body: Record<string, unknown>): string | undefined {
  const c = body['code'];
  return typeof c === 'number' || typeof c === 'string' ? String(c) : undefined;
}

function describe(body: Record<string, unknown>): string {
  return [codeOf(body), str(body, 'error'), str(body, 'error_description') ?? str(body, 'msg')].filter(Boolean).join(' ').slice(0, 300);
}
