import { sql, type Kysely } from 'kysely';
import type { CardView } from '../../core/card-view.ts';
import { AppError } from '../../core/errors.ts';
import type { IdGenerator } from '../../core/ids.ts';
import type { ChatTarget, MessageRef } from '../../core/inbound-event.ts';
import type { Database } from '../../db/database.ts';
import type { Messenger } from '../platform.ts';

/**
 * The console's "platform API": messages delivered to a console user are rows in console_messages.
 * An update bumps the revision and moves the row to the end of the user's feed (new seq), which is how
 * the page's long-poll sees in-place card updates.
 */
export class ConsoleMessenger implements Messenger {
  readonly platform = 'console' as const;
  constructor(readonly botId: string, private readonly tenantId: string, private readonly db: Kysely<Database>, private readonly ids: IdGenerator, private readonly notify: (userId: string) => void) {}

  sendCard(to: ChatTarget, card: CardView, opts: { idempotencyKey: string }): Promise<MessageRef> {
    return this.insert(to, 'card', card, null, opts.idempotencyKey);
  }

  sendText(to: ChatTarget, text: string, opts: { idempotencyKey: string }): Promise<MessageRef> {
    return this.insert(to, 'text', null, text, opts.idempotencyKey);
  }

  async updateCard(ref: MessageRef, card: CardView): Promise<void> {
    const row = await this.db.updateTable('console_messages')
      .set({ card: JSON.stringify(card), revision: sql`revision + 1`, seq: sql`nextval('console_message_seq')`, updated_at: sql`now()` })
      .where('id', '=', ref.messageId).returning('user_id').executeTakeFirst();
    if (!row) throw new AppError('console.unknown_message', `no console message ${ref.messageId}`);
    this.notify(row.user_id);
  }

  private async insert(to: ChatTarget, kind: 'card' | 'text', card: CardView | null, text: string | null, key: string): Promise<MessageRef> {
    const userId = to.userExternalId;
    if (!userId) throw new AppError('console.no_user', 'console messages go to a user');
    // A repeated key (a retried job) returns the message sent the first time, unchanged.
    const r = await sql<{ id: string }>`insert into console_messages (id, seq, tenant_id, bot_id, user_id, kind, card, text, idempotency_key)
      values (${this.ids.uuid()}, nextval('console_message_seq'), ${this.tenantId}, ${this.botId}, ${userId}, ${kind},
        ${card ? JSON.stringify(card) : null}, ${text}, ${key})
      on conflict (idempotency_key) do update set idempotency_key = excluded.idempotency_key
      returning id`.execute(this.db);
    const row = r.rows[0];
    if (!row) throw new AppError('console.insert_failed', `no console message for ${key}`);
    this.notify(userId);
    return { platform: 'console', botId: this.botId, messageId: row.id };
  }
}
