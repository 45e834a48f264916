import { sql, type Kysely } from 'kysely';

/* Outbound rate limits shared by every replica: one row per limiter key holding the current
   one-second window (epoch seconds) and how many calls it has granted. See src/platforms/rate-limiter.ts. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table rate_limits (
    key text primary key,
    window_sec bigint not null,
    granted int not null)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table rate_limits`.execute(db);
}
