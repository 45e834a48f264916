import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/database.ts';

/** Who a session belongs to and how they proved it. */
export interface SessionIdentity { tenantId: string; userId: string; via: 'feishu' | 'dingtalk' | 'bootstrap' | 'demo' }

/** A live session as read back from its cookie. */
export interface Session extends SessionIdentity { tokenHash: string; csrf: string; expiresAt: Date }

export const SESSION_COOKIE = 'aa_session';
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** SHA-256 of a secret, hex. Only this is stored, so a copy of the database cannot be replayed as a cookie or token. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A fresh random secret: 32 bytes, base64url (43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The CSRF token of a session is derived from its cookie token, so it is never stored and the page can read it back
 * from GET /console/api/session. Knowing the CSRF token does not give the cookie (one-way hash with a label).
 */
function csrfOf(token: string): string {
  return createHash('sha256').update(`csrf\u0000${token}`, 'utf8').digest('base64url');
}

/** Constant-time comparison of two strings (different lengths compare unequal without leaking where they differ). */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}

/**
 * SameSite=Lax rather than Strict: a person arriving from a link in Feishu or DingTalk (a cross-site, top-level GET)
 * still sees the page signed in, and the OAuth callback's redirect keeps the cookie. Lax never sends the cookie on a
 * cross-site POST, and every unsafe request must also carry the x-csrf-token header, which another site cannot read.
 */
export function sessionCookie(token: string, maxAgeSec: number, secure: boolean): string {
  return [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSec}`, ...(secure ? ['Secure'] : [])].join('; ');
}

/** The Set-Cookie value that removes the session cookie in the browser. */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}

/** Creates a session row (token hashed at rest) and answers the Set-Cookie header value and the CSRF token. */
export async function createSession(
  db: Kysely<Database>, s: SessionIdentity, clock: Clock, opts?: { secure?: boolean; ttlMs?: number },
): Promise<{ setCookie: string; csrf: string; expiresAt: Date }> {
  const token = newSecret();
  const now = clock.now();
  const ttlMs = opts?.ttlMs ?? DEFAULT_SESSION_TTL_MS;
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db.insertInto('auth_sessions').values({
    token_hash: hashSecret(token), tenant_id: s.tenantId, user_id: s.userId, via: s.via, created_at: now, expires_at: expiresAt,
  }).execute();
  return { setCookie: sessionCookie(token, Math.floor(ttlMs / 1000), opts?.secure ?? false), csrf: csrfOf(token), expiresAt };
}

/** The session token from a Cookie header, if any. */
export function sessionTokenFrom(cookieHeader: string | undefined | null): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const v = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{43}$/.test(v) ? v : null;
    }
  }
  return null;
}

/** The live (not expired, not signed out) session of a cookie token, or null. */
export async function readSession(db: Kysely<Database>, token: string, clock: Clock): Promise<Session | null> {
  const row = await db.selectFrom('auth_sessions').selectAll().where('token_hash', '=', hashSecret(token)).executeTakeFirst();
  if (!row || row.revoked_at || row.expires_at.getTime() <= clock.now().getTime()) return null;
  return {
    tenantId: row.tenant_id, userId: row.user_id, via: row.via as SessionIdentity['via'], tokenHash: row.token_hash,
    csrf: csrfOf(token), expiresAt: row.expires_at,
  };
}

/** Sign-out: the session's row is marked revoked, so the cookie no longer works even if the browser keeps it. */
export async function revokeSession(db: Kysely<Database>, tokenHash: string, clock: Clock): Promise<void> {
  await db.updateTable('auth_sessions').set({ revoked_at: clock.now() }).where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).execute();
}

/** Old sessions are not kept forever: rows that expired or were revoked before `before` are deleted. */
export async function pruneSessions(db: Kysely<Database>, before: Date): Promise<number> {
  const r = await db.deleteFrom('auth_sessions').where((eb) => eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before)])).executeTakeFirst();
  return Number(r.numDeletedRows);
}
