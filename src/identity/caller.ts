import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/database.ts';
import { rolesOf, type Role } from './permissions.ts';
import { readSession, sameSecret, sessionTokenFrom, type Session } from './sessions.ts';
import { verifyServiceToken, type ServiceToken } from './service-tokens.ts';

/** Who is calling, as proven by a session cookie or a service token; never by a field the client fills in. */
export type Caller =
  | { kind: 'session'; tenantId: string; userId: string; roles: Role[]; session: Session }
  | { kind: 'token'; tenantId: string; token: ServiceToken };

/** Why a request is refused before it reaches a route; the guard answers it and audits it. */
export interface AuthRefusal { status: 401 | 403 | 503; code: string; message: string }

export interface CallerDeps { db: Kysely<Database>; clock: Clock }

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Reads the caller of a request. A bearer token that is not a live service token is refused (never ignored, so a
 * script with a revoked token learns so). A session's roles are read from the directory at each request, so a role
 * taken away in the directory stops working at once; a person deactivated in the directory is signed out.
 * Unsafe methods with a session need the session's CSRF token in `x-csrf-token` (compared in constant time): a
 * cookie is sent by the browser on its own, the header only by the page that read the token.
 */
export async function resolveCaller(c: Context, d: CallerDeps): Promise<Caller | AuthRefusal | null> {
  const auth = c.req.header('authorization');
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const token = m ? await verifyServiceToken(d.db, m[1]!, d.clock) : null;
    if (!token) return { status: 401, code: 'auth.invalid_token', message: 'the bearer token is unknown, revoked or expired' };
    return { kind: 'token', tenantId: token.tenantId, token };
  }
  const raw = sessionTokenFrom(c.req.header('cookie'));
  if (!raw) return null;
  const session = await readSession(d.db, raw, d.clock);
  if (!session) return null;
  const user = await d.db.selectFrom('users').select(['roles']).where('tenant_id', '=', session.tenantId).where('id', '=', session.userId)
    .where('active', '=', true).executeTakeFirst();
  if (!user) return null;
  if (!SAFE_METHODS.has(c.req.method) && !sameSecret(c.req.header('x-csrf-token') ?? '', session.csrf)) {
    return { status: 403, code: 'auth.csrf', message: 'missing or wrong x-csrf-token header for this session' };
  }
  return { kind: 'session', tenantId: session.tenantId, userId: session.userId, roles: rolesOf(user.roles), session };
}

export function isRefusal(x: Caller | AuthRefusal | null): x is AuthRefusal {
  return x !== null && 'status' in x;
}

/** How a caller is named in the audit log. */
export function actorOf(caller: Caller | null): string {
  if (!caller) return 'anonymous';
  return caller.kind === 'session' ? `user:${caller.userId}` : `token:${caller.token.id}:${caller.token.name}`;
}

/**
 * Whether the request came from this machine. The node server gives the socket (c.env.incoming, @hono/node-server's
 * bindings); a request made in-process with app.http.request (the test suite) has no socket and counts as loopback,
 * as it cannot come from the network.
 */
export function fromLoopback(c: Context): boolean {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  if (!env?.incoming) return true;
  const addr = env.incoming.socket?.remoteAddress ?? '';
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1' || addr.startsWith('127.');
}

/** Whether a listen address keeps the service on this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || host.startsWith('127.');
}
