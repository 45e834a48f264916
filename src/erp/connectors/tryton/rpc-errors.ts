import { ExternalServiceError } from '../../../core/errors.ts';

/**
 * How a Tryton 6.0 answer becomes one of the project's errors. Codes:
 * - `erp.unavailable` (retryable): no answer (connection refused or reset, timeout), 404 (trytond answers 404 when
 *   it cannot open the database), 5xx (trytond or a proxy in front of it);
 * - `erp.validation` (not retryable): Tryton's UserError or UserWarning, with Tryton's own message; access
 *   errors are UserErrors too ("You are not allowed to …"), so a missing right lands here with Tryton's wording;
 * - `erp.auth` (not retryable): a refused login, a LoginException (another factor wanted), too many failed
 *   logins (429), or a session Tryton rejects again right after a fresh login;
 * - `erp.rpc_error` (not retryable): anything else: a method that is not exposed (403), a server-side exception
 *   (Tryton sends its text and traceback), a body that is not Tryton's JSON-RPC.
 *
 * trytond's JSON-RPC answers (trytond/protocols/jsonrpc.py, Tryton 6.0): success `{"id", "result"}`; a Tryton
 * exception `{"id", "error": [name, args]}` on HTTP 200, where UserError args are `[message, description, domain]`
 * and UserWarning args `[name, message, description]`; any other exception `{"id", "error": [text, traceback]}`.
 * Missing or stale credentials are HTTP 401 before the method runs. Protocol: https://docs.tryton.org/projects/server/en/6.0/topics/rpc.html
 */
export const TRYTON_SERVICE = 'tryton';

export function unavailable(method: string, why: string, cause?: unknown, details: Record<string, unknown> = {}): ExternalServiceError {
  return new ExternalServiceError(TRYTON_SERVICE, 'erp.unavailable', `Tryton unavailable (${method}): ${why}`, {
    retryable: true, cause, details: { method, ...details },
  });
}

export function authFailed(method: string, why: string, details: Record<string, unknown> = {}): ExternalServiceError {
  return new ExternalServiceError(TRYTON_SERVICE, 'erp.auth', `Tryton authentication failed (${method}): ${why}`, {
    retryable: false, details: { method, ...details }, httpStatus: 502,
  });
}

export function rpcError(method: string, why: string, details: Record<string, unknown> = {}): ExternalServiceError {
  return new ExternalServiceError(TRYTON_SERVICE, 'erp.rpc_error', `Tryton call failed (${method}): ${why}`, {
    retryable: false, details: { method, ...details },
  });
}

/** A fetch failure: the request got no HTTP answer. */
export function fromFetchFailure(method: string, e: unknown, timeoutMs: number): ExternalServiceError {
  const name = e instanceof Error ? e.name : '';
  if (name === 'TimeoutError') return unavailable(method, `no answer within ${timeoutMs} ms`, e, { reason: 'timeout' });
  if (name === 'AbortError') return unavailable(method, 'request aborted', e, { reason: 'aborted' });
  const cause = e instanceof Error ? (e.cause as { code?: string; message?: string } | undefined) : undefined;
  const why = cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
  return unavailable(method, why, e, { reason: 'network' });
}

/** An HTTP answer other than 200 (401 is handled by the caller: it may re-login). */
export function fromHttpStatus(method: string, status: number): ExternalServiceError {
  if (status === 404 || status >= 500) return unavailable(method, `HTTP ${status}`, undefined, { status });
  if (status === 429) return authFailed(method, 'too many failed logins (HTTP 429); Tryton refuses logins for a while', { status });
  if (status === 403) return rpcError(method, 'HTTP 403: not an RPC method, or not allowed', { status });
  return rpcError(method, `HTTP ${status}`, { status });
}

const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

/** The `error` member of a JSON-RPC answer. */
export function fromFault(method: string, fault: unknown): ExternalServiceError {
  const [kind, args] = Array.isArray(fault) ? fault : [fault, undefined];
  const list = Array.isArray(args) ? args : [];
  switch (kind) {
    case 'UserError': {
      const description = text(list[1]);
      return new ExternalServiceError(TRYTON_SERVICE, 'erp.validation', text(list[0]) || 'Tryton refused the call', {
        retryable: false, httpStatus: 422, details: { method, kind, ...(description ? { description } : {}) },
      });
    }
    case 'UserWarning': {
      const description = text(list[2]);
      return new ExternalServiceError(TRYTON_SERVICE, 'erp.validation', text(list[1]) || 'Tryton warned about the call', {
        retryable: false, httpStatus: 422, details: { method, kind, warning: text(list[0]), ...(description ? { description } : {}) },
      });
    }
    case 'LoginException':
      return authFailed(method, `Tryton asks for "${text(list[0])}": ${text(list[1])}`, { kind });
    case 'ConcurrencyException':
      return rpcError(method, `the record changed since it was read: ${text(args)}`, { kind });
    default:
      // A server-side exception: the first element is its text, the second a traceback (empty unless trytond --dev).
      return rpcError(method, text(kind).split('\n')[0] || 'unknown error', { kind: 'ServerError' });
  }
}

/** Errors after which a write may have been applied by Tryton: the answer was lost, not refused. */
const LOST_ANSWER = /\b(timeout|aborted|ECONNRESET|EPIPE|UND_ERR_SOCKET)\b/;

/** A write (create, write, button) whose answer was lost (timeout, reset connection) may have been applied: erp.result_unknown. */
export async function writeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof ExternalServiceError && e.code === 'erp.unavailable' && LOST_ANSWER.test(`${String(e.details?.reason)} ${e.message}`)) {
      throw new ExternalServiceError(TRYTON_SERVICE, 'erp.result_unknown', `Tryton's answer to ${what} was lost; it may have been applied: ${e.message}`, {
        retryable: true, cause: e, details: { ...e.details },
      });
    }
    throw e;
  }
}
