import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';

/**
 * Pure checks for Feishu webhook requests (docs/platforms/feishu.md §2.3–§2.6). The SDK hashes a re-serialized
 * body, skips the timestamp and never compares the verification token, so we do all of it ourselves.
 */

/** Feishu signs events with a timestamp but sets no freshness rule; 5 min bounds replay of a captured request. */
export const SIGNATURE_WINDOW_SEC = 300;

export interface SignedHeaders {
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
}

export type VerifyResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** AES-256-CBC, key = sha256(encryptKey), first 16 bytes of the base64 payload are the IV (docs/platforms/feishu.md §2.4). */
export function decryptBody(encrypt: string, encryptKey: string): VerifyResult<unknown> {
  try {
    const key = createHash('sha256').update(encryptKey).digest();
    const buf = Buffer.from(encrypt, 'base64');
    if (buf.length < 32) return { ok: false, reason: 'feishu.bad_ciphertext' };
    const decipher = createDecipheriv('aes-256-cbc', key, buf.subarray(0, 16));
    const plain = Buffer.concat([decipher.update(buf.subarray(16)), decipher.final()]).toString('utf8');
    return { ok: true, value: JSON.parse(plain) as unknown };
  } catch (e: unknown) {
    return { ok: false, reason: e instanceof SyntaxError ? 'feishu.bad_plaintext' : 'feishu.decrypt_failed' };
  }
}

/** hex(sha256(timestamp + nonce + encryptKey + rawBody)), computed over the RAW bytes we received (docs/platforms/feishu.md §2.5). */
export function computeSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey + rawBody).digest('hex');
}

export function verifySignature(h: SignedHeaders, encryptKey: string, rawBody: string, now: Date): VerifyResult<null> {
  if (!h.timestamp || !h.nonce || !h.signature) return { ok: false, reason: 'feishu.missing_signature' };
  const ts = Number(h.timestamp);
  if (!Number.isFinite(ts)) return { ok: false, reason: 'feishu.bad_timestamp' };
  if (Math.abs(now.getTime() / 1000 - ts) > SIGNATURE_WINDOW_SEC) return { ok: false, reason: 'feishu.stale_timestamp' };
  const expected = Buffer.from(computeSignature(h.timestamp, h.nonce, encryptKey, rawBody), 'utf8');
  const given = Buffer.from(h.signature.toLowerCase(), 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'feishu.bad_signature' };
  return { ok: true, value: null };
}

/** Token from a 2.0 envelope (`header.token`) or a 1.0 / challenge body (top-level `token`). */
export function extractToken(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const rec = body as Record<string, unknown>;
  const header = rec['header'];
  if (typeof header === 'object' && header !== null) {
    const t = (header as Record<string, unknown>)['token'];
    if (typeof t === 'string') return t;
  }
  return typeof rec['token'] === 'string' ? rec['token'] : undefined;
}

export function verifyToken(body: unknown, expected: string): VerifyResult<null> {
  const got = extractToken(body);
  if (got === undefined) return { ok: false, reason: 'feishu.missing_token' };
  const a = Buffer.from(got);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b) ? { ok: true, value: null } : { ok: false, reason: 'feishu.bad_token' };
}

export interface WebhookSecurity {
  encryptKey?: string | undefined;
  verificationToken?: string | undefined;
}

export type OpenedWebhook =
  | { kind: 'challenge'; challenge: string }
  | { kind: 'payload'; body: Record<string, unknown> };

/**
 * Full check of one webhook POST: parse, signature over the raw body (when an encrypt key is set and the
 * request is not the unsigned URL-verification challenge), decryption, verification token.
 */
export function openWebhook(rawBody: string, headers: SignedHeaders, sec: WebhookSecurity, now: Date): VerifyResult<OpenedWebhook> {
  let outer: unknown;
  try { outer = JSON.parse(rawBody); } catch { return { ok: false, reason: 'feishu.bad_json' }; }
  if (typeof outer !== 'object' || outer === null) return { ok: false, reason: 'feishu.bad_json' };
  let body = outer as Record<string, unknown>;
  const signed = headers.signature !== undefined || headers.timestamp !== undefined;
  if (typeof body['encrypt'] === 'string') {
    if (!sec.encryptKey) return { ok: false, reason: 'feishu.unexpected_encryption' };
    if (signed) {
      const sig = verifySignature(headers, sec.encryptKey, rawBody, now);
      if (!sig.ok) return sig;
    }
    const dec = decryptBody(body['encrypt'], sec.encryptKey);
    // Only the URL-verification challenge comes unsigned, so an unsigned body is decrypted just to see
    // whether it is one. Whatever fails in there gets the one answer an unsigned event gets: telling a
    // padding error from a JSON error would be a decryption oracle.
    if (!dec.ok || typeof dec.value !== 'object' || dec.value === null) {
      return { ok: false, reason: signed ? (dec.ok ? 'feishu.bad_plaintext' : dec.reason) : 'feishu.missing_signature' };
    }
    body = dec.value as Record<string, unknown>;
  } else if (sec.encryptKey) {
    return { ok: false, reason: 'feishu.unencrypted_body' };
  }
  const isChallenge = body['type'] === 'url_verification';
  // Every non-challenge request must be signed when an encrypt key is configured (docs/platforms/feishu.md §2.5); the challenge never is.
  if (sec.encryptKey && !isChallenge && !signed) return { ok: false, reason: 'feishu.missing_signature' };
  if (sec.verificationToken) {
    const tok = verifyToken(body, sec.verificationToken);
    if (!tok.ok) return tok;
  }
  if (isChallenge) {
    return typeof body['challenge'] === 'string' ? { ok: true, value: { kind: 'challenge', challenge: body['challenge'] } } : { ok: false, reason: 'feishu.bad_challenge' };
  }
  return { ok: true, value: { kind: 'payload', body } };
}
