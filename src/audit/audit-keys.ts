import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseHmacKeys, type HmacKey } from '../config/audit-keys.ts';

/**
 * The keys that authenticate chain heads and checkpoint lines. They never go into the database: whoever can write
 * to it can recompute every SHA-256 of the chains, but cannot make a MAC without the key.
 */
export class AuditKeys {
  private readonly byId: Map<string, Buffer>;

  constructor(readonly keys: readonly HmacKey[]) {
    if (keys.length === 0) throw new Error('audit keys: none given');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The key new MACs are made with: the first one listed. */
  get currentId(): string {
    return this.keys[0]!.id;
  }

  /** HMAC-SHA256 of `text` under the current key, hex, with the key's id. */
  sign(text: string): { keyId: string; mac: string } {
    return { keyId: this.currentId, mac: createHmac('sha256', this.keys[0]!.key).update(text, 'utf8').digest('hex') };
  }

  /** 'ok', 'unknown_key' (an id none of the configured keys has) or 'mismatch'; compared in constant time. */
  check(text: string, keyId: string, mac: string): 'ok' | 'unknown_key' | 'mismatch' {
    const key = this.byId.get(keyId);
    if (!key) return 'unknown_key';
    const want = createHmac('sha256', key).update(text, 'utf8').digest();
    const got = Buffer.from(/^[0-9a-f]{64}$/.test(mac) ? mac : '', 'hex');
    return got.length === want.length && timingSafeEqual(got, want) ? 'ok' : 'mismatch';
  }
}

/** What a head's MAC covers: the chain's name, its tenant, and where its head was (seq, row hash). */
export function headMacText(tenantId: string, chain: string, seq: number, hash: string): string {
  return `audit-head\n${tenantId}\n${chain}\n${seq}\n${hash}`;
}

/**
 * The embedded default, when AUDIT_HMAC_KEYS is unset: a key file beside the data directory (not in it: PGlite's
 * directory is the database, and a copy or backup of it must not carry the key). Created on first start with a
 * random 32-byte key, readable by the owner only. `create: false` (the CLI) reads it or answers null.
 */
export function keyFile(path: string, create: boolean): { keys: AuditKeys; created: boolean } | null {
  if (existsSync(path)) return { keys: new AuditKeys(parseHmacKeys(readFileSync(path, 'utf8'))), created: false };
  if (!create) return null;
  mkdirSync(dirname(path), { recursive: true });
  // 'wx': two processes starting at once cannot both create it (the loser reads the winner's).
  try {
    writeFileSync(path, `local:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return { keys: new AuditKeys(parseHmacKeys(readFileSync(path, 'utf8'))), created: false };
  }
  return { keys: new AuditKeys(parseHmacKeys(readFileSync(path, 'utf8'))), created: true };
}
