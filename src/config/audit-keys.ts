/**
 * AUDIT_HMAC_KEYS (and the embedded default's key file): `id:<base64>` entries, comma-separated. The first signs
 * new chain heads and checkpoints; the others only verify what was signed with them, so a key is rotated by putting
 * the new one first and keeping the old one after it until nothing signed with it is left to check.
 */
export interface HmacKey { id: string; key: Buffer }

/** Below 16 bytes a key could be guessed offline from one head; 32 (openssl rand -base64 32) is what we create. */
const MIN_KEY_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parses the list; throws an Error naming the first bad entry (never echoing the key itself). */
export function parseHmacKeys(text: string): HmacKey[] {
  const keys: HmacKey[] = [];
  for (const [i, raw] of text.split(',').map((s) => s.trim()).filter((s) => s !== '').entries()) {
    const at = raw.indexOf(':');
    const id = at < 0 ? '' : raw.slice(0, at);
    const b64 = at < 0 ? '' : raw.slice(at + 1);
    if (!KEY_ID.test(id)) throw new Error(`entry ${i + 1}: expected <key id>:<base64 key>, the id of letters, digits, _ or - (at most 32)`);
    if (!BASE64.test(b64)) throw new Error(`entry ${i + 1} (${id}): the key is not base64`);
    const key = Buffer.from(b64, 'base64');
    if (key.length < MIN_KEY_BYTES) throw new Error(`entry ${i + 1} (${id}): the key has ${key.length} bytes, at least ${MIN_KEY_BYTES} needed`);
    if (keys.some((k) => k.id === id)) throw new Error(`entry ${i + 1}: key id ${id} appears twice`);
    keys.push({ id, key });
  }
  if (keys.length === 0) throw new Error('no key');
  return keys;
}
