import type { Kysely, Transaction } from 'kysely';
import type { Locale } from '../core/locale.ts';
import type { Database } from '../db/database.ts';
import { GroupBatcher } from '../db/group-batcher.ts';
import { chatLocales, type ChatKey } from './directory-repo.ts';

/** Lookups on the wire at once; clicks arriving meanwhile share the next one. */
const IN_FLIGHT = 2;
const BATCH_MAX = 64;

/**
 * The chat's language of each click (the one its person last wrote in). A click says nothing of it: Feishu's
 * callback carries the operator's ids, the token, the message id and the component's value, name, form
 * values and (date pickers only) a time zone, no language (Feishu doc "消息卡片回传交互（旧）",
 * open.feishu.cn/document/ukTMukTMukTM/uYzM3QjL2MzN04iNzcDN/configuring-card-callbacks/card-callback-structure),
 * and the normalized click (core/inbound-event.ts) has none on any platform. It is read fresh on every click so a
 * change of language shows at once on every replica, and batched like the other reads of the click path:
 * concurrent clicks cost one round trip together.
 */
export class ChatLocales {
  private readonly batches: GroupBatcher<ChatKey, Locale | null>;

  constructor(db: Kysely<Database>) {
    this.batches = new GroupBatcher({ maxInFlight: IN_FLIGHT, maxBatch: BATCH_MAX, run: (keys) => chatLocales(db, keys) });
  }

  of(platform: string, botId: string, externalIds: string[]): Promise<Locale | null> {
    return this.batches.submit({ platform, botId, externalIds });
  }
}

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The language a person last wrote in to one bot (any of their identities on it, the most recently seen with a
 * language), or null before their first words there: what a card or a notification sent to them through that
 * bot speaks; the caller falls back to the bot's language.
 */
export async function recipientChatLocale(db: Db, tenantId: string, userId: string, to: { platform: string; botId: string }): Promise<Locale | null> {
  const row = await db.selectFrom('user_identities').select('locale')
    .where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('platform', '=', to.platform).where('bot_id', '=', to.botId)
    .where('locale', 'is not', null).orderBy('last_seen_at', (ob) => ob.desc().nullsLast()).limit(1).executeTakeFirst();
  return row?.locale ?? null;
}

/**
 * For cards built before they are delivered (sandbox operator cards): each person's chat language with the bot
 * their cards go to, their most recently seen identity's (as MessengerRegistry.targetFor picks it), or that bot's
 * language (`localeOf`) before they wrote in one. People with no identity get none.
 */
export async function deliveryLocales(db: Db, tenantId: string, userIds: string[], localeOf: (botId: string) => Locale): Promise<Map<string, Locale>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.selectFrom('user_identities').select(['user_id', 'platform', 'bot_id', 'locale'])
    .where('tenant_id', '=', tenantId).where('user_id', 'in', [...new Set(userIds)])
    .orderBy('last_seen_at', (ob) => ob.desc().nullsLast()).orderBy('created_at').execute();
  const out = new Map<string, Locale>();
  for (const id of userIds) {
    const mine = rows.filter((r) => r.user_id === id);
    const first = mine[0];
    if (!first) continue;
    const written = mine.find((r) => r.platform === first.platform && r.bot_id === first.bot_id && r.locale)?.locale;
    out.set(id, written ?? localeOf(first.bot_id));
  }
  return out;
}
