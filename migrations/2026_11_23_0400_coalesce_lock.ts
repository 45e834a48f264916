import { sql, type Kysely } from 'kysely';
import { commitRequestChangeV2 } from './2026_11_23_0300_group_commit.ts';

/* Coalesced card re-renders must not be lost. A change's card.sync job used to be dropped (ON CONFLICT
   DO NOTHING) when an untouched one for the same card was already waiting. That insert did not lock the
   waiting job, so a worker could claim and run it before the change committed: it rendered the old
   state, and no job was left to render the new one. Now the change touches the waiting job (DO UPDATE),
   which locks it until the change commits; workers claim with SKIP LOCKED, so they pass it by until then
   and render the committed state. A job whose idempotency key is already on file is the same job and is
   skipped, as before (the DO UPDATE arbiter is the coalesce index only, so that is checked first).
   Same function otherwise: see 2026_11_23_0300_group_commit. */
const oldJobs = `  insert into outbox_jobs (tenant_id, kind, payload, idempotency_key, queue_key, coalesce_key, max_attempts)
  select j->>'tenant_id', j->>'kind', j->'payload', j->>'key', j->>'queue_key', j->>'coalesce_key', (p->>'max_attempts')::int
  from jsonb_array_elements(p->'jobs') j
  on conflict do nothing;`;

// The idempotency check is a correlated subquery kept from becoming an anti join (OFFSET 0): joined with
// jsonb_array_elements() the planner would hash a sequential scan of outbox_jobs; this way each job probes
// the unique index, in one statement.
const newJobs = `  insert into outbox_jobs (tenant_id, kind, payload, idempotency_key, queue_key, coalesce_key, max_attempts)
  select j->>'tenant_id', j->>'kind', j->'payload', j->>'key', j->>'queue_key', null, (p->>'max_attempts')::int
  from jsonb_array_elements(p->'jobs') j where j->>'coalesce_key' is null
  on conflict do nothing;
  insert into outbox_jobs (tenant_id, kind, payload, idempotency_key, queue_key, coalesce_key, max_attempts)
  select j->>'tenant_id', j->>'kind', j->'payload', j->>'key', j->>'queue_key', j->>'coalesce_key', (p->>'max_attempts')::int
  from jsonb_array_elements(p->'jobs') j
  where j->>'coalesce_key' is not null and not exists (select 1 from outbox_jobs o where o.idempotency_key = j->>'key' offset 0)
  on conflict (coalesce_key) where status = 'pending' and attempts = 0 do update set updated_at = now();`;

function withLockingCoalesce(fn: string): string {
  if (!fn.includes(oldJobs)) throw new Error('commit_request_change(): the outbox insert to replace was not found');
  return fn.replace(oldJobs, newJobs);
}

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(withLockingCoalesce(commitRequestChangeV2)).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(commitRequestChangeV2).execute(db);
}
