import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../core/errors.ts';
import { actorOf, isRefusal, resolveCaller, type AuthRefusal, type Caller, type CallerDeps } from './caller.ts';
import { adminRuleFor, scopeFor } from './permissions.ts';

/** An auth refusal to audit: who tried (as far as known), what, and why. */
export interface AuditedRefusal { tenantId: string | null; actor: string; method: string; path: string; status: number; code: string; claimed?: string }

export interface GuardDeps extends CallerDeps {
  /** Set when the service listens beyond loopback with no way to sign in: every guarded API answers 503 with it. */
  notConfigured: () => string | null;
  /** Records a refusal in the audit log. */
  onRefused: (r: AuditedRefusal) => Promise<void>;
}

/** The admin caller of a request, set by the guard (a WeakMap on the raw request: nothing the client can write). */
const admitted = new WeakMap<Request, Caller>();

/**
 * The tenant an admin API route works on: always the caller's (a session's or a token's tenant). A `tenant=` in the
 * query naming another tenant was refused by the guard before the route ran.
 */
export function adminTenant(c: Context): string {
  const caller = admitted.get(c.req.raw);
  if (!caller) throw new AppError('auth.required', 'no admin caller on this request', { httpStatus: 401 });
  return caller.tenantId;
}

/** The admin caller (for audit rows naming who did it). */
export function adminActor(c: Context): string {
  return actorOf(admitted.get(c.req.raw) ?? null);
}

/**
 * Guards every /admin/api route: who (session or service token), which role or scope the route's rule
 * (permissions.ts) wants, and which tenant. Refusals answer `{ error: { code, message } }` and are audited.
 */
export function adminGuard(d: GuardDeps): MiddlewareHandler {
  return async (c, next) => {
    const refuse = async (r: AuthRefusal, caller: Caller | null) => {
      await d.onRefused({ tenantId: caller?.tenantId ?? null, actor: actorOf(caller), method: c.req.method, path: c.req.path, status: r.status, code: r.code });
      return c.json({ error: { code: r.code, message: r.message } }, r.status);
    };
    const why = d.notConfigured();
    if (why) return refuse({ status: 503, code: 'auth.not_configured', message: why }, null);
    const caller = await resolveCaller(c, d);
    if (isRefusal(caller)) return refuse(caller, null);
    if (!caller) return refuse({ status: 401, code: 'auth.required', message: 'sign in, or send a service token as Authorization: Bearer' }, null);
    const rule = adminRuleFor(c.req.method, c.req.path);
    if (!rule) return refuse({ status: 403, code: 'auth.no_rule', message: `no permission rule for ${c.req.method} ${c.req.path}` }, caller);
    const allowed = caller.kind === 'session'
      ? caller.roles.some((r) => rule.roles.includes(r))
      : caller.token.scopes.includes(scopeFor(rule));
    if (!allowed) {
      const need = caller.kind === 'session' ? `one of the roles ${rule.roles.join(', ')}` : `the scope ${scopeFor(rule)}`;
      return refuse({ status: 403, code: 'auth.forbidden', message: `${c.req.method} ${rule.path} needs ${need}` }, caller);
    }
    const asked = c.req.query('tenant');
    if (asked !== undefined && asked !== caller.tenantId) {
      return refuse({ status: 403, code: 'auth.tenant_mismatch', message: `you act for tenant "${caller.tenantId}", not "${asked}"` }, caller);
    }
    admitted.set(c.req.raw, caller);
    await next();
  };
}
