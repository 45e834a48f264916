-- commit_request_change() v5, installed by 2026_12_05_0200_erp_origin_master_recon.
-- Commits one request state change (src/workflow/request-commit.ts; its payload is the CommitPayload type there)
-- in one call: the request (inserted, or updated only if its version is unchanged), its inbound event, tasks,
-- outbox jobs and audit row. Returns 'written', 'stale' (lost an optimistic race: nothing written) or 'duplicate'.
-- Versus v4: the request's erp_origin (the ERP document an ERP-originated request approves) is written too.
create or replace function commit_request_change(p jsonb) returns text
language plpgsql as $$
declare
  r jsonb := p->'request';
  e jsonb := nullif(p->'inbound', 'null'::jsonb);
  a jsonb := p->'audit';
  at timestamptz := (p->>'at')::timestamptz;
  n int;
  u jsonb;
  rid jsonb;
begin
  -- The inbound event first (inbox_record(), the one writer of inbox_events): a redelivery, even one racing
  -- with this call, writes nothing. No exceptions on expected outcomes, so many changes can share one
  -- transaction (commit_request_changes).
  if e is not null then
    perform 1 from inbox_record(jsonb_build_array(e), 'done');
    if not found then return 'duplicate'; end if;
  end if;
  if p->>'mode' = 'insert' then
    insert into requests (id, tenant_id, number, intent_key, intent_version, requester_id, status, current_step, revision, fields, amount,
      route, erp_status, erp_ref, origin, reject_reason, version, created_at, updated_at, submitted_at, decided_at, erp_origin)
    values ((r->>'id')::uuid, r->>'tenant_id', r->>'number', r->>'intent_key', (r->>'intent_version')::int, r->>'requester_id', r->>'status',
      (r->>'current_step')::int, (r->>'revision')::int, r->'fields', (r->>'amount')::numeric, r->'route', r->>'erp_status',
      nullif(r->'erp_ref', 'null'::jsonb), r->'origin', r->>'reject_reason', (r->>'version')::int, (r->>'created_at')::timestamptz,
      (r->>'updated_at')::timestamptz, (r->>'submitted_at')::timestamptz, (r->>'decided_at')::timestamptz,
      nullif(r->'erp_origin', 'null'::jsonb));
  else
    update requests set status = r->>'status', current_step = (r->>'current_step')::int, revision = (r->>'revision')::int, fields = r->'fields',
      amount = (r->>'amount')::numeric, route = r->'route', erp_status = r->>'erp_status', erp_ref = nullif(r->'erp_ref', 'null'::jsonb),
      reject_reason = r->>'reject_reason', version = (r->>'version')::int, updated_at = (r->>'updated_at')::timestamptz,
      decided_at = (r->>'decided_at')::timestamptz, submitted_at = (r->>'submitted_at')::timestamptz,
      erp_origin = nullif(r->'erp_origin', 'null'::jsonb)
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
  for rid in select value from jsonb_array_elements(p->'reminded') loop
    update approval_tasks set reminded_at = at, remind_count = remind_count + 1 where id = (rid #>> '{}')::uuid;
  end loop;
  -- Jobs through outbox_enqueue(), the one writer of outbox_jobs (coalesced card re-renders lock the waiting job).
  perform outbox_enqueue(p->'jobs', (p->>'max_attempts')::int);
  perform audit_append(a->>'tenant', a->>'chain', (a->>'at')::timestamptz, a->>'actor', a->>'action', a->>'source', a->>'subject_type',
    a->>'subject_id', nullif(a->'before', 'null'::jsonb), nullif(a->'after', 'null'::jsonb), nullif(a->'meta', 'null'::jsonb), a->>'body');
  return 'written';
end $$;
