-- commit_request_change() v1, installed by 2026_11_23_0100_foundation (and again by 0300's down).
-- Commits one request state change (src/workflow/request-commit.ts) in one call: the request (inserted, or
-- updated only if its version is unchanged), its inbound event, tasks, outbox jobs and audit row.
-- Returns 'written', 'stale' (lost an optimistic race: nothing written) or 'duplicate'.
-- A landed version is never edited: a change is a new file (next version) and a new migration that loads it.
create or replace function commit_request_change(p jsonb) returns text
language plpgsql as $$
declare
  r jsonb := p->'request';
  e jsonb := nullif(p->'inbound', 'null'::jsonb);
  a jsonb := p->'audit';
  at timestamptz := (p->>'at')::timestamptz;
  n int;
begin
  if e is not null and exists (select 1 from inbox_events where source = e->>'source' and event_id = e->>'event_id') then
    return 'duplicate';
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
    if n = 0 then return 'stale'; end if;
  end if;
  if e is not null then
    insert into inbox_events (tenant_id, source, event_id, kind, conversation_key, payload, status, attempts, processed_at)
    values (e->>'tenant_id', e->>'source', e->>'event_id', e->>'kind', e->>'conversation_key', e->'payload', 'done', 1, now())
    on conflict (source, event_id) do nothing;
    get diagnostics n = row_count;
    if n = 0 then raise exception 'duplicate inbound event' using errcode = 'AA001'; end if;
  end if;
  update approval_tasks t set status = u->>'status', acted_by = coalesce(u->>'acted_by', t.acted_by), acted_at = at,
    comment = coalesce(u->>'comment', t.comment)
  from jsonb_array_elements(p->'task_updates') u where t.id = (u->>'id')::uuid;
  insert into approval_tasks (id, tenant_id, request_id, revision, step_index, approver_id, status, transferred_from, created_at)
  select (i->>'id')::uuid, r->>'tenant_id', (r->>'id')::uuid, (r->>'revision')::int, (i->>'step_index')::int, i->>'approver_id', 'pending',
    i->>'transferred_from', at
  from jsonb_array_elements(p->'task_inserts') i;
  update approval_tasks set reminded_at = at, remind_count = remind_count + 1
  where id in (select (x #>> '{}')::uuid from jsonb_array_elements(p->'reminded') x);
  insert into outbox_jobs (tenant_id, kind, payload, idempotency_key, queue_key, coalesce_key, max_attempts)
  select j->>'tenant_id', j->>'kind', j->'payload', j->>'key', j->>'queue_key', j->>'coalesce_key', (p->>'max_attempts')::int
  from jsonb_array_elements(p->'jobs') j
  on conflict do nothing;
  perform audit_append(a->>'tenant', a->>'chain', (a->>'at')::timestamptz, a->>'actor', a->>'action', a->>'source', a->>'subject_type',
    a->>'subject_id', nullif(a->'before', 'null'::jsonb), nullif(a->'after', 'null'::jsonb), nullif(a->'meta', 'null'::jsonb), a->>'body');
  return 'written';
end $$;
