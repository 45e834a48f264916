import type { Context, MiddlewareHandler } from 'hono';
import { AppError, ValidationError } from '../core/errors.ts';
import type { AuditedRefusal, GuardDeps } from './admin-guard.ts';
import type { SignInLink } from './sign-in-bots.ts';
import { actorOf, fromLoopback, isRefusal, resolveCaller, type Caller } from './caller.ts';

/** A way to sign in the console page offers (sign-in-bots.ts): which platform and bot, and where to go. */
export type SignInOption = SignInLink;

export interface ConsoleGuardDeps extends GuardDeps {
  /** CONSOLE_DEMO: "pick any user" for clients on this machine, without signing in. */
  demo: boolean;
  /** The sign-in links to show (empty when no bot has sign-in configured). */
  signIn: () => SignInOption[];
}

interface ConsoleCall {
  caller: Caller | null;
  /** Demo mode and a loopback client: a claimed `user` is taken as given. */
  demoAllowed: boolean;
  /** Demo mode, but the client is not on this machine. */
  demoRefused: boolean;
  deps: ConsoleGuardDeps;
}

const calls = new WeakMap<Request, ConsoleCall>();

/**
 * Reads who is calling a console API (every console bot's /api). It refuses only what is wrong whatever the
 * route: no sign-in configured beyond loopback (503), a bad bearer token or a missing CSRF header (401/403).
 * Which person acts is settled by actingUser() in the route, which knows the body.
 */
export function consoleGuard(d: ConsoleGuardDeps): MiddlewareHandler {
  return async (c, next) => {
    const refuse = async (status: 401 | 403 | 503, code: string, message: string, caller: Caller | null) => {
      await d.onRefused({ tenantId: caller?.tenantId ?? null, actor: actorOf(caller), method: c.req.method, path: c.req.path, status, code });
      return c.json({ error: { code, message } }, status);
    };
    const why = d.notConfigured();
    if (why) return refuse(503, 'auth.not_configured', why, null);
    const caller = await resolveCaller(c, d);
    if (isRefusal(caller)) return refuse(caller.status, caller.code, caller.message, null);
    const loopback = fromLoopback(c);
    calls.set(c.req.raw, { caller, demoAllowed: d.demo && loopback, demoRefused: d.demo && !loopback, deps: d });
    await next();
  };
}

function callOf(c: Context): ConsoleCall {
  const call = calls.get(c.req.raw);
  // No guard ran (a mount without it): refuse rather than trust the body.
  if (!call) throw new AppError('auth.required', 'sign in to use the console', { httpStatus: 401 });
  return call;
}

/**
 * The person a console request acts as, for a console bot of `tenant`. Signed in: the session's person; a `user`
 * naming someone else is impersonation: refused (403 auth.impersonation) and audited. A service token with
 * `console:act-as` (test and automation drivers) speaks for the `user` it names, in its own tenant. Demo mode:
 * the claimed `user`, for loopback clients only.
 */
export async function actingUser(c: Context, claimed: string | undefined, tenant: string): Promise<string> {
  const call = callOf(c);
  const { caller, deps } = call;
  const refuse = async (status: 400 | 401 | 403, code: string, message: string, extra: Partial<AuditedRefusal> = {}): Promise<never> => {
    await deps.onRefused({ tenantId: caller?.tenantId ?? tenant, actor: actorOf(caller), method: c.req.method, path: c.req.path, status, code, ...extra });
    throw new AppError(code, message, { httpStatus: status });
  };
  if (caller && caller.tenantId !== tenant) return refuse(403, 'auth.tenant_mismatch', `you are signed in for tenant "${caller.tenantId}", not "${tenant}"`);
  if (caller?.kind === 'session') {
    if (claimed !== undefined && claimed !== caller.userId) {
      return refuse(403, 'auth.impersonation', `you are signed in as "${caller.userId}" and cannot act as "${claimed}"`, { claimed });
    }
    return caller.userId;
  }
  if (caller?.kind === 'token') {
    if (!caller.token.scopes.includes('console:act-as')) return refuse(403, 'auth.forbidden', 'this token lacks the console:act-as scope');
    if (claimed === undefined) throw new ValidationError('request.invalid', 'user: required with a service token');
    return claimed;
  }
  if (call.demoAllowed) {
    if (claimed === undefined) throw new ValidationError('request.invalid', 'user: required in demo mode');
    return claimed;
  }
  if (call.demoRefused) return refuse(403, 'auth.demo_loopback_only', 'demo mode answers clients on this machine only; sign in');
  return refuse(401, 'auth.required', 'sign in to use the console');
}

/** Whether the caller may see everyone (the demo's user picker) rather than only themselves. */
export function mayPickAnyUser(c: Context): boolean {
  const call = callOf(c);
  return call.caller === null && call.demoAllowed;
}

/** What GET /console/api/session answers, except the person's name (the route reads it from the directory). */
export function sessionInfo(c: Context): { userId: string | null; tenantId: string | null; demo: boolean; csrf: string | null; signIn: SignInOption[] } {
  const { caller, demoAllowed, deps } = callOf(c);
  const session = caller?.kind === 'session' ? caller : null;
  return { userId: session?.userId ?? null, tenantId: session?.tenantId ?? null, demo: demoAllowed, csrf: session?.session.csrf ?? null, signIn: deps.signIn() };
}
