import type { Kysely, Transaction } from 'kysely';
import { AppError } from '../core/errors.ts';
import type { ChatTarget, PlatformName } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import { identitiesOf } from '../directory/directory-repo.ts';
import type { Messenger } from './platform.ts';

/** Messengers of the running bots by bot id, and where to reach a user (their most recently used identity). */
export class MessengerRegistry {
  private readonly byBot = new Map<string, Messenger>();

  add(m: Messenger): void {
    this.byBot.set(m.botId, m);
  }

  get(botId: string): Messenger {
    const m = this.byBot.get(botId);
    if (!m) throw new AppError('platform.no_messenger', `bot "${botId}" is not running here`);
    return m;
  }

  has(botId: string): boolean {
    return this.byBot.has(botId);
  }

  /** A p2p target for a user on a running bot, preferring the platform they used last. */
  async targetFor(db: Kysely<Database> | Transaction<Database>, tenantId: string, userId: string): Promise<ChatTarget | undefined> {
    const ids = await identitiesOf(db, tenantId, userId);
    const idn = ids.find((i) => this.byBot.has(i.botId));
    return idn && { platform: idn.platform as PlatformName, botId: idn.botId, userExternalId: idn.externalId };
  }
}
