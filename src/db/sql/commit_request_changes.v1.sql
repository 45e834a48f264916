-- commit_request_changes() v1, installed by 2026_11_23_0300_group_commit.
-- Group commit (src/workflow/commit-batcher.ts): applies an array of commit_request_change() payloads in
-- request-id order (the same lock order in every batch, so concurrent batches cannot deadlock) and returns
-- each outcome in the caller's order.
-- A landed version is never edited: a change is a new file (next version) and a new migration that loads it.
create or replace function commit_request_changes(p jsonb) returns text[]
language plpgsql as $$
declare
  outcomes text[] := array_fill(null::text, array[jsonb_array_length(p)]);
  x record;
begin
  for x in select value, ordinality from jsonb_array_elements(p) with ordinality
    order by value->'request'->>'id', value->'inbound'->>'source', value->'inbound'->>'event_id' loop
    outcomes[x.ordinality] := commit_request_change(x.value);
  end loop;
  return outcomes;
end $$;
