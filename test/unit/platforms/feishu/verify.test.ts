import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildSignedWebhook } from '../../../fakes/feishu-server.ts';
import { computeSignature, decryptBody, openWebhook, verifySignature, verifyToken } from '../../../../src/platforms/feishu/verify.ts';

const encryptKey = 'test-encrypt-key';
const token = 'verify-token-1';
const now = new Date('2026-11-23T10:00:00Z');
const nowSec = Math.floor(now.getTime() / 1000);
const payload = { schema: '2.0', header: { event_id: 'e1', event_type: 'im.message.receive_v1', token }, event: {} };

function headersOf(h: Record<string, string>) {
  return { timestamp: h['x-lark-request-timestamp'], nonce: h['x-lark-request-nonce'], signature: h['x-lark-signature'] };
}

describe('feishu verify', () => {
  it('decrypts what Feishu encrypts (AES-256-CBC, sha256 key, IV prefix)', () => {
    const { body } = buildSignedWebhook(payload, { encryptKey, timestampSec: nowSec });
    const enc = (JSON.parse(body) as { encrypt: string }).encrypt;
    expect(decryptBody(enc, encryptKey)).toEqual({ ok: true, value: payload });
    expect(decryptBody(enc, 'other-key').ok).toBe(false);
  });

  it('accepts a correct signature over the raw body', () => {
    const { body, headers } = buildSignedWebhook(payload, { encryptKey, timestampSec: nowSec });
    expect(verifySignature(headersOf(headers), encryptKey, body, now)).toEqual({ ok: true, value: null });
  });

  it.each([
    ['forged signature', (h: Record<string, string>) => ({ ...h, 'x-lark-signature': 'a'.repeat(64) }), 'feishu.bad_signature'],
    ['missing signature', (h: Record<string, string>) => ({ ...h, 'x-lark-signature': '' }), 'feishu.missing_signature'],
  ])('rejects %s', (_name, mutate, reason) => {
    const { body, headers } = buildSignedWebhook(payload, { encryptKey, timestampSec: nowSec });
    expect(verifySignature(headersOf(mutate(headers)), encryptKey, body, now)).toEqual({ ok: false, reason });
  });

  it('rejects a body changed after signing (re-serialized JSON is not the raw body)', () => {
    const { body, headers } = buildSignedWebhook(payload, { encryptKey, timestampSec: nowSec });
    const reformatted = JSON.stringify(JSON.parse(body), null, 1);
    expect(verifySignature(headersOf(headers), encryptKey, reformatted, now)).toEqual({ ok: false, reason: 'feishu.bad_signature' });
  });

  it('rejects a stale or future timestamp outside the 5-minute window', () => {
    for (const ts of [nowSec - 301, nowSec + 301]) {
      const { body, headers } = buildSignedWebhook(payload, { encryptKey, timestampSec: ts });
      expect(verifySignature(headersOf(headers), encryptKey, body, now)).toEqual({ ok: false, reason: 'feishu.stale_timestamp' });
    }
    const { body, headers } = buildSignedWebhook(payload, { encryptKey, timestampSec: nowSec - 299 });
    expect(verifySignature(headersOf(headers), encryptKey, body, now).ok).toBe(true);
  });

  it('computes the documented signature formula', () => {
    expect(computeSignature('1', 'n', 'k', '{}')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('checks the verification token from header.token or top-level token', () => {
    expect(verifyToken(payload, token).ok).toBe(true);
    expect(verifyToken({ token, type: 'url_verification' }, token).ok).toBe(true);
    expect(verifyToken(payload, 'wrong')).toEqual({ ok: false, reason: 'feishu.bad_token' });
    expect(verifyToken({}, token)).toEqual({ ok: false, reason: 'feishu.missing_token' });
  });
});

describe('openWebhook', () => {
  const sec = { encryptKey, verificationToken: token };

  it('opens an encrypted, signed event', () => {
    const { body, headers } = buildSignedWebhook(payload, { encryptKey, timestampSec: nowSec });
    expect(openWebhook(body, headersOf(headers), sec, now)).toEqual({ ok: true, value: { kind: 'payload', body: payload } });
  });

  it('answers the unsigned, encrypted URL-verification challenge', () => {
    const { body } = buildSignedWebhook({ challenge: 'c-1', token, type: 'url_verification' }, { encryptKey, timestampSec: nowSec });
    const none = { timestamp: undefined, nonce: undefined, signature: undefined };
    expect(openWebhook(body, none, sec, now)).toEqual({ ok: true, value: { kind: 'challenge', challenge: 'c-1' } });
  });

  it('rejects an unsigned event when an encrypt key is configured', () => {
    const { body } = buildSignedWebhook(payload, { encryptKey, timestampSec: nowSec });
    const none = { timestamp: undefined, nonce: undefined, signature: undefined };
    expect(openWebhook(body, none, sec, now)).toEqual({ ok: false, reason: 'feishu.missing_signature' });
  });

  it('gives an unsigned body one answer whatever fails inside it (no padding or plaintext oracle)', () => {
    const none = { timestamp: undefined, nonce: undefined, signature: undefined };
    const sealed = (plain: Buffer): string => {
      const iv = Buffer.alloc(16, 7);
      const c = createCipheriv('aes-256-cbc', createHash('sha256').update(encryptKey).digest(), iv);
      return JSON.stringify({ encrypt: Buffer.concat([iv, c.update(plain), c.final()]).toString('base64') });
    };
    const badPadding = JSON.stringify({ encrypt: Buffer.concat([Buffer.alloc(16, 1), Buffer.alloc(32, 2)]).toString('base64') });
    const answers = [badPadding, sealed(Buffer.from('not json')), sealed(Buffer.from(JSON.stringify(payload)))].map((b) => openWebhook(b, none, sec, now));
    expect(answers).toEqual([0, 1, 2].map(() => ({ ok: false, reason: 'feishu.missing_signature' })));
  });

  it('rejects a wrong verification token inside a validly signed body', () => {
    const bad = { ...payload, header: { ...payload.header, token: 'nope' } };
    const { body, headers } = buildSignedWebhook(bad, { encryptKey, timestampSec: nowSec });
    expect(openWebhook(body, headersOf(headers), sec, now)).toEqual({ ok: false, reason: 'feishu.bad_token' });
  });

  it('rejects plaintext when encryption is configured, and accepts it with token-only security', () => {
    const plain = JSON.stringify(payload);
    const none = { timestamp: undefined, nonce: undefined, signature: undefined };
    expect(openWebhook(plain, none, sec, now)).toEqual({ ok: false, reason: 'feishu.unencrypted_body' });
    expect(openWebhook(plain, none, { verificationToken: token }, now).ok).toBe(true);
    expect(openWebhook('not json', none, { verificationToken: token }, now)).toEqual({ ok: false, reason: 'feishu.bad_json' });
  });
});
