import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PushRefused, pushSignature, verifyPush } from '../../../src/erp/erp-push.ts';

const inst = { id: 'erp-a', tenant: 'default', secret: 'a-shared-secret-of-some-length', windowMs: 300_000 };
const now = new Date('2026-04-01T10:00:00Z');
const ts = String(now.getTime() / 1000);
const body = '{"event_id":"e1","documents":[{"id":"7"}]}';

function refusal(f: () => unknown): PushRefused {
  try {
    f();
  } catch (e) {
    if (e instanceof PushRefused) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('ERP push signatures', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>" in lower-case hex, computed independently here', () => {
    const expected = createHmac('sha256', inst.secret).update(`${ts}.${body}`).digest('hex');
    expect(pushSignature(inst.secret, ts, body)).toBe(`sha256=${expected}`);
    expect(verifyPush(inst, { eventId: 'e1', timestamp: ts, signature: `sha256=${expected}` }, body, now)).toBe('e1');
  });

  it('refuses a changed body, a re-dated timestamp and another secret', () => {
    const sig = pushSignature(inst.secret, ts, body);
    expect(refusal(() => verifyPush(inst, { eventId: 'e1', timestamp: ts, signature: sig }, body.replace('7', '8'), now)).code).toBe('erp.push_bad_signature');
    const later = String(Number(ts) + 10);
    expect(refusal(() => verifyPush(inst, { eventId: 'e1', timestamp: later, signature: sig }, body, now)).code).toBe('erp.push_bad_signature');
    const other = pushSignature('another-secret-of-some-length', ts, body);
    expect(refusal(() => verifyPush(inst, { eventId: 'e1', timestamp: ts, signature: other }, body, now)).httpStatus).toBe(401);
  });

  it('refuses a timestamp outside the window either way, before looking at the signature', () => {
    for (const skew of [-301, 301]) {
      const t = String(Number(ts) + skew);
      const e = refusal(() => verifyPush(inst, { eventId: 'e1', timestamp: t, signature: pushSignature(inst.secret, t, body) }, body, now));
      expect([e.code, e.httpStatus]).toEqual(['erp.push_stale', 401]);
    }
    const t = String(Number(ts) + 299);
    expect(verifyPush(inst, { eventId: 'e1', timestamp: t, signature: pushSignature(inst.secret, t, body) }, body, now)).toBe('e1');
  });

  it('refuses missing or malformed headers with 400', () => {
    const sig = pushSignature(inst.secret, ts, body);
    for (const h of [
      { timestamp: ts, signature: sig }, { eventId: 'e1', signature: sig }, { eventId: 'e1', timestamp: ts },
      { eventId: 'has space', timestamp: ts, signature: sig }, { eventId: 'e1', timestamp: '2026-04-01', signature: sig },
      { eventId: 'e1', timestamp: ts, signature: sig.toUpperCase() }, { eventId: 'e1', timestamp: ts, signature: sig.slice(0, -2) },
    ]) {
      const e = refusal(() => verifyPush(inst, h, body, now));
      expect([e.code, e.httpStatus]).toEqual(['erp.push_bad_request', 400]);
    }
  });
});
