import { sql, type Kysely } from 'kysely';

/* A card click names the message it came from; the server finds the card it stored for that message (its
   subject: request, task, draft) instead of trusting what the client echoes. See src/actions/card-action-origin.ts. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index card_messages_message on card_messages (bot_id, (ref->>'messageId'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index card_messages_message`.execute(db);
}
