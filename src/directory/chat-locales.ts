import type { Kysely } from 'kysely';
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
