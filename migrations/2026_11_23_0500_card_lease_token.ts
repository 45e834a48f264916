import { sql, type Kysely } from 'kysely';

/* Card deliveries hold their lease by a token: the worker renews the lease while a slow platform call
   runs, and writes what it delivered only if it still holds the lease (a worker that stalled past it
   must not overwrite a newer render or release someone else's lease). See src/outbox/card-delivery.ts. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table card_messages add column lease_token text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table card_messages drop column lease_token`.execute(db);
}
