import { sql, type Kysely } from 'kysely';
import { sqlFunction } from '../src/db/sql-source.ts';

/* Coalesced card re-renders must not be lost (src/db/sql/commit_request_change.v3.sql). A change's card.sync
   job used to be dropped (ON CONFLICT DO NOTHING) when an untouched one for the same card was already waiting.
   That insert did not lock the waiting job, so a worker could claim and run it before the change committed: it
   rendered the old state, and no job was left to render the new one. Now the change touches the waiting job
   (DO UPDATE), which locks it until the change commits; workers claim with SKIP LOCKED, so they pass it by until
   then and render the committed state. A job whose idempotency key is already on file is the same job and is
   skipped, as before (the DO UPDATE arbiter is the coalesce index only, so that is checked first): a correlated
   subquery kept from becoming an anti join (OFFSET 0), since joined with jsonb_array_elements() the planner would
   hash a sequential scan of outbox_jobs; this way each job probes the unique index, in one statement.
   Same function as v2 otherwise. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(sqlFunction('commit_request_change', 3)).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(sqlFunction('commit_request_change', 2)).execute(db);
}
