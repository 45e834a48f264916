import { ExternalServiceError } from '../../core/errors.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import type { AccessTokenSource } from './access-token.ts';

/**
 * One DingTalk HTTP call (new `api.dingtalk.com/v1.0` APIs with the token header, or legacy `oapi` topapi with
 * `?access_token=`): takes a rate-limit permit per API, waits out QPS throttling, refreshes a rejected token once,
 * and maps failures to ExternalServiceError. Base URLs come from bot config.
 */

/**
 * Documented limit: 20 calls/s per app per API on standard-edition orgs (doc '附录B：如何处理钉钉服务端API限流',
 * open.dingtalk.com/document/development/how-to-process-api-throttling-on-the-dingtalk-server). The limiter
 * spaces calls below it (16/s, see rate-limiter.ts for why).
 */
export const API_PER_SECOND = 20;
/** Same doc: the QPS window is one second, so on a QPS-limit answer "sleep 1 s and retry". */
const THROTTLE_WAIT_MS = 1000;
/** Throttled answers in a row before the outbox takes over the retry. */
const MAX_THROTTLE_RETRIES = 5;
/** One OpenAPI call may take this long; a hung connection must not hold an outbox slot. */
export const DINGTALK_HTTP_TIMEOUT_MS = 15_000;
/** Same doc: new APIs answer 403 with these codes; legacy APIs use errcode 90018 / 90002. */
const THROTTLE_CODES = new Set(['Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', 'Forbidden.AccessDenied.QpsLimitForApi', '90018', '90002']);
/** Invalid / expired token: new APIs `InvalidAuthentication`, legacy 40014 / 42001 (DingTalk doc '全局错误码'). */
const TOKEN_CODES = new Set(['InvalidAuthentication', '40014', '42001']);

export interface DingtalkHttp {
  call<T>(req: { style: 'api' | 'oapi'; method: 'GET' | 'POST' | 'PUT'; path: string; body?: unknown }): Promise<T>;
}

export function createDingtalkHttp(opts: {
  apiBase: string; oapiBase: string; clientId: string; token: AccessTokenSource; limiter: RateLimiter;
  fetch: typeof fetch; sleep: (ms: number) => Promise<void>;
}): DingtalkHttp {
  return {
    async call<T>(req: { style: 'api' | 'oapi'; method: 'GET' | 'POST' | 'PUT'; path: string; body?: unknown }): Promise<T> {
      let tokenRetried = false;
      for (let attempt = 0; ; attempt++) {
        await opts.limiter.acquire(`dingtalk:${opts.clientId}:${req.path}`, API_PER_SECOND);
        const token = await opts.token.get();
        const url = req.style === 'api' ? `${opts.apiBase}${req.path}` : `${opts.oapiBase}${req.path}?access_token=${encodeURIComponent(token)}`;
        let res: Response;
        try {
          res = await opts.fetch(url, {
            method: req.method,
            headers: { 'content-type': 'application/json', accept: 'application/json', ...(req.style === 'api' ? { 'x-acs-dingtalk-access-token': token } : {}) },
            ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
            signal: AbortSignal.timeout(DINGTALK_HTTP_TIMEOUT_MS),
          });
        } catch (e: unknown) {
          throw new ExternalServiceError('dingtalk', 'dingtalk.network', e instanceof Error ? e.message : String(e), { cause: e, retryable: true });
        }
        const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
        const code = String(body['code'] ?? (typeof body['errcode'] === 'number' && body['errcode'] !== 0 ? body['errcode'] : ''));
        const ok = res.ok && (req.style === 'api' || body['errcode'] === 0 || body['errcode'] === undefined);
        if (ok) return body as T;
        const message = String(body['message'] ?? body['errmsg'] ?? `HTTP ${res.status}`);
        if (THROTTLE_CODES.has(code) || res.status === 429) {
          if (attempt < MAX_THROTTLE_RETRIES) { await opts.sleep(THROTTLE_WAIT_MS); continue; }
          throw new ExternalServiceError('dingtalk', 'dingtalk.rate_limited', message, { retryable: true, retryAfterMs: THROTTLE_WAIT_MS, throttled: true, details: { code } });
        }
        if (TOKEN_CODES.has(code) || res.status === 401) {
          opts.token.invalidate();
          if (!tokenRetried) { tokenRetried = true; continue; }
        }
        throw new ExternalServiceError('dingtalk', 'dingtalk.api_error', `${req.method} ${req.path}: ${res.status} ${code} ${message}`, {
          retryable: res.status >= 500, details: { status: res.status, code },
        });
      }
    },
  };
}
