import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/** Builds a webhook POST exactly as Feishu does with an Encrypt Key: `{"encrypt": …}` + X-Lark-* signature headers. */
export function buildSignedWebhook(payload: unknown, opts: { encryptKey: string; timestampSec: number; nonce?: string }): { body: string; headers: Record<string, string> } {
  const key = createHash('sha256').update(opts.encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([iv, cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]).toString('base64');
  const body = JSON.stringify({ encrypt: encrypted });
  const timestamp = String(opts.timestampSec);
  const nonce = opts.nonce ?? randomBytes(8).toString('hex');
  const signature = createHash('sha256').update(timestamp + nonce + opts.encryptKey + body).digest('hex');
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': signature },
  };
}
