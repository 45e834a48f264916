-- commit_request_change() v2, installed by 2026_11_23_0300_group_commit (and again by 0400's down).
-- Versus v1: task updates and reminders go row by row through the key (no hash join over the task table);
-- a concurrent duplicate event no longer raises (the event is recorded first and taken back on 'stale'),
-- so many changes can share one transaction (commit_request_changes).
-- A landed version is never edited: a change is a new file (next version) and a new migration that loads it.
create or replace function commit_request_change(p jsonb) returns text
language plpgsql as $$
declare
  r jsonb := p->'request';
  e jsonb := nullif(p->'inbound', 'null'::jsonb);
  a jsonb := p->'audit';
  at timestamptz := (p->>'at')::timestamptz;
  n int;
  u jsonb;
begin
  -- The inbound event first: a redelivery (even one racing with this call) writes nothing. No exceptions
  -- on expected outcomes, so many changes can share one transaction (commit_request_changes).
  if e is not null then
    insert into inbox_events (tenant_id, source, event_id, kind, conversation_key, payload, status, attempts, processed_at)
    values (e->>'tenant_id', e->>'source', e->>'event_id', e->>'kind', e->>'conversation_key', e->'payload', 'done', 1, now())
    on conflict (source, event_id) do nothing;
    get diagnostics n = row_count;
    if n = 0 then return 'duplicate'; end if;
  end if;
  if p->>'mode' = 'insert' then
    insert into requests (id, tenant_id, number, intent_key, intent_version, requester_id, status, current_step, revision, fields, amount,
      route, erp_status, erp_ref, origin, reject_reason, version, created_at, updated_at, submitted_at, decided_at)
    values ((r->>'id')::uuid, r->>'tenant_id', r->>'number', r->>'intent_key', (r->>'intent_version')::int, r->>'requester_id', r->>'status',
      (r->>'current_step')::int, (r->>'revision')::int, r->'fields', (r->>'amount')::numeric, r->'route', r->>'erp_status',
      nullif(r->'erp_ref', 'null'::jsonb), r->'origin', r->>'reject_reason', (r->>'version')::int, (r->>'created_at')::timestamptz,
      (r->>'updated_at')::timestamptz, (r->>'submitted_at')::timestamptz, (r->>'decided_at')::timestamptz);
  else
    update requests set status = r->>'status', current_step = (r->>'current_step')::int, revision = (r->>'revision')::int, fields = r->'fields',
      amount = (r->>'amount')::numeric, route = r->'route', erp_status = r->>'erp_status', erp_ref = nullif(r->'erp_ref', 'null'::jsonb),
      reject_reason = r->>'reject_reason', version = (r->>'version')::int, updated_at = (r->>'updated_at')::timestamptz,
      decided_at = (r->>'decided_at')::timestamptz, submitted_at = (r->>'submitted_at')::timestamptz
    where id = (r->>'id')::uuid and version = (p->>'expected_version')::int;
    get diagnostics n = row_count;
    if n = 0 then
      -- Lost the race: the caller re-runs on fresh state with the same event, so take it back.
      if e is not null then delete from inbox_events where source = e->>'source' and event_id = e->>'event_id'; end if;
      return 'stale';
    end if;
  end if;
  for u in select value from jsonb_array_elements(p->'task_updates') loop
    update approval_tasks t set status = u->>'status', acted_by = coalesce(u->>'acted_by', t.acted_by), acted_at = at,
      comment = coalesce(u->>'comment', t.comment)
    where t.id = (u->>'id')::uuid;
  end loop;
  insert into approval_tasks (id, tenant_id, request_id, revision, step_index, approver_id, status, transferred_from, created_at)
  select (i->>'id')::uuid, r->>'tenant_id', (r->>'id')::uuid, (r->>'revision')::int, (i->>'step_index')::int, i->>'approver_id', 'pending',
    i->>'transferred_from', at
  from jsonb_array_elements(p->'task_inserts') i;
  for u in select value from jsonb_array_elements(p->'reminded') loop
    update approval_tasks set reminded_at = at, remind_count = remind_count + 1 where id = (u #>> '{}')::uuid;
  end loop;
  insert into outbox_jobs (tenant_id, kind, payload, idempotency_key, queue_key, coalesce_key, max_attempts)
  select j->>'tenant_id', j->>'kind', j->'payload', j->>'key', j->>'queue_key', j->>'coalesce_key', (p->>'max_attempts')::int
  from jsonb_array_elements(p->'jobs') j
  on conflict do nothing;
  perform audit_append(a->>'tenant', a->>'chain', (a->>'at')::timestamptz, a->>'actor', a->>'action', a->>'source', a->>'subject_type',
    a->>'subject_id', nullif(a->'before', 'null'::jsonb), nullif(a->'after', 'null'::jsonb), nullif(a->'meta', 'null'::jsonb), a->>'body');
  return 'written';
end $$;
