import { Hono, type MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { appendAudit } from '../audit/audit-log.ts';
import type { AppConfig } from '../config/env.ts';
import type { Clock } from '../core/clock.ts';
import type { Locale } from '../core/locale.ts';
import type { Database } from '../db/database.ts';
import { adminGuard, type AuditedRefusal } from '../identity/admin-guard.ts';
import { issueBootstrapLink } from '../identity/bootstrap.ts';
import { bootstrapRoutes } from '../identity/bootstrap-routes.ts';
import { isLoopbackHost } from '../identity/caller.ts';
import { consoleGuard, type SignInOption } from '../identity/console-guard.ts';

export interface IdentityWiringDeps {
  db: Kysely<Database>;
  config: AppConfig;
  clock: Clock;
  logger: Logger;
  /** The console's tenant (the bootstrap link signs in its first admin) and language. */
  tenant: string;
  locale: Locale;
  /** Sign-in links of the bots that offer it (wire-sign-in.ts), and whether there is any. */
  signIn: { links: () => SignInOption[]; configured: boolean };
  /** The mount paths of the console bots ("/console", "/console/<bot id>"). */
  consolePaths: string[];
}

export interface IdentityWiring {
  /** Guards and the bootstrap route, mounted before every other route so they run first. */
  mounts: { path: string; app: Hono }[];
  /** Set when the service listens beyond loopback with no sign-in and no demo: why the APIs are closed. */
  notConfigured: string | null;
  /** After listening: the one start-up line about access (closed APIs, or the bootstrap link). */
  announce: (port: number) => Promise<void>;
}

/**
 * Who may call what (src/identity): the console and admin API guards, the bootstrap link. Refusals by someone who
 * proved who they are (a session, a token: impersonation, another tenant, a missing role) are audit rows naming
 * them, bounded by the credentials that exist; anonymous refusals are counted with all others by the HTTP app
 * (src/http/refusals.ts), so a flood of them adds counters, not rows.
 */
export function wireIdentity(d: IdentityWiringDeps): IdentityWiring {
  const { db, config, clock, logger } = d;
  const secureCookies = config.publicUrl?.startsWith('https://') ?? false;
  const notConfigured = !isLoopbackHost(config.host) && !d.signIn.configured && !config.consoleDemo
    ? `listening on ${config.host} beyond this machine with no sign-in configured (no Feishu or DingTalk bot with sign_in and PUBLIC_URL): `
      + 'the console and admin APIs are closed; configure sign-in, or set HOST=127.0.0.1'
    : null;
  const onRefused = async (r: AuditedRefusal): Promise<void> => {
    if (!r.tenantId || r.actor === 'anonymous') return;
    await appendAudit(db, {
      tenantId: r.tenantId, at: clock.now(), actor: r.actor, action: r.code === 'auth.impersonation' ? 'auth.impersonation' : 'auth.refused', source: 'api',
      subjectType: 'endpoint', subjectId: r.path.slice(0, 200), meta: { method: r.method, status: r.status, code: r.code, ...(r.claimed ? { claimed: r.claimed } : {}) },
    }).catch((e: unknown) => logger.warn({ err: e }, 'audit of a refused request failed'));
  };
  const base = { db, clock, notConfigured: () => notConfigured, onRefused };
  const guardApp = (path: string, handler: MiddlewareHandler): Hono => {
    const app = new Hono();
    app.use(path, handler);
    return app;
  };
  const cGuard = consoleGuard({ ...base, demo: config.consoleDemo, signIn: d.signIn.links });
  const mounts: { path: string; app: Hono }[] = [
    { path: '/admin', app: guardApp('/api/*', adminGuard(base)) },
    ...d.consolePaths.map((p) => ({ path: p, app: guardApp('/api/*', cGuard) })),
    { path: '/auth', app: bootstrapRoutes({
      db, clock, locale: d.locale, secureCookies, sessionTtlMs: config.sessionTtlMs, home: `${config.publicUrl ?? ''}/console`,
      onEvent: async (e) => {
        if (!e.tenantId) return;
        await appendAudit(db, { tenantId: e.tenantId, at: clock.now(), actor: e.userId ? `user:${e.userId}` : 'anonymous', action: `auth.bootstrap.${e.outcome}`,
          source: 'api', subjectType: 'endpoint', subjectId: '/auth/bootstrap' });
      },
    }) },
  ];
  return {
    mounts, notConfigured,
    async announce(port) {
      if (notConfigured) {
        logger.warn(notConfigured);
        return;
      }
      const token = await issueBootstrapLink(db, d.tenant, clock);
      if (!token) return;
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
      const origin = config.publicUrl ?? `http://${host}:${port}`;
      logger.info(`first start: sign in as the admin once with ${origin}/auth/bootstrap?token=${token} (single use, 24 h)`);
    },
  };
}
