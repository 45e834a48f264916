import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import type { CardView } from '../../core/card-view.ts';
import type { Database } from '../../db/database.ts';
import { GroupBatcher } from '../../db/group-batcher.ts';

export interface StoredCard { card: CardView; revision: number }

export interface FeedMessage { id: string; revision: number; kind: 'text' | 'card'; card?: CardView; text?: string; seq: number }

/** The event that wakes every long-poll at shutdown (user ids never start with a NUL). */
const CLOSED = '\u0000closed';

/** Another replica may have written the message: look again this often while long-polling. */
const REPOLL_MS = 100;

/** Long-poll reads of a console user's feed, woken early by writes in this process. */
export class ConsoleFeed {
  private readonly events = new EventEmitter();
  private closed = false;
  /** Concurrent clicks look their cards up together (one query for the batch). */
  private readonly cards: GroupBatcher<{ userId: string; messageId: string }, StoredCard | undefined>;

  constructor(private readonly db: Kysely<Database>) {
    this.events.setMaxListeners(0);
    this.cards = new GroupBatcher({ maxInFlight: 2, maxBatch: 32, run: async (keys) => {
      const rows = await this.db.selectFrom('console_messages').select(['id', 'user_id', 'card', 'revision'])
        .where('id', 'in', [...new Set(keys.map((k) => k.messageId))]).execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      return keys.map((k) => {
        const row = byId.get(k.messageId);
        return row?.card && row.user_id === k.userId ? { card: row.card as CardView, revision: row.revision } : undefined;
      });
    } });
  }

  notify(userId: string): void {
    this.events.emit(userId);
  }

  /** Shutdown: pending long-polls answer now with what they have, and later ones do not wait. */
  close(): void {
    this.closed = true;
    this.events.emit(CLOSED);
  }

  async read(userId: string, after: number, waitMs: number): Promise<{ messages: FeedMessage[]; cursor: number }> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const rows = await this.db.selectFrom('console_messages').select(['id', 'revision', 'kind', 'card', 'text', 'seq'])
        .where('user_id', '=', userId).where('seq', '>', after).orderBy('seq').limit(200).execute();
      if (rows.length > 0 || Date.now() >= deadline || this.closed) {
        const messages = rows.map((r) => ({
          id: r.id, revision: r.revision, kind: r.kind as 'text' | 'card', seq: Number(r.seq),
          ...(r.card ? { card: r.card as CardView } : {}), ...(r.text !== null ? { text: r.text } : {}),
        }));
        return { messages, cursor: messages.at(-1)?.seq ?? after };
      }
      await new Promise<void>((resolve) => {
        const done = (): void => { clearTimeout(t); this.events.off(userId, done); this.events.off(CLOSED, done); resolve(); };
        const t = setTimeout(done, Math.min(REPOLL_MS, Math.max(0, deadline - Date.now())));
        this.events.on(userId, done);
        this.events.on(CLOSED, done);
      });
    }
  }

  /**
   * The stored card (latest revision) of a message delivered to this user: button values are taken from
   * here, not from the client. Concurrent lookups share one query.
   */
  async cardOf(userId: string, messageId: string): Promise<StoredCard | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(messageId)) return undefined;
    return this.cards.submit({ userId, messageId });
  }
}
