import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Locale } from '../core/locale.ts';
import type { Database } from '../db/database.ts';
import { t } from '../i18n/catalog.ts';
import { redeemBootstrapLink } from './bootstrap.ts';
import { createSession } from './sessions.ts';
import { signInPage } from './sign-in-page.ts';

export interface BootstrapRoutesDeps {
  db: Kysely<Database>;
  clock: Clock;
  locale: Locale;
  secureCookies: boolean;
  sessionTtlMs?: number;
  /** Where the browser goes once signed in (the console page). */
  home: string;
  /** Audits a use of the link, or a refused one. */
  onEvent: (e: { tenantId: string | null; userId: string | null; outcome: 'signed_in' | 'invalid' | 'no_admin' }) => Promise<void>;
}

/**
 * `GET /auth/bootstrap?token=`: the one-time link printed at first start (create-app's listen). It signs this
 * browser in as the tenant's first admin and sends it to the console; a used, expired or unknown link answers a
 * page saying so, in the console's language.
 */
export function bootstrapRoutes(d: BootstrapRoutesDeps): Hono {
  const r = new Hono();
  r.get('/bootstrap', async (c) => {
    const token = c.req.query('token') ?? '';
    const outcome = await redeemBootstrapLink(d.db, token, d.clock);
    if (!outcome.ok) {
      await d.onEvent({ tenantId: outcome.tenantId ?? null, userId: null, outcome: outcome.reason });
      const key = outcome.reason === 'no_admin' ? 'bootstrap.noAdmin' : 'bootstrap.invalid';
      return c.html(signInPage(d.locale, t(d.locale, key)), outcome.reason === 'no_admin' ? 409 : 410, { 'cache-control': 'no-store' });
    }
    const s = await createSession(d.db, { tenantId: outcome.tenantId, userId: outcome.userId, via: 'bootstrap' }, d.clock,
      { secure: d.secureCookies, ...(d.sessionTtlMs ? { ttlMs: d.sessionTtlMs } : {}) });
    await d.onEvent({ tenantId: outcome.tenantId, userId: outcome.userId, outcome: 'signed_in' });
    // no-store and no referrer: the token must not stay in a cache or travel to the next page's requests.
    return c.body(null, 302, { location: d.home, 'set-cookie': s.setCookie, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  });
  return r;
}
