/**
 * Who may call which admin API route: the one table the admin guard (admin-guard.ts) reads. A route without a
 * rule is refused to everyone (test/unit/identity/admin-permissions.test.ts lists the app's routes and fails on a
 * route missing here), so a new route cannot ship open by accident.
 *
 * Roles per tenant come from the directory (users.roles):
 * - admin: everything in the admin API;
 * - finance: requests, timelines, cycle times, ERP connector health, reconciliation (list, run, resolve);
 * - auditor: read-only: every GET, nothing that changes state;
 * - employee (every directory member): no admin API; the console, as themselves.
 * Service tokens carry scopes instead of roles: `admin:read` for GET routes, `admin:write` for the others,
 * `console:act-as` for drivers that speak in the console for a named person.
 */
export type Role = 'admin' | 'finance' | 'auditor' | 'employee';
export const ROLES: readonly Role[] = ['admin', 'finance', 'auditor', 'employee'];
export type Scope = 'admin:read' | 'admin:write' | 'console:act-as';
export const SCOPES: readonly Scope[] = ['admin:read', 'admin:write', 'console:act-as'];

export interface AdminRule { method: 'GET' | 'POST'; path: string; roles: readonly Role[] }

const READERS: readonly Role[] = ['admin', 'finance', 'auditor'];
const ADMIN_ONLY: readonly Role[] = ['admin'];
const AUDIT_READERS: readonly Role[] = ['admin', 'auditor'];

export const ADMIN_RULES: readonly AdminRule[] = [
  { method: 'GET', path: '/admin/api/requests', roles: READERS },
  { method: 'GET', path: '/admin/api/requests/:id', roles: READERS },
  { method: 'GET', path: '/admin/api/requests/:id/timeline', roles: READERS },
  { method: 'GET', path: '/admin/api/cycle-times', roles: READERS },
  { method: 'GET', path: '/admin/api/erp/connectors', roles: READERS },
  { method: 'GET', path: '/admin/api/reconciliation/findings', roles: READERS },
  { method: 'POST', path: '/admin/api/reconciliation/run', roles: ['admin', 'finance'] },
  { method: 'POST', path: '/admin/api/reconciliation/findings/:id/resolve', roles: ['admin', 'finance'] },
  { method: 'GET', path: '/admin/api/jobs/dead', roles: AUDIT_READERS },
  { method: 'POST', path: '/admin/api/jobs/:id/replay', roles: ADMIN_ONLY },
  { method: 'GET', path: '/admin/api/audit/verify', roles: AUDIT_READERS },
  { method: 'POST', path: '/admin/api/directory/sync', roles: ADMIN_ONLY },
];

const compiled = ADMIN_RULES.map((r) => ({
  rule: r,
  re: new RegExp(`^${r.path.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}/?$`),
}));

/** The rule for a request (HEAD is a GET), or undefined: no rule, no access. */
export function adminRuleFor(method: string, path: string): AdminRule | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  // Literal segments win over parameters (/requests/:id/timeline vs /requests/:id): the longest matching pattern.
  return compiled.filter((c) => c.rule.method === m && c.re.test(path)).sort((a, b) => b.rule.path.length - a.rule.path.length)[0]?.rule;
}

/** The scope a service token needs for a rule: reading or changing. */
export function scopeFor(rule: AdminRule): Scope {
  return rule.method === 'GET' ? 'admin:read' : 'admin:write';
}

/** A directory member's roles as the admin API knows them: every member is an employee; other words are ignored. */
export function rolesOf(directoryRoles: readonly string[]): Role[] {
  const out = new Set<Role>(['employee']);
  for (const r of directoryRoles) if ((ROLES as readonly string[]).includes(r)) out.add(r as Role);
  return [...out];
}
