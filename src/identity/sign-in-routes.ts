import { Hono, type Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { appendAudit } from '../audit/audit-log.ts';
import type { Clock } from '../core/clock.ts';
import type { Locale } from '../core/locale.ts';
import type { Database } from '../db/database.ts';
import { t } from '../i18n/catalog.ts';
import { SignInFailure, type PlatformPerson } from './oauth/oauth-call.ts';
import { redirectUriOf, type SignInBot } from './sign-in-bots.ts';
import { findSignInUser } from './sign-in-person.ts';
import { signInPage } from './sign-in-page.ts';
import { clearedStateCookie, consumeSignIn, safeReturnTo, stateCookie, stateFromCookie, beginSignIn, DEFAULT_RETURN_TO } from './sign-in-state.ts';
import { clearedSessionCookie, createSession, readSession, revokeSession, sameSecret, sessionTokenFrom } from './sessions.ts';

/** A sign-in that did not end in a session, for the audit (aggregated by the caller: a flood adds counters, not rows). */
export interface SignInRefusal { tenantId: string; bot: string; platform: string; path: string; status: number; reason: string }

export interface SignInRoutesDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  bots: readonly SignInBot[];
  /** PUBLIC_URL (redirect URLs); undefined when no bot offers sign-in. */
  publicUrl: string | undefined;
  /** Cookies carry Secure (PUBLIC_URL is https). */
  secureCookies: boolean;
  sessionTtlMs?: number;
  onRefused?: (r: SignInRefusal) => Promise<void>;
}

type Outcome = { ok: true; userId: string } | { ok: false; status: 403 | 502 | 504; message: string; reason: string };

/**
 * Signing in with Feishu or DingTalk, mounted at /auth:
 * - `GET /auth/<platform>/<bot>/start?return_to=<path>`: 302 to the platform's authorization page, with a fresh state
 *   (sign-in-state.ts) in a cookie of this browser;
 * - `GET /auth/<platform>/<bot>/callback?code&state`: the platform sends the browser back here; the code is exchanged,
 *   the person looked up in the bot's tenant directory, a session created (HTTP-only cookie) and the browser sent to
 *   the page it came from. Anything else ends on a page in the bot's language that says what went wrong;
 * - `POST /auth/dingtalk/<bot>/in-app` {code, return_to?}: the 免登 code a page opened inside DingTalk obtained
 *   (JSON, same origin: the same-origin guard of src/http covers /auth);
 * - `POST /auth/sign-out`: ends this browser's session (with the session's x-csrf-token).
 */
export function signInRoutes(d: SignInRoutesDeps): Hono {
  const app = new Hono();
  const prefix = d.publicUrl ? new URL(d.publicUrl).pathname.replace(/\/+$/, '') : '';
  const byKey = new Map(d.bots.map((b) => [`${b.platform}/${b.id}`, b]));
  const cookiePath = (b: SignInBot) => `${prefix}/auth/${b.platform}/${b.id}`;
  const startPath = (b: SignInBot) => `${cookiePath(b)}/start`;
  const platformName = (b: SignInBot) => t(b.locale, `signIn.platform.${b.platform}`);

  const page = (c: Context, status: 400 | 403 | 404 | 502 | 503 | 504, locale: Locale, message: string, again?: string) =>
    c.html(signInPage(locale, message, again), status, { 'cache-control': 'no-store' });

  const refuse = async (c: Context, b: SignInBot, status: 400 | 403 | 502 | 504, reason: string, message: string) => {
    c.header('set-cookie', clearedStateCookie(cookiePath(b), d.secureCookies), { append: true });
    await d.onRefused?.({ tenantId: b.tenantId, bot: b.id, platform: b.platform, path: c.req.path, status, reason })
      .catch((e: unknown) => d.logger.warn({ err: e }, 'audit of a refused sign-in failed'));
    return page(c, status, b.locale, message, startPath(b));
  };

  /** The person behind a platform identity, as an outcome: signed-in user, or why not. */
  const admit = async (b: SignInBot, identify: () => Promise<PlatformPerson>): Promise<Outcome> => {
    let person: PlatformPerson;
    try {
      person = await identify();
    } catch (e: unknown) {
      if (!(e instanceof SignInFailure)) throw e;
      d.logger.warn({ bot: b.id, code: e.code, platformCode: e.platformCode, detail: e.message }, 'sign-in failed at the platform');
      if (e.code === 'signin.unreachable') return { ok: false, status: 504, reason: e.code, message: t(b.locale, 'signIn.unreachable', { platform: platformName(b) }) };
      return { ok: false, status: 502, reason: e.code, message: t(b.locale, 'signIn.refused', { platform: platformName(b), code: e.platformCode ?? '-' }) };
    }
    const match = await findSignInUser(d.db, b.tenantId, b.id, person);
    if (match.kind === 'unknown') return { ok: false, status: 403, reason: 'signin.unknown_person', message: t(b.locale, 'signIn.unknownPerson', { platform: platformName(b) }) };
    if (match.kind === 'inactive') return { ok: false, status: 403, reason: 'signin.inactive', message: t(b.locale, 'signIn.inactive') };
    return { ok: true, userId: match.userId };
  };

  const signIn = async (c: Context, b: SignInBot, userId: string): Promise<void> => {
    const s = await createSession(d.db, { tenantId: b.tenantId, userId, via: b.platform }, d.clock, {
      secure: d.secureCookies, ...(d.sessionTtlMs !== undefined ? { ttlMs: d.sessionTtlMs } : {}),
    });
    c.header('set-cookie', s.setCookie, { append: true });
    await appendAudit(d.db, { tenantId: b.tenantId, at: d.clock.now(), actor: userId, action: 'auth.signed_in', source: 'api', subjectType: 'user', subjectId: userId, meta: { bot: b.id, platform: b.platform } });
  };

  app.get('/:platform/:bot/start', async (c) => {
    const b = byKey.get(`${c.req.param('platform')}/${c.req.param('bot')}`);
    if (!b || !d.publicUrl) return page(c, 404, 'zh', `${t('zh', 'signIn.noSuchBot')} ${t('en', 'signIn.noSuchBot')}`);
    const returnTo = safeReturnTo(c.req.query('return_to') ?? `${prefix}${DEFAULT_RETURN_TO}`);
    const state = await beginSignIn(d.db, d.clock, b.id, returnTo);
    if (state === null) return page(c, 503, b.locale, t(b.locale, 'signIn.busy'));
    c.header('set-cookie', stateCookie(cookiePath(b), state, d.secureCookies));
    c.header('cache-control', 'no-store');
    return c.redirect(b.client.authorizeUrl(redirectUriOf(d.publicUrl, b), state), 302);
  });

  app.get('/:platform/:bot/callback', async (c) => {
    const b = byKey.get(`${c.req.param('platform')}/${c.req.param('bot')}`);
    if (!b || !d.publicUrl) return page(c, 404, 'zh', `${t('zh', 'signIn.noSuchBot')} ${t('en', 'signIn.noSuchBot')}`);
    const check = await consumeSignIn(d.db, d.clock, b.id, c.req.query('state'), stateFromCookie(c.req.header('cookie')));
    if (!check.ok) return refuse(c, b, 400, `signin.state_${check.reason}`, t(b.locale, 'signIn.badState'));
    // Declining on the authorization page comes back as error=access_denied (Feishu's obtain-oauth-code page).
    if (c.req.query('error')) return refuse(c, b, 403, 'signin.denied', t(b.locale, 'signIn.denied', { platform: platformName(b) }));
    // DingTalk names the code authCode (and code); Feishu code.
    const code = c.req.query('code') ?? c.req.query('authCode');
    if (!code || code.length > 2000) return refuse(c, b, 400, 'signin.no_code', t(b.locale, 'signIn.badState'));
    const publicUrl = d.publicUrl;
    const outcome = await admit(b, () => b.client.identify(code, redirectUriOf(publicUrl, b)));
    if (!outcome.ok) return refuse(c, b, outcome.status, outcome.reason, outcome.message);
    await signIn(c, b, outcome.userId);
    c.header('set-cookie', clearedStateCookie(cookiePath(b), d.secureCookies), { append: true });
    c.header('cache-control', 'no-store');
    return c.redirect(check.returnTo, 302);
  });

  app.post('/dingtalk/:bot/in-app', async (c) => {
    const b = byKey.get(`dingtalk/${c.req.param('bot')}`);
    const inApp = b?.inApp;
    if (!b || !inApp) return c.json({ error: { code: 'signin.no_such_bot', message: t('en', 'signIn.noSuchBot') } }, 404);
    const body = (await c.req.json().catch(() => null)) as { code?: unknown; return_to?: unknown } | null;
    const code = typeof body?.code === 'string' && body.code !== '' && body.code.length <= 2000 ? body.code : undefined;
    if (!code) return c.json({ error: { code: 'request.invalid', message: t(b.locale, 'signIn.codeRequired') } }, 400);
    const outcome = await admit(b, () => inApp(code));
    if (!outcome.ok) {
      await d.onRefused?.({ tenantId: b.tenantId, bot: b.id, platform: b.platform, path: c.req.path, status: outcome.status, reason: outcome.reason })
        .catch((e: unknown) => d.logger.warn({ err: e }, 'audit of a refused sign-in failed'));
      return c.json({ error: { code: outcome.reason, message: outcome.message } }, outcome.status);
    }
    await signIn(c, b, outcome.userId);
    return c.json({ signedIn: true, returnTo: safeReturnTo(typeof body?.return_to === 'string' ? body.return_to : undefined) });
  });

  app.post('/sign-out', async (c) => {
    const token = sessionTokenFrom(c.req.header('cookie'));
    const session = token ? await readSession(d.db, token, d.clock) : null;
    if (session) {
      // Signing someone out is a change a forged request must not make: the page's CSRF token proves it is ours.
      const csrf = c.req.header('x-csrf-token') ?? '';
      if (!sameSecret(csrf, session.csrf)) return c.json({ error: { code: 'auth.csrf', message: t('en', 'signIn.csrf') } }, 403);
      await revokeSession(d.db, session.tokenHash, d.clock);
      await appendAudit(d.db, { tenantId: session.tenantId, at: d.clock.now(), actor: session.userId, action: 'auth.signed_out', source: 'api', subjectType: 'user', subjectId: session.userId, meta: { via: session.via } });
    }
    c.header('set-cookie', clearedSessionCookie(d.secureCookies));
    return c.json({ signedOut: true });
  });

  return app;
}
