import { sql, type Kysely } from 'kysely';
import type { IdGenerator } from '../core/ids.ts';
import type { InboundCardAction } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import type { AckReply } from '../core/inbound-event.ts';
import { clickValue, findStoredCard, type StoredCard } from './card-action-origin.ts';

/**
 * Answer first, update after. Feishu's "处理卡片回调" (open.feishu.cn/document/uAjLw4CM/ukzMukzMukzM/feishu-cards/handle-card-callbacks)
 * and its delayed-update API doc ("延时更新消息卡片") say the clicked card is updated either by the callback answer
 * or after it: an update sent before or alongside the answer can fail or be reverted by it. A click commits state and enqueues card updates (outbox), and a worker can
 * PATCH the clicked message before the answer leaves. So the click takes the clicked card's delivery lease (the
 * one card-delivery.ts takes per card subject, in Postgres, so it holds across replicas) before it runs, and on
 * the way out leaves it held for ANSWER_GRACE_MS, in which the answer is written; deliveries of that card wait
 * (card-delivery retries once the lease runs out) and PATCH the clicked message after the answer. Other viewers'
 * cards are not held.
 */

/** The answer is written right after the handler returns; the PATCH of the clicked card waits this long past it. */
export const ANSWER_GRACE_MS = 500;
/** The hold outlasts any click: Feishu allows 3 s for the answer. */
const HOLD_MS = 10_000;
/** A delivery already PATCHing the clicked card (an earlier change) is waited for, this long at most, polling. */
const BUSY_WAIT_MS = 300;
const BUSY_POLL_MS = 30;
/**
 * A card's message id is recorded right after the platform answers its send (card-delivery.ts), so a click can
 * race that write; a click on a message not (yet) on record is looked up again for this long.
 */
const UNRECORDED_WAIT_MS = 1000;

export interface ClickedCardDeps {
  db: Kysely<Database>;
  ids: IdGenerator;
  /** Platforms whose clicks are resolved from the stored card and held (Feishu). */
  platforms: ReadonlySet<string>;
}

export function clickedCardHold(d: ClickedCardDeps, handle: (ev: InboundCardAction) => Promise<AckReply>): (ev: InboundCardAction) => Promise<AckReply> {
  return async (ev) => {
    if (!d.platforms.has(ev.platform)) return handle(ev);
    const card = await findRecorded(d.db, ev);
    const value = await clickValue(d.db, ev, card);
    const token = d.ids.uuid();
    const held = card ? await hold(d.db, card.id, token) : false;
    try {
      return await handle({ ...ev, value });
    } finally {
      if (held && card) await release(d.db, card.id, token);
    }
  };
}

async function findRecorded(db: Kysely<Database>, ev: InboundCardAction): Promise<StoredCard | undefined> {
  const started = Date.now();
  for (;;) {
    const card = await findStoredCard(db, ev);
    if (card || Date.now() - started >= UNRECORDED_WAIT_MS) return card;
    await new Promise((resolve) => setTimeout(resolve, BUSY_POLL_MS * 2));
  }
}

async function hold(db: Kysely<Database>, id: string, token: string): Promise<boolean> {
  const started = Date.now();
  for (;;) {
    const r = await db.updateTable('card_messages').set({ lease_token: token, lease_until: sql<Date>`now() + ${HOLD_MS} * interval '1 millisecond'` })
      // Free, or only in the grace after an earlier click's answer (no holder): a new click takes it over.
      .where('id', '=', id).where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`), eb('lease_token', 'is', null)]))
      .executeTakeFirst();
    if (r.numUpdatedRows > 0n) return true;
    if (Date.now() - started >= BUSY_WAIT_MS) return false;
    await new Promise((resolve) => setTimeout(resolve, BUSY_POLL_MS));
  }
}

/** Gives the card back to deliveries once the grace has passed (nobody holds it; the lease just runs out). */
async function release(db: Kysely<Database>, id: string, token: string): Promise<void> {
  await db.updateTable('card_messages').set({ lease_token: null, lease_until: sql<Date>`now() + ${ANSWER_GRACE_MS} * interval '1 millisecond'` })
    .where('id', '=', id).where('lease_token', '=', token).execute();
}
