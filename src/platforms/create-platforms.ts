import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BotConfig } from '../config/bot-schema.ts';
import type { Clock } from '../core/clock.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { Database } from '../db/database.ts';
import { dingtalkSecrets, feishuSecrets, type SecretLookup } from './bot-secrets.ts';
import { ConsoleMessenger } from './console/api-client.ts';
import { ConsoleFeed } from './console/feed.ts';
import { ConsoleReceiver } from './console/receiver.ts';
import type { DirectorySource, Messenger, PlatformDeps, Receiver } from './platform.ts';
import { createPgRateLimiter } from './rate-limiter.ts';
import { rejectionAudit } from './rejection-audit.ts';

export interface PlatformFactoryDeps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  fetch?: typeof fetch | undefined;
  /** Secret values by environment variable NAME (the bot YAML names them); `readSecret` in production. */
  secrets: SecretLookup;
  /** Waits for 429 resets and reconnect backoff; tests may shorten them. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** A bot's org directory, synced into the local directory every `minutes` (0 = only on demand). */
export interface BotDirectory { bot: { id: string; platform: 'feishu' | 'dingtalk'; tenant: string }; source: DirectorySource; minutes: number }

export interface Platforms {
  receivers: Receiver[];
  messengers: Messenger[];
  mounts: { path: string; app: Hono }[];
  directories: BotDirectory[];
}

/** Where a Feishu bot's webhook (events and card callbacks) is served; give this URL to the Feishu console. */
export const feishuWebhookPath = (botId: string): string => `/webhooks/feishu/${botId}`;

/**
 * Builds receivers, messengers, HTTP mounts and directory sources for every enabled bot. Secrets are resolved
 * here, by name, so a missing one fails the boot with a ConfigError naming the bot and the variable.
 * A platform's module (and its SDK: @larksuiteoapi/node-sdk, dingtalk-stream) is loaded only when one of its
 * bots is enabled; the Feishu SDK alone is about 55 MB of a process's memory.
 */
export async function createPlatforms(bots: BotConfig[], d: PlatformFactoryDeps): Promise<Platforms> {
  const out: Platforms = { receivers: [], messengers: [], mounts: [], directories: [] };
  // One budget per app in Postgres, shared by every bot and replica: platform quotas are per app, not per process.
  const limiter = createPgRateLimiter(d.db);
  const deps = (bot: BotConfig, source: 'api' | 'chat'): PlatformDeps => ({
    logger: d.logger, clock: d.clock, limiter, onRejected: rejectionAudit(d.db, bot, d.clock, d.logger, source), ...(d.sleep ? { sleep: d.sleep } : {}),
  });
  for (const bot of bots) {
    if (bot.platform === 'console') {
      const feed = new ConsoleFeed(d.db);
      const receiver = new ConsoleReceiver(bot, { db: d.db, feed, clock: d.clock, ids: d.ids });
      out.receivers.push(receiver);
      out.messengers.push(new ConsoleMessenger(bot.id, bot.tenant, d.db, d.ids, (u) => feed.notify(u)));
      out.mounts.push({ path: out.mounts.some((m) => m.path === '/console') ? `/console/${bot.id}` : '/console', app: receiver.routes });
    } else if (bot.platform === 'feishu') {
      const { createFeishuPlatform } = await import('./feishu/feishu-platform.ts');
      const p = createFeishuPlatform(bot, feishuSecrets(bot, d.secrets), deps(bot, bot.transport === 'webhook' ? 'api' : 'chat'));
      out.receivers.push(...p.receivers);
      out.messengers.push(p.messenger);
      if (p.webhook) out.mounts.push({ path: feishuWebhookPath(bot.id), app: p.webhook });
      out.directories.push({ bot: { id: bot.id, platform: 'feishu', tenant: bot.tenant }, source: p.directory, minutes: bot.directory_sync_minutes });
    } else {
      const { createDingtalkPlatform } = await import('./dingtalk/dingtalk-platform.ts');
      const p = createDingtalkPlatform(bot, dingtalkSecrets(bot, d.secrets), deps(bot, 'chat'), d.fetch ? { fetch: d.fetch } : {});
      out.receivers.push(...p.receivers);
      out.messengers.push(p.messenger);
      out.directories.push({ bot: { id: bot.id, platform: 'dingtalk', tenant: bot.tenant }, source: p.directory, minutes: bot.directory_sync_minutes });
    }
  }
  return out;
}
