import type { DingtalkBotConfig, FeishuBotConfig } from '../config/bot-schema.ts';
import { ConfigError } from '../core/errors.ts';
import type { DingtalkSecrets } from './dingtalk/dingtalk-platform.ts';
import type { FeishuSecrets } from './feishu/feishu-platform.ts';

/** Looks a secret up by the environment variable NAME a bot YAML gives (config/env.ts `readSecret` in production). */
export type SecretLookup = (name: string) => string | undefined;

function required(botId: string, key: string, name: string, lookup: SecretLookup): string {
  const v = lookup(name);
  if (v === undefined || v === '') throw new ConfigError(`bot "${botId}": credentials.${key}: environment variable ${name} is not set`);
  return v;
}

function optional(name: string | undefined, lookup: SecretLookup): string | undefined {
  if (!name) return undefined;
  const v = lookup(name);
  return v === '' ? undefined : v;
}

/**
 * A webhook bot whose YAML names an encrypt key / verification token must have them: running without would
 * silently accept unauthenticated requests. A long-connection bot needs neither (the transport is authenticated).
 */
export function feishuSecrets(bot: FeishuBotConfig, lookup: SecretLookup): FeishuSecrets {
  const c = bot.credentials;
  const webhook = bot.transport === 'webhook';
  const encryptKey = c.encrypt_key && webhook ? required(bot.id, 'encrypt_key', c.encrypt_key, lookup) : optional(c.encrypt_key, lookup);
  const verificationToken = c.verification_token && webhook ? required(bot.id, 'verification_token', c.verification_token, lookup) : optional(c.verification_token, lookup);
  return {
    appId: required(bot.id, 'app_id', c.app_id, lookup),
    appSecret: required(bot.id, 'app_secret', c.app_secret, lookup),
    ...(encryptKey ? { encryptKey } : {}),
    ...(verificationToken ? { verificationToken } : {}),
  };
}

export function dingtalkSecrets(bot: DingtalkBotConfig, lookup: SecretLookup): DingtalkSecrets {
  const c = bot.credentials;
  const robotCode = c.robot_code ? required(bot.id, 'robot_code', c.robot_code, lookup) : undefined;
  return {
    clientId: required(bot.id, 'client_id', c.client_id, lookup),
    clientSecret: required(bot.id, 'client_secret', c.client_secret, lookup),
    ...(robotCode ? { robotCode } : {}),
  };
}
