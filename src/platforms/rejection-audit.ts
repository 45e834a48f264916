import type { Kysely } from 'kysely';
import { countRefusal } from '../audit/refusal-counts.ts';
import type { BotConfig } from '../config/bot-schema.ts';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/database.ts';
import type { PlatformLogger } from './platform.ts';

/**
 * The `onRejected` hook for one bot: an inbound request that failed verification (bad signature, stale timestamp,
 * wrong token…) is refused by the receiver and counted here under the bot (`bot:<id>`) and the reason, per minute,
 * in the bot's tenant: anyone can send such requests, so they add to a counter, never a row each (the HTTP layer
 * counts the same refusal under the client's address). Never throws: a failed count is logged and the request stays
 * refused.
 */
export function rejectionAudit(db: Kysely<Database>, bot: BotConfig, clock: Clock, logger: PlatformLogger, source: 'api' | 'chat') {
  return async (reason: string, meta: Record<string, unknown>): Promise<void> => {
    try {
      await countRefusal(db, { tenantId: bot.tenant, source: `bot:${bot.id}`, reason: reason.slice(0, 80), path: String(meta['path'] ?? bot.id), at: clock.now() });
    } catch (e: unknown) {
      logger.error({ botId: bot.id, reason, err: e instanceof Error ? e.message : String(e) }, 'counting a rejected request failed');
    }
  };
}
