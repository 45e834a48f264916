import { sql, type Kysely } from 'kysely';
import { sqlFunction } from '../src/db/sql-source.ts';

/* Two changes to the request commit (src/db/sql/commit_request_change.v2.sql, commit_request_changes.v1.sql).
   1. Tasks by key: the first commit_request_change() touched approval_tasks through joins with
      jsonb_array_elements(), which the planner runs as a hash join over a sequential scan, so every
      approval read the whole task table. Task updates and reminders now go row by row through the key.
   2. Group commit: commit_request_change() no longer raises on a concurrent duplicate event (it records
      the event first and takes it back when the version check fails), so several changes can share one
      transaction: commit_request_changes() applies an array of them in request-id order (the same lock
      order in every batch, so concurrent batches cannot deadlock) and returns each outcome in the
      caller's order. See src/workflow/commit-batcher.ts. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(sqlFunction('commit_request_change', 2)).execute(db);
  await sql.raw(sqlFunction('commit_request_changes', 1)).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists commit_request_changes`.execute(db);
  await sql.raw(sqlFunction('commit_request_change', 1)).execute(db);
}
