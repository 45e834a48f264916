import { ExternalServiceError } from '../../core/errors.ts';
import type { RateLimiter } from '../rate-limiter.ts';

/**
 * One Feishu OpenAPI call through the SDK client: takes rate-limit permits first, waits out HTTP 429 /
 * code 99991400 until `x-ogw-ratelimit-reset` and retries, and turns failures into ExternalServiceError.
 */
export interface FeishuRequester {
  request<T>(payload: { method: string; url: string; data?: unknown; params?: Record<string, string | number | boolean> }): Promise<T>;
}

export interface FeishuApiEnvelope { code?: number; msg?: string; data?: unknown }

export interface CallOptions {
  limiter: RateLimiter;
  /**
   * Limiter keys with their DOCUMENTED budgets (the limiter keeps a margin under them), e.g. app-wide 50/s and
   * 1000/min, per-chat 5/s.
   */
  permits: { key: string; perSecond: number; perMinute?: number }[];
  sleep: (ms: number) => Promise<void>;
  /** Maps a business error code to a specific ExternalServiceError (card.too_old…); undefined = generic. */
  classify?: (code: number, msg: string) => ExternalServiceError | undefined;
}

/** Feishu's rate-limit business code (docs/platforms/feishu.md §7), sent with HTTP 429 (or 400 on some older APIs). */
export const RATE_LIMIT_CODE = 99991400;
/** Token invalid / expired codes: the SDK never refreshes on these (docs/platforms/feishu.md §1), so we drop the cache and retry once. */
export const TOKEN_INVALID_CODES = new Set([99991661, 99991663, 99991668]);
/** How many 429s in a row one call sits through before handing the retry to the outbox. */
const MAX_RATE_LIMIT_RETRIES = 5;
/** Used when a 429 carries no `x-ogw-ratelimit-reset` header. */
const DEFAULT_RESET_SEC = 1;

interface HttpErrorShape { status: number | undefined; headers: Record<string, unknown>; data: unknown }

function httpError(e: unknown): HttpErrorShape | undefined {
  if (typeof e !== 'object' || e === null || !('response' in e)) return undefined;
  const r = (e as { response?: unknown }).response;
  if (typeof r !== 'object' || r === null) return undefined;
  const resp = r as { status?: unknown; headers?: unknown; data?: unknown };
  const headers = typeof resp.headers === 'object' && resp.headers !== null ? (resp.headers as Record<string, unknown>) : {};
  return { status: typeof resp.status === 'number' ? resp.status : undefined, headers, data: resp.data };
}

function envelopeOf(v: unknown): FeishuApiEnvelope {
  return typeof v === 'object' && v !== null ? (v as FeishuApiEnvelope) : {};
}

function resetMs(headers: Record<string, unknown>): number {
  const raw = headers['x-ogw-ratelimit-reset'];
  const sec = Number(Array.isArray(raw) ? raw[0] : raw);
  // A reset of 0 (or nonsense) would retry at once, in a hot loop: wait at least until the next second.
  return (Number.isFinite(sec) && sec >= 1 ? sec : DEFAULT_RESET_SEC) * 1000;
}

export async function callFeishu<T extends FeishuApiEnvelope>(
  client: FeishuRequester, payload: Parameters<FeishuRequester['request']>[0], opts: CallOptions, onTokenInvalid?: () => void,
): Promise<T> {
  let tokenRetried = false;
  for (let attempt = 0; ; attempt++) {
    // The scarcest budget first (one message: 5/s), the app's own (50/s) last, right before the call: a permit
    // taken and then held while waiting for another would be spent in a later second, over that second's budget.
    for (const p of [...opts.permits].sort((a, b) => a.perSecond - b.perSecond)) {
      if (p.perMinute !== undefined) await opts.limiter.acquire(p.key, p.perMinute, 'minute');
      await opts.limiter.acquire(p.key, p.perSecond);
    }
    let body: FeishuApiEnvelope;
    let status = 200;
    let headers: Record<string, unknown> = {};
    try {
      body = envelopeOf(await client.request<unknown>(payload));
    } catch (e: unknown) {
      const h = httpError(e);
      // No `cause`: an AxiosError's config carries the bearer token.
      if (!h) throw new ExternalServiceError('feishu', 'feishu.network', e instanceof Error ? e.message : String(e), { retryable: true });
      body = envelopeOf(h.data);
      status = h.status ?? 0;
      headers = h.headers;
    }
    const code = body.code ?? (status === 200 ? 0 : -1);
    if (code === 0 && status < 400) return body as T;
    const msg = body.msg ?? `HTTP ${status}`;
    if (status === 429 || code === RATE_LIMIT_CODE) {
      const wait = resetMs(headers);
      if (attempt < MAX_RATE_LIMIT_RETRIES) { await opts.sleep(wait); continue; }
      throw new ExternalServiceError('feishu', 'feishu.rate_limited', msg, { retryable: true, retryAfterMs: wait, throttled: true, details: { code } });
    }
    if (TOKEN_INVALID_CODES.has(code)) {
      onTokenInvalid?.();
      if (onTokenInvalid && !tokenRetried) { tokenRetried = true; continue; }
      throw new ExternalServiceError('feishu', 'feishu.token_invalid', msg, { retryable: true, details: { code } });
    }
    const special = opts.classify?.(code, msg);
    if (special) throw special;
    throw new ExternalServiceError('feishu', 'feishu.api_error', `${payload.method} ${payload.url}: ${code} ${msg}`, {
      retryable: status >= 500 || status === 0, details: { code, status },
    });
  }
}
