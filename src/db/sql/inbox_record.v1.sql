-- inbox_record() v1, installed by 2026_11_23_0910_single_writers: the one writer of inbox_events rows.
-- Stores inbound events once per (source, event id): `p_events` is an array of rows built by inboxRow()
-- (src/inbox/inbox-repo.ts), inserted in array order (callers sort a batch, so replicas take the unique-index
-- locks in one order); 'done' rows are stored handled (one attempt). Answers the rows it stored: a redelivery
-- is left out. Callers: recordEvents() (src/inbox/inbox-repo.ts) and commit_request_change().
create or replace function inbox_record(p_events jsonb, p_status text)
  returns table (inbox_id bigint, inbox_source text, inbox_event_id text)
language plpgsql as $$
begin
  return query
  insert into inbox_events (tenant_id, source, event_id, kind, conversation_key, payload, status, attempts, processed_at)
  select e->>'tenant_id', e->>'source', e->>'event_id', e->>'kind', e->>'conversation_key', e->'payload', p_status,
    case when p_status = 'done' then 1 else 0 end, case when p_status = 'done' then now() end
  from jsonb_array_elements(p_events) e
  on conflict (source, event_id) do nothing
  returning id, source, event_id;
end $$;
