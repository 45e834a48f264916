import { sql, type Kysely } from 'kysely';

/* The language a person last wrote in, per chat with a bot (one identity = one bot's chat with that
   person): card clicks carry no language, so their toasts and refusals answer in this one, and fall back
   to the bot's locale when the person has not written yet. See src/actions/card-action-handler.ts. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table user_identities add column locale text check (locale in ('zh', 'en'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table user_identities drop column locale`.execute(db);
}
