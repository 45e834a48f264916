import { describe, expect, it } from 'vitest';
import { fromFetchFailure, fromHttpStatus, retryAfterMs } from '../../../src/erp/connectors/rest/errors.ts';

const call = { instance: 'acme-rest', op: 'PUT /documents/{external_key}' };
const now = new Date('2026-03-02T01:30:00Z');

function fetchFailed(code: string): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
}

describe('REST adapter error mapping', () => {
  it('a write that may have reached the adapter is result_unknown; one that never left is unavailable', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(fromFetchFailure(call, timeout, { write: true, timeoutMs: 500 })).toMatchObject({ code: 'erp.result_unknown', retryable: true, details: { reason: 'timeout' } });
    expect(fromFetchFailure(call, fetchFailed('UND_ERR_SOCKET'), { write: true, timeoutMs: 500 }).code).toBe('erp.result_unknown');
    expect(fromFetchFailure(call, fetchFailed('ECONNRESET'), { write: true, timeoutMs: 500 }).code).toBe('erp.result_unknown');
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']) {
      expect(fromFetchFailure(call, fetchFailed(code), { write: true, timeoutMs: 500 })).toMatchObject({ code: 'erp.unavailable', retryable: true, details: { errno: code } });
    }
    expect(fromFetchFailure(call, timeout, { write: false, timeoutMs: 500 })).toMatchObject({ code: 'erp.unavailable', message: expect.stringContaining('500 ms') });
  });

  it('reads Retry-After as seconds or an HTTP date, caps it, and ignores what it cannot read', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Mon, 02 Mar 2026 01:31:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('Mon, 02 Mar 2026 01:00:00 GMT', now), 'a date in the past: now').toBe(0);
    expect(retryAfterMs('999999', now)).toBe(3_600_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('maps each status of the contract', () => {
    const body = (code: string, message: string) => JSON.stringify({ error: { code, message } });
    const map = (status: number, b = '', retryAfter: string | null = null) => fromHttpStatus(call, { status, body: b, retryAfter }, now);
    expect(map(401, body('unauthorized', 'bad token'))).toMatchObject({ code: 'erp.auth', retryable: false });
    expect(map(403, body('forbidden', 'read only'))).toMatchObject({ code: 'erp.auth', retryable: false });
    expect(map(404, body('not_found', 'no such document'))).toMatchObject({ code: 'erp.not_found', retryable: false });
    expect(map(404, 'Not Found')).toMatchObject({ code: 'erp.rpc_error', retryable: false });
    expect(map(409, body('not_allowed_in_state', 'document is paid'))).toMatchObject({ code: 'erp.not_allowed_in_state', message: 'document is paid' });
    expect(map(422, body('validation', '科目 6602 不存在'))).toMatchObject({ code: 'erp.validation', retryable: false, message: '科目 6602 不存在' });
    expect(map(429, body('rate_limited', 'slow'), '3')).toMatchObject({ code: 'erp.unavailable', retryable: true, throttled: true, retryAfterMs: 3_000 });
    expect(map(500, 'oops')).toMatchObject({ code: 'erp.unavailable', retryable: true, throttled: false });
    expect(map(400, body('bad_request', 'payload.amount: required'))).toMatchObject({ code: 'erp.rpc_error', retryable: false, message: expect.stringContaining('payload.amount') });
  });
});
