-- audit_append() v1, installed by 2026_11_23_0100_foundation.
-- Appends one audit row to its chain in a single round trip: locks the chain head, hashes
-- prev_hash + seq + the canonical body (computed by the caller, src/audit/audit-log.ts), inserts the row, moves the head.
-- A landed version is never edited: a change is a new file (next version) and a new migration that loads it.
create or replace function audit_append(p_tenant text, p_chain text, p_at timestamptz, p_actor text, p_action text, p_source text,
  p_subject_type text, p_subject_id text, p_before jsonb, p_after jsonb, p_meta jsonb, p_body text) returns text
language plpgsql as $$
declare v_seq bigint; v_prev text; v_hash text;
begin
  insert into audit_heads (tenant_id, chain, seq, hash) values (p_tenant, p_chain, 1, repeat('0', 64))
  on conflict (tenant_id, chain) do update set seq = audit_heads.seq + 1
  returning seq, hash into v_seq, v_prev;
  v_hash := encode(sha256(convert_to(v_prev || E'\n' || v_seq::text || E'\n' || p_body, 'UTF8')), 'hex');
  insert into audit_log (tenant_id, chain, seq, at, actor, action, source, subject_type, subject_id, before, after, meta, prev_hash, hash)
  values (p_tenant, p_chain, v_seq, p_at, p_actor, p_action, p_source, p_subject_type, p_subject_id, p_before, p_after, p_meta, v_prev, v_hash);
  update audit_heads set hash = v_hash where tenant_id = p_tenant and chain = p_chain;
  return v_hash;
end $$;
