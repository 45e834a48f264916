import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/audit-log.ts';
import type { BotConfig } from '../config/bot-schema.ts';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/database.ts';
import type { PlatformLogger } from './platform.ts';

/**
 * The `onRejected` hook for one bot: an inbound request that failed verification (bad signature, stale
 * timestamp, wrong token…) is refused by the receiver and recorded here as `inbound.rejected`. Webhooks are
 * API calls (`source: 'api'`); a refused chat-transport frame would be `chat`. Never throws: a failed audit
 * write is logged and the request stays refused.
 */
export function rejectionAudit(db: Kysely<Database>, bot: BotConfig, clock: Clock, logger: PlatformLogger, source: 'api' | 'chat') {
  return async (reason: string, meta: Record<string, unknown>): Promise<void> => {
    try {
      await appendAudit(db, {
        tenantId: bot.tenant, at: clock.now(), actor: `${bot.platform}:unauthenticated`, action: 'inbound.rejected', source,
        subjectType: 'bot', subjectId: bot.id, meta: { ...meta, reason },
      });
    } catch (e: unknown) {
      logger.error({ botId: bot.id, reason, err: e instanceof Error ? e.message : String(e) }, 'audit of a rejected request failed');
    }
  };
}
