-- outbox_enqueue() v1, installed by 2026_11_23_0910_single_writers: the one writer of new outbox_jobs rows.
-- `p_jobs` is an array of rows built by jobRow() (src/jobs/enqueue.ts); runs in the caller's transaction, so the
-- jobs exist iff the change that caused them commits. Callers: enqueue() (src/jobs/enqueue.ts) and
-- commit_request_change().
-- A job without a coalesce key is inserted unless its idempotency key is on file. A job with one (re-rendering a
-- card) that finds an untouched one waiting touches it instead (DO UPDATE): that locks the waiting job until this
-- transaction commits, so workers (SKIP LOCKED) pass it by and render the committed state, not the one before.
-- Per coalesce key the last job of the array counts; a job whose idempotency key is on file is the same job and is
-- skipped first (the DO UPDATE arbiter is the coalesce index only). That check is a correlated subquery kept from
-- becoming an anti join (OFFSET 0): joined with jsonb_array_elements() the planner would hash a sequential scan of
-- outbox_jobs; this way each job probes the unique index. Coalesced jobs go in coalesce-key order, the same lock
-- order in every transaction.
create or replace function outbox_enqueue(p_jobs jsonb, p_max_attempts int) returns void
language plpgsql as $$
begin
  insert into outbox_jobs (tenant_id, kind, payload, idempotency_key, queue_key, coalesce_key, max_attempts, run_at)
  select j->>'tenant_id', j->>'kind', j->'payload', j->>'key', j->>'queue_key', null, p_max_attempts, coalesce((j->>'run_at')::timestamptz, now())
  from jsonb_array_elements(p_jobs) j where j->>'coalesce_key' is null
  on conflict do nothing;
  insert into outbox_jobs (tenant_id, kind, payload, idempotency_key, queue_key, coalesce_key, max_attempts, run_at)
  select j->>'tenant_id', j->>'kind', j->'payload', j->>'key', j->>'queue_key', j->>'coalesce_key', p_max_attempts,
    coalesce((j->>'run_at')::timestamptz, now())
  from (select distinct on (j->>'coalesce_key') j from jsonb_array_elements(p_jobs) with ordinality as x (j, n)
    where j->>'coalesce_key' is not null order by j->>'coalesce_key', n desc) d
  where not exists (select 1 from outbox_jobs o where o.idempotency_key = j->>'key' offset 0)
  order by j->>'coalesce_key'
  on conflict (coalesce_key) where status = 'pending' and attempts = 0 do update set updated_at = now();
end $$;
