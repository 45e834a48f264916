import { sql, type Kysely } from 'kysely';

/* Sign-in with Feishu / DingTalk (src/identity/sign-in-routes.ts): one row per sign-in the browser started. The OAuth
   `state` is random, bound to the browser by a cookie holding the same value, used once (the callback deletes the row
   it finds) and short-lived (expires_at). Only its SHA-256 is kept; return_to is the same-origin path to go back to. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table sign_in_states (
    state_hash text primary key, bot_id text not null, return_to text not null,
    created_at timestamptz not null, expires_at timestamptz not null)`.execute(db);
  await sql`create index sign_in_states_expires on sign_in_states (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists sign_in_states`.execute(db);
}
