import type { BotConfig } from '../config/bot-schema.ts';
import { ConfigError } from '../core/errors.ts';
import type { Locale } from '../core/locale.ts';
import { dingtalkOAuth, type DingtalkOAuthClient } from './oauth/dingtalk.ts';
import { feishuOAuth } from './oauth/feishu.ts';
import type { OAuthClient, SignInPlatform } from './oauth/oauth-call.ts';

/** A bot people sign in with: its tenant and language, and the OAuth client of its app. */
export interface SignInBot {
  id: string;
  platform: SignInPlatform;
  tenantId: string;
  locale: Locale;
  client: OAuthClient;
  /** DingTalk only: the in-app 免登 code. */
  inApp?: DingtalkOAuthClient['identifyInApp'];
}

/** A way to sign in the console offers: the platform, the bot, and the path that starts it (on this origin). */
export interface SignInLink { platform: SignInPlatform; bot: string; url: string }

export interface SignInBotDeps {
  /** A secret by the environment variable NAME the bot YAML gives (config/env.ts readSecret in production). */
  secret: (name: string) => string | undefined;
  fetch: typeof fetch;
  timeoutMs: number;
  /** PUBLIC_URL: redirect URLs are built from it. */
  publicUrl: string | undefined;
}

/** Enabled Feishu and DingTalk bots with `sign_in: true`. */
export function signInEnabled(bots: readonly BotConfig[]): BotConfig[] {
  return bots.filter((b) => b.enabled && b.platform !== 'console' && b.sign_in);
}

/**
 * The sign-in clients of the bots that offer sign-in, with the bots' own app credentials (the same variables the
 * platform adapters read). A bot offering sign-in without PUBLIC_URL, or without its secrets, stops the start with
 * one line: its redirect URL could not be one the developer console lists.
 */
export function signInBots(bots: readonly BotConfig[], d: SignInBotDeps): SignInBot[] {
  const need = (botId: string, key: string, name: string): string => {
    const v = d.secret(name);
    if (v === undefined || v === '') throw new ConfigError(`bot "${botId}": credentials.${key}: environment variable ${name} is not set (needed for sign_in)`);
    return v;
  };
  const call = { fetch: d.fetch, timeoutMs: d.timeoutMs };
  return signInEnabled(bots).map((b): SignInBot => {
    if (!d.publicUrl) throw new ConfigError(`PUBLIC_URL: required when bot "${b.id}" has sign_in: true (its redirect URL is <PUBLIC_URL>/auth/${b.platform}/${b.id}/callback)`);
    const common = { id: b.id, tenantId: b.tenant, locale: b.locale };
    if (b.platform === 'feishu') {
      const client = feishuOAuth({ domain: b.domain, appId: need(b.id, 'app_id', b.credentials.app_id), appSecret: need(b.id, 'app_secret', b.credentials.app_secret) }, call);
      return { ...common, platform: 'feishu', client };
    }
    if (b.platform === 'dingtalk') {
      const client = dingtalkOAuth({
        loginBase: b.login_base, apiBase: b.api_base, oapiBase: b.oapi_base,
        clientId: need(b.id, 'client_id', b.credentials.client_id), clientSecret: need(b.id, 'client_secret', b.credentials.client_secret),
      }, call);
      return { ...common, platform: 'dingtalk', client, inApp: (code) => client.identifyInApp(code) };
    }
    throw new ConfigError(`bot "${b.id}": sign_in is for Feishu and DingTalk bots`);
  });
}

/** The sign-in links the console page offers (A1's GET /console/api/session): one per bot offering sign-in. */
export function signInLinks(bots: readonly { id: string; platform: SignInPlatform }[], returnTo?: string): SignInLink[] {
  const q = returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : '';
  return bots.map((b) => ({ platform: b.platform, bot: b.id, url: `/auth/${b.platform}/${b.id}/start${q}` }));
}

/** The redirect URL registered in the developer console for a bot: <PUBLIC_URL>/auth/<platform>/<bot>/callback. */
export function redirectUriOf(publicUrl: string, bot: { id: string; platform: SignInPlatform }): string {
  return `${publicUrl}/auth/${bot.platform}/${bot.id}/callback`;
}
