import { sql, type Kysely } from 'kysely';
import { sqlFunction } from '../src/db/sql-source.ts';

/* One writer per table. inbox_events rows were inserted in three places (the inbox's single and batched inserts
   in TypeScript, and commit_request_change()); new outbox_jobs rows, coalescing included, in two (enqueue() and
   commit_request_change()). Now inbox_record() and outbox_enqueue() are the only ones: the TypeScript calls them,
   and commit_request_change() v4 calls them instead of its own inserts. Same rows, same locks, same outcomes.
   See src/db/sql/inbox_record.v1.sql, outbox_enqueue.v1.sql, commit_request_change.v4.sql. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(sqlFunction('inbox_record', 1)).execute(db);
  await sql.raw(sqlFunction('outbox_enqueue', 1)).execute(db);
  await sql.raw(sqlFunction('commit_request_change', 4)).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(sqlFunction('commit_request_change', 3)).execute(db);
  await sql`drop function if exists outbox_enqueue`.execute(db);
  await sql`drop function if exists inbox_record`.execute(db);
}
