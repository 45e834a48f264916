import type { Context } from 'hono';
import { opaque, startOAuthFake, type OAuthFakeBase } from './oauth-fake-base.ts';

/**
 * Loopback fake of Feishu's web sign-in, as strict as its documentation:
 * - authorization page: open.feishu.cn/document/common-capabilities/sso/api/obtain-oauth-code
 * - token: open.feishu.cn/document/authentication-management/access-token/get-user-access-token
 * - user info: open.feishu.cn/document/server-docs/authentication-management/login-state-management/get
 * The test plays the person: `loginAs(openId)` says who is logged in to Feishu when the browser reaches the
 * authorization page (or `decline()`), and the page redirects back like Feishu does. Codes are single-use, tied to
 * the app and the redirect_uri, and live 5 minutes on the fake's clock.
 */
export interface FeishuPerson { open_id: string; union_id?: string; user_id?: string; name: string; status?: 'active' | 'resigned' | 'frozen' }

export interface FeishuOAuthFake extends OAuthFakeBase {
  /** Registers the app (App ID, App Secret) and the redirect URLs its security settings list. */
  app(appId: string, appSecret: string, redirectUris: string[]): void;
  person(p: FeishuPerson): void;
  /** Who the next visit of the authorization page is (the person logged in to Feishu in that browser). */
  loginAs(openId: string): void;
  /** The next visit of the authorization page is declined by the person. */
  decline(): void;
  /** Every refusal the fake answered, with its code. */
  refusals: { path: string; code: number }[];
}

/** "授权码的有效期为 5 分钟，且只能被使用一次" (obtain-oauth-code). */
const CODE_TTL_MS = 5 * 60 * 1000;

interface Code { appId: string; redirectUri: string; openId: string; issuedAt: number; used: boolean }

export async function startFakeFeishuOAuth(opts: { upstream?: string; now?: () => number } = {}): Promise<FeishuOAuthFake> {
  const now = opts.now ?? (() => Date.now());
  const apps = new Map<string, { secret: string; redirectUris: Set<string> }>();
  const people = new Map<string, FeishuPerson>();
  const codes = new Map<string, Code>();
  const tokens = new Map<string, string>();
  const refusals: FeishuOAuthFake['refusals'] = [];
  let visitor: string | 'decline' | undefined;

  /**
   * Token endpoint errors: HTTP 400 (500/503 server-side) with a non-zero `code`, an RFC 6749 §5.2 `error` and
   * `error_description` (get-user-access-token, "错误码"; the endpoint "follows RFC 6749").
   */
  const tokenError = (c: Context, code: number, error: string, description: string) => {
    refusals.push({ path: c.req.path, code });
    return c.json({ code, error, error_description: description }, 400);
  };

  const base = await startOAuthFake((app) => {
    app.get('/open-apis/authen/v1/authorize', (c) => {
      const q = c.req.query();
      const registered = q['client_id'] ? apps.get(q['client_id']) : undefined;
      // Without a known app or a registered redirect URL the page shows an error and never redirects: "只有在重定向
      // URL 列表中的 URL 才会通过开放平台的安全校验" (obtain-oauth-code, redirect_uri).
      if (!registered) { refusals.push({ path: c.req.path, code: 20048 }); return c.text('app not found', 400); }
      if (q['response_type'] !== 'code') { refusals.push({ path: c.req.path, code: 20001 }); return c.text('response_type must be code', 400); }
      if (!q['redirect_uri'] || !registered.redirectUris.has(q['redirect_uri'])) { refusals.push({ path: c.req.path, code: 20029 }); return c.text('redirect_uri is not in the app\'s redirect URL list', 400); }
      const back = new URL(q['redirect_uri']);
      const who = visitor;
      visitor = undefined;
      if (who === undefined) return c.text('nobody is logged in to Feishu in this browser (the test calls loginAs first)', 409);
      // Declined: back with error=access_denied and the state (obtain-oauth-code, "失败响应").
      if (who === 'decline') back.searchParams.set('error', 'access_denied');
      else {
        const code = opaque('c-');
        codes.set(code, { appId: q['client_id']!, redirectUri: q['redirect_uri'], openId: who, issuedAt: now(), used: false });
        back.searchParams.set('code', code);
      }
      if (q['state'] !== undefined) back.searchParams.set('state', q['state']);
      return c.redirect(back.toString(), 302);
    });

    app.post('/open-apis/authen/v2/oauth/token', async (c) => {
      // "Content-Type 固定值 application/json; charset=utf-8".
      if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) return tokenError(c, 20063, 'invalid_request', 'The request is malformed. Please check your request.');
      const b = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
      if (!b) return tokenError(c, 20063, 'invalid_request', 'The request is malformed. Please check your request.');
      for (const k of ['grant_type', 'client_id', 'client_secret', 'code']) {
        if (typeof b[k] !== 'string' || b[k] === '') return tokenError(c, 20001, 'invalid_request', 'The request is missing a required parameter.');
      }
      if (b['grant_type'] !== 'authorization_code') return tokenError(c, 20036, 'unsupported_grant_type', 'The specified grant_type is not supported.');
      const registered = apps.get(String(b['client_id']));
      if (!registered) return tokenError(c, 20048, 'invalid_client', 'The specified app does not exist.');
      if (registered.secret !== b['client_secret']) return tokenError(c, 20002, 'invalid_client', 'The client secret is invalid.');
      const code = codes.get(String(b['code']));
      if (!code) return tokenError(c, 20003, 'invalid_grant', 'The authorization code is not found. Please note that an authorization code can only be used once.');
      if (code.used) return tokenError(c, 20065, 'invalid_grant', 'The authorization code has been used. Please note that an authorization code can only be used once.');
      if (code.appId !== b['client_id']) return tokenError(c, 20024, 'invalid_grant', 'The provided authorization code or refresh token does not match the provided client ID.');
      if (now() - code.issuedAt > CODE_TTL_MS) return tokenError(c, 20004, 'invalid_grant', 'The authorization code has expired.');
      // "网页应用授权场景必填，且需要严格与获取授权码时设置的 redirect_uri 保持一致".
      if (b['redirect_uri'] !== code.redirectUri) return tokenError(c, 20071, 'invalid_grant', 'The provided redirect URI does not match the one used during authorization.');
      code.used = true;
      const token = opaque('u-');
      tokens.set(token, code.openId);
      return c.json({ code: 0, access_token: token, expires_in: 7200, token_type: 'Bearer', scope: '' });
    });

    app.get('/open-apis/authen/v1/user_info', (c) => {
      const auth = c.req.header('authorization') ?? '';
      const openId = auth.startsWith('Bearer ') ? tokens.get(auth.slice(7)) : undefined;
      // user_info answers HTTP 200 with its error codes (login-state-management/get, "错误码").
      if (!openId) { refusals.push({ path: c.req.path, code: 20005 }); return c.json({ code: 20005, msg: 'The user access token passed is invalid. Please check the value' }); }
      const p = people.get(openId);
      if (!p) { refusals.push({ path: c.req.path, code: 20008 }); return c.json({ code: 20008, msg: 'User not exist' }); }
      if (p.status === 'resigned') { refusals.push({ path: c.req.path, code: 20021 }); return c.json({ code: 20021, msg: 'User resigned' }); }
      if (p.status === 'frozen') { refusals.push({ path: c.req.path, code: 20022 }); return c.json({ code: 20022, msg: 'User frozen' }); }
      return c.json({ code: 0, msg: 'success', data: { name: p.name, en_name: p.name, open_id: p.open_id, ...(p.union_id ? { union_id: p.union_id } : {}), ...(p.user_id ? { user_id: p.user_id } : {}), tenant_key: 't1' } });
    });
  }, { upstream: opts.upstream });

  return {
    ...base,
    refusals,
    app(appId, appSecret, redirectUris) { apps.set(appId, { secret: appSecret, redirectUris: new Set(redirectUris) }); },
    person(p) { people.set(p.open_id, p); },
    loginAs(openId) { visitor = openId; },
    decline() { visitor = 'decline'; },
  };
}
