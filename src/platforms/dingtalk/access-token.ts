import type { Clock } from '../../core/clock.ts';
import { ExternalServiceError } from '../../core/errors.ts';
import { DINGTALK_HTTP_TIMEOUT_MS } from './open-api.ts';

/**
 * App access token from `POST /v1.0/oauth2/accessToken` (DingTalk doc '获取企业内部应用的accessToken', open.dingtalk.com/document/orgapp/obtain-the-access-token-of-an-internal-app): valid `expireIn` (7200) seconds,
 * cached per app and refreshed early; concurrent callers share one in-flight request.
 */
export interface AccessTokenSource {
  get(): Promise<string>;
  /** Forget the cached token after the API called it invalid. */
  invalidate(): void;
}

/** Refresh this long before expiry so a token never dies mid-request or mid-retry. */
const REFRESH_EARLY_MS = 5 * 60 * 1000;

export function createAccessTokenSource(opts: {
  apiBase: string; clientId: string; clientSecret: string; clock: Clock; fetch: typeof fetch;
}): AccessTokenSource {
  let cached: { token: string; expiresAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    let res: Response;
    try {
      res = await opts.fetch(`${opts.apiBase}/v1.0/oauth2/accessToken`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appKey: opts.clientId, appSecret: opts.clientSecret }),
        signal: AbortSignal.timeout(DINGTALK_HTTP_TIMEOUT_MS),
      });
    } catch (e: unknown) {
      throw new ExternalServiceError('dingtalk', 'dingtalk.network', e instanceof Error ? e.message : String(e), { cause: e, retryable: true });
    }
    const body = (await res.json().catch(() => ({}))) as { accessToken?: string; expireIn?: number; code?: string; message?: string };
    if (!res.ok || !body.accessToken) {
      throw new ExternalServiceError('dingtalk', 'dingtalk.token_failed', `${res.status} ${body.code ?? ''} ${body.message ?? ''}`.trim(), {
        retryable: res.status >= 500, details: { status: res.status, code: body.code },
      });
    }
    cached = { token: body.accessToken, expiresAt: opts.clock.now().getTime() + (body.expireIn ?? 7200) * 1000 };
    return body.accessToken;
  }

  return {
    async get() {
      if (cached && cached.expiresAt - REFRESH_EARLY_MS > opts.clock.now().getTime()) return cached.token;
      inflight ??= fetchToken().finally(() => { inflight = undefined; });
      return inflight;
    },
    invalidate() { cached = undefined; },
  };
}
