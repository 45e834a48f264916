import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BotConfig } from '../config/bot-schema.ts';
import type { AppConfig } from '../config/env.ts';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/database.ts';
import { signInBots, signInLinks, type SignInLink } from '../identity/sign-in-bots.ts';
import { signInRoutes } from '../identity/sign-in-routes.ts';

export interface SignInWiringDeps {
  db: Kysely<Database>;
  config: AppConfig;
  bots: readonly BotConfig[];
  clock: Clock;
  logger: Logger;
  secrets: (name: string) => string | undefined;
  fetch?: typeof fetch | undefined;
}

export interface SignInWiring {
  /** The /auth routes (start, callback, in-app, sign-out), for the HTTP app's mounts. */
  mount: { path: string; app: Hono };
  /** The sign-in links the console page offers (GET /console/api/session's signIn). */
  links: (returnTo?: string) => SignInLink[];
  /** Whether any bot offers sign-in (the console and admin APIs are not open beyond loopback without it). */
  configured: boolean;
}

/** Sign-in with the Feishu and DingTalk bots that offer it (`sign_in: true`), with their own apps' credentials. */
export function wireSignIn(d: SignInWiringDeps): SignInWiring {
  const bots = signInBots(d.bots, { secret: d.secrets, fetch: d.fetch ?? fetch, timeoutMs: d.config.signIn.timeoutMs, publicUrl: d.config.publicUrl });
  const app = signInRoutes({
    db: d.db, clock: d.clock, logger: d.logger, bots, publicUrl: d.config.publicUrl,
    secureCookies: d.config.publicUrl?.startsWith('https://') ?? false,
    // 4xx answers are counted per source and reason by the HTTP app like every refusal; this says which sign-in.
    onRefused: async (r) => { d.logger.info({ bot: r.bot, status: r.status, reason: r.reason }, 'sign-in refused'); },
  });
  return { mount: { path: '/auth', app }, links: (returnTo) => signInLinks(bots, returnTo), configured: bots.length > 0 };
}
