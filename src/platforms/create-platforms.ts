import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BotConfig } from '../config/bot-schema.ts';
import type { Clock } from '../core/clock.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { Database } from '../db/database.ts';
import { ConsoleMessenger } from './console/api-client.ts';
import { ConsoleFeed } from './console/feed.ts';
import { ConsoleReceiver } from './console/receiver.ts';
import type { Messenger, Receiver } from './platform.ts';

export interface PlatformFactoryDeps { db: Kysely<Database>; clock: Clock; ids: IdGenerator; logger: Logger; fetch?: typeof fetch | undefined }

export interface Platforms { receivers: Receiver[]; messengers: Messenger[]; mounts: { path: string; app: Hono }[] }

/** Builds receivers, messengers and HTTP mounts for every enabled bot. */
export function createPlatforms(bots: BotConfig[], d: PlatformFactoryDeps): Platforms {
  const out: Platforms = { receivers: [], messengers: [], mounts: [] };
  for (const bot of bots) {
    if (bot.platform === 'console') {
      const feed = new ConsoleFeed(d.db);
      const receiver = new ConsoleReceiver(bot, { db: d.db, feed, clock: d.clock, ids: d.ids });
      out.receivers.push(receiver);
      out.messengers.push(new ConsoleMessenger(bot.id, bot.tenant, d.db, d.ids, (u) => feed.notify(u)));
      out.mounts.push({ path: out.mounts.some((m) => m.path === '/console') ? `/console/${bot.id}` : '/console', app: receiver.routes });
    } else {
      d.logger.warn({ bot: bot.id, platform: bot.platform }, 'platform not wired yet; bot skipped');
    }
  }
  return out;
}
