import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import type { CardView } from '../../cards/card-view.ts';
import type { Database } from '../../db/database.ts';

export interface FeedMessage { id: string; revision: number; kind: 'text' | 'card'; card?: CardView; text?: string; seq: number }

/** Another replica may have written the message: look again this often while long-polling. */
const REPOLL_MS = 100;

/** Long-poll reads of a console user's feed, woken early by writes in this process. */
export class ConsoleFeed {
  private readonly events = new EventEmitter();

  constructor(private readonly db: Kysely<Database>) {
    this.events.setMaxListeners(0);
  }

  notify(userId: string): void {
    this.events.emit(userId);
  }

  async read(userId: string, after: number, waitMs: number): Promise<{ messages: FeedMessage[]; cursor: number }> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const rows = await this.db.selectFrom('console_messages').select(['id', 'revision', 'kind', 'card', 'text', 'seq'])
        .where('user_id', '=', userId).where('seq', '>', after).orderBy('seq').limit(200).execute();
      if (rows.length > 0 || Date.now() >= deadline) {
        const messages = rows.map((r) => ({
          id: r.id, revision: r.revision, kind: r.kind as 'text' | 'card', seq: Number(r.seq),
          ...(r.card ? { card: r.card as CardView } : {}), ...(r.text !== null ? { text: r.text } : {}),
        }));
        return { messages, cursor: messages.at(-1)?.seq ?? after };
      }
      await new Promise<void>((resolve) => {
        const done = (): void => { clearTimeout(t); this.events.off(userId, done); resolve(); };
        const t = setTimeout(done, Math.min(REPOLL_MS, Math.max(0, deadline - Date.now())));
        this.events.on(userId, done);
      });
    }
  }

  /** The stored card of a message delivered to this user (button values are taken from here, not from the client). */
  async cardOf(userId: string, messageId: string): Promise<CardView | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(messageId)) return undefined;
    const row = await this.db.selectFrom('console_messages').select(['card']).where('id', '=', messageId).where('user_id', '=', userId).executeTakeFirst();
    return (row?.card ?? undefined) as CardView | undefined;
  }
}
