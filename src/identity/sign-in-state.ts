import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/database.ts';
import { hashSecret, newSecret, sameSecret } from './sessions.ts';

/**
 * The OAuth `state` of a sign-in (RFC 6749 §10.12: the client must bind the authorization request to the browser, or an
 * attacker can log a victim in as the attacker): a random value, kept hashed in sign_in_states with its bot and the
 * page to go back to, and in a cookie of the browser that started it. The callback takes it only with a cookie of the
 * same value, deletes the row as it reads it (used once, even by two callbacks at the same instant), and only within
 * STATE_TTL_MS.
 */
export const STATE_TTL_MS = 10 * 60 * 1000;
export const STATE_COOKIE = 'aa_signin';
/** Where a sign-in returns when it names no page (or an unacceptable one). */
export const DEFAULT_RETURN_TO = '/console';
const RETURN_TO_MAX = 500;
/**
 * Sign-ins in progress at most. Starting one needs no credentials, so a flood of starts would otherwise add a row
 * each for STATE_TTL_MS; past this, starts are refused until older ones expire (a few hundred people signing in
 * within ten minutes stay far below it).
 */
export const MAX_PENDING_SIGN_INS = 5000;

/**
 * Starts a sign-in: answers the state to send to the platform (and to put in the browser's cookie), or null when
 * MAX_PENDING_SIGN_INS are already in progress.
 */
export async function beginSignIn(db: Kysely<Database>, clock: Clock, botId: string, returnTo: string, maxPending = MAX_PENDING_SIGN_INS): Promise<string | null> {
  const state = newSecret();
  const now = clock.now();
  // Starts that were never finished are cleared here, so the table holds at most the last STATE_TTL_MS of them.
  await db.deleteFrom('sign_in_states').where('expires_at', '<=', now).execute();
  const pending = await db.selectFrom('sign_in_states').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  if (Number(pending.n) >= maxPending) return null;
  await db.insertInto('sign_in_states').values({
    state_hash: hashSecret(state), bot_id: botId, return_to: returnTo, created_at: now, expires_at: new Date(now.getTime() + STATE_TTL_MS),
  }).execute();
  return state;
}

export type StateCheck = { ok: true; returnTo: string } | { ok: false; reason: 'missing' | 'not_this_browser' | 'unknown_or_used' | 'expired' | 'other_bot' };

/**
 * Takes the state a callback brings back. `cookieState` is the browser's cookie: a state from another browser (a link
 * an attacker had someone open) is refused without spending it.
 */
export async function consumeSignIn(db: Kysely<Database>, clock: Clock, botId: string, state: string | undefined, cookieState: string | undefined): Promise<StateCheck> {
  if (!state || state.length > 200) return { ok: false, reason: 'missing' };
  if (!cookieState || !sameSecret(state, cookieState)) return { ok: false, reason: 'not_this_browser' };
  const row = await db.deleteFrom('sign_in_states').where('state_hash', '=', hashSecret(state)).returning(['bot_id', 'return_to', 'expires_at']).executeTakeFirst();
  if (!row) return { ok: false, reason: 'unknown_or_used' };
  if (row.expires_at.getTime() <= clock.now().getTime()) return { ok: false, reason: 'expired' };
  if (row.bot_id !== botId) return { ok: false, reason: 'other_bot' };
  return { ok: true, returnTo: row.return_to };
}

/**
 * A page of this service to return to after signing in: a path on our own origin, never another site (no open
 * redirect). Refused, falling back to DEFAULT_RETURN_TO: anything not starting with one "/", "//host" and "/\host"
 * (browsers read both as another host), control characters, and whatever the URL parser resolves off our origin.
 */
export function safeReturnTo(raw: string | undefined): string {
  if (!raw || raw.length > RETURN_TO_MAX || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return DEFAULT_RETURN_TO;
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return DEFAULT_RETURN_TO;
  const base = 'http://sign-in.invalid';
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return DEFAULT_RETURN_TO;
  }
  if (url.origin !== base) return DEFAULT_RETURN_TO;
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * The state cookie: HttpOnly, limited to the bot's /auth paths, SameSite=Lax (the platform's redirect back is a
 * cross-site top-level GET, which Lax still sends the cookie on), Secure when the public URL is https.
 */
export function stateCookie(path: string, state: string, secure: boolean): string {
  return [`${STATE_COOKIE}=${state}`, `Path=${path}`, 'HttpOnly', 'SameSite=Lax', `Max-Age=${STATE_TTL_MS / 1000}`, ...(secure ? ['Secure'] : [])].join('; ');
}

export function clearedStateCookie(path: string, secure: boolean): string {
  return [`${STATE_COOKIE}=`, `Path=${path}`, 'HttpOnly', 'SameSite=Lax', 'Max-Age=0', ...(secure ? ['Secure'] : [])].join('; ');
}

/** The state cookie's value from a Cookie header. */
export function stateFromCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === STATE_COOKIE) {
      const v = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/.test(v) ? v : undefined;
    }
  }
  return undefined;
}
