import { sql, type Kysely } from 'kysely';

/* Rate limits become spaced slots instead of fixed one-second windows: a fixed window lets twice the limit
   through across its edge, and its edges are not the platform's. Each key keeps the earliest time (epoch
   microseconds) its next call may start. Rows are a few seconds of state: dropped, not converted.
   See src/platforms/rate-limiter.ts. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`delete from rate_limits`.execute(db);
  await sql`alter table rate_limits drop column window_sec, drop column granted, add column next_us bigint not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from rate_limits`.execute(db);
  await sql`alter table rate_limits drop column next_us, add column window_sec bigint not null, add column granted int not null`.execute(db);
}
