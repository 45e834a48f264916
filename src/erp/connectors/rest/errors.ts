import { ExternalServiceError } from '../../../core/errors.ts';

/**
 * How an adapter's answer becomes one of the port's errors (src/erp/erp-connector.ts, ERP_ERROR_CODES), following
 * the status semantics of docs/erp-rest-contract.openapi.yaml:
 * - no answer (refused, reset, DNS), 429, 5xx → `erp.unavailable`, retryable; `Retry-After` (RFC 9110 §10.2.3:
 *   delay-seconds or an HTTP-date, https://www.rfc-editor.org/rfc/rfc9110#field.retry-after) becomes the error's
 *   `retryAfterMs` and `details.retryAfterSeconds`; 429 (RFC 6585 §4) is marked `throttled`;
 * - a write (PUT, decide) whose answer was lost after it may have reached the adapter (timeout, reset) →
 *   `erp.result_unknown`, retryable: the next attempt looks the key up first;
 * - 401, 403 → `erp.auth`; 404 with the contract's error body → `erp.not_found`; 409 → `erp.not_allowed_in_state`;
 *   422 → `erp.validation` with the adapter's message (the ERP's own words); none retryable;
 * - anything else (400, a 404 that is not the adapter's, a body that is not the contract's JSON) → `erp.rpc_error`.
 */
export const REST_SERVICE = 'rest-erp';

export interface CallInfo { instance: string; op: string }

const MAX_RETRY_AFTER_MS = 3_600_000;

function err(code: string, call: CallInfo, message: string, retryable: boolean, extra: {
  details?: Record<string, unknown>; cause?: unknown; httpStatus?: number; retryAfterMs?: number; throttled?: boolean;
} = {}): ExternalServiceError {
  return new ExternalServiceError(REST_SERVICE, code, message, {
    retryable, cause: extra.cause, httpStatus: extra.httpStatus, retryAfterMs: extra.retryAfterMs, throttled: extra.throttled,
    details: { instance: call.instance, op: call.op, ...extra.details },
  });
}

export function rpcError(call: CallInfo, why: string, details: Record<string, unknown> = {}): ExternalServiceError {
  return err('erp.rpc_error', call, `ERP adapter ${call.instance} (${call.op}): ${why}`, false, { details });
}

/** `Retry-After` in milliseconds from `now`, or undefined when absent or unreadable; capped at an hour. */
export function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (header === null) return undefined;
  const v = header.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now.getTime());
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** A fetch that got no HTTP answer. `write`: the request may have reached the adapter and been applied. */
export function fromFetchFailure(call: CallInfo, e: unknown, o: { write: boolean; timeoutMs: number }): ExternalServiceError {
  const name = e instanceof Error ? e.name : '';
  const cause = e instanceof Error ? (e.cause as { code?: string; message?: string } | undefined) : undefined;
  const code = cause?.code ?? '';
  const timedOut = name === 'TimeoutError';
  const why = timedOut ? `no answer within ${o.timeoutMs} ms` : name === 'AbortError' ? 'request aborted' : code || cause?.message || (e instanceof Error ? e.message : String(e));
  // Refused or unresolvable: nothing reached the adapter, so even a write is simply "not done".
  const neverSent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code);
  const details = { reason: timedOut ? 'timeout' : name === 'AbortError' ? 'aborted' : 'network', ...(code ? { errno: code } : {}) };
  if (o.write && !neverSent) {
    return err('erp.result_unknown', call, `ERP adapter ${call.instance} (${call.op}): the write may have been applied, its answer was lost: ${why}`, true, { cause: e, details });
  }
  return err('erp.unavailable', call, `ERP adapter ${call.instance} unavailable (${call.op}): ${why}`, true, { cause: e, details });
}

/** The contract's `{error: {code, message}}`, when the body is one. */
export function errorBody(body: string): { code: string; message: string } | null {
  try {
    const j = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } } | null;
    const e = j && typeof j === 'object' ? j.error : undefined;
    if (e && typeof e.code === 'string' && typeof e.message === 'string' && e.message !== '') return { code: e.code, message: e.message };
  } catch { /* not JSON: handled by the caller */ }
  return null;
}

/** A non-2xx answer. */
export function fromHttpStatus(call: CallInfo, res: { status: number; body: string; retryAfter: string | null }, now: Date): ExternalServiceError {
  const { status } = res;
  const body = errorBody(res.body);
  const said = body ? `${body.message} (${body.code})` : `HTTP ${status}`;
  const details = { status, ...(body ? { adapterCode: body.code } : {}) };
  if (status === 429 || status >= 500) {
    const wait = retryAfterMs(res.retryAfter, now);
    const more = wait === undefined ? {} : { retryAfterSeconds: Math.ceil(wait / 1000) };
    return err('erp.unavailable', call, `ERP adapter ${call.instance} unavailable (${call.op}): ${said}`, true, {
      details: { ...details, ...more }, retryAfterMs: wait, throttled: status === 429,
    });
  }
  if (status === 401 || status === 403) {
    return err('erp.auth', call, `ERP adapter ${call.instance} refused the credentials (${call.op}): ${said}`, false, { details, httpStatus: 502 });
  }
  if (status === 422) {
    // The adapter's message is the ERP's own words: it reaches the card and the trail as it is.
    return err('erp.validation', call, body?.message ?? `the ERP refused the document (HTTP 422, ${call.op})`, false, { details, httpStatus: 422 });
  }
  if (status === 409) {
    return err('erp.not_allowed_in_state', call, body?.message ?? `the document's state does not allow ${call.op}`, false, { details, httpStatus: 409 });
  }
  if (status === 404 && body) {
    return err('erp.not_found', call, `ERP adapter ${call.instance} (${call.op}): ${said}`, false, { details, httpStatus: 404 });
  }
  if (status === 404) return rpcError(call, 'HTTP 404 without the contract\'s error body: is base_url or settings.path_prefix right?', details);
  return rpcError(call, said, details);
}
