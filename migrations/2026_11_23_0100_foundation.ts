import { sql, type Kysely } from 'kysely';

/* Foundation schema: directory, intents, inbox, dialogs, requests, approval tasks, cards, outbox, audit, ERP links.
   Every business row carries tenant_id. One statement per execute (the extended protocol takes no batches). */
const statements = `
create table departments (
  tenant_id text not null, id text not null, name text not null, parent_id text,
  leader_ids text[] not null default '{}', updated_at timestamptz not null default now(),
  primary key (tenant_id, id));
create table users (
  tenant_id text not null, id text not null, name text not null, email text,
  department_id text, manager_id text, roles text[] not null default '{}', active boolean not null default true,
  updated_at timestamptz not null default now(), primary key (tenant_id, id));
create table user_identities (
  tenant_id text not null, user_id text not null, platform text not null, bot_id text not null,
  external_id text not null, last_seen_at timestamptz, created_at timestamptz not null default now(),
  primary key (platform, bot_id, external_id));
create index user_identities_user on user_identities (tenant_id, user_id);
create table intent_versions (
  tenant_id text not null, key text not null, version int not null, content_hash text not null,
  definition jsonb not null, created_at timestamptz not null default now(),
  primary key (tenant_id, key, version), unique (tenant_id, key, content_hash));
create table inbox_events (
  id bigserial primary key, tenant_id text not null, source text not null, event_id text not null,
  kind text not null, conversation_key text not null, payload jsonb not null,
  status text not null default 'pending', attempts int not null default 0, error text,
  received_at timestamptz not null default now(), processed_at timestamptz,
  unique (source, event_id));
create index inbox_events_pending on inbox_events (conversation_key, id) where status = 'pending';
create table conversation_leases (key text primary key, owner text not null, until timestamptz not null);
create table dialog_sessions (
  tenant_id text not null, user_id text not null, state jsonb not null, version int not null default 1,
  expires_at timestamptz not null, updated_at timestamptz not null default now(), primary key (tenant_id, user_id));
create table request_counters (
  tenant_id text not null, prefix text not null, period text not null, last int not null,
  primary key (tenant_id, prefix, period));
create table requests (
  id uuid primary key, tenant_id text not null, number text not null, intent_key text not null,
  intent_version int not null, requester_id text not null, status text not null, current_step int not null default 0,
  revision int not null default 1, fields jsonb not null, amount numeric(18,2), route jsonb not null,
  erp_status text not null default 'none', erp_ref jsonb, origin jsonb not null, reject_reason text,
  version int not null default 1, created_at timestamptz not null, updated_at timestamptz not null,
  submitted_at timestamptz not null, decided_at timestamptz, unique (tenant_id, number));
create index requests_requester on requests (tenant_id, requester_id, created_at desc);
create table approval_tasks (
  id uuid primary key, tenant_id text not null, request_id uuid not null references requests(id),
  revision int not null, step_index int not null, approver_id text not null, status text not null,
  acted_by text, acted_at timestamptz, comment text, transferred_from text,
  reminded_at timestamptz, remind_count int not null default 0, created_at timestamptz not null);
create index approval_tasks_request on approval_tasks (request_id);
create index approval_tasks_pending on approval_tasks (tenant_id, approver_id) where status = 'pending';
create table card_messages (
  id uuid primary key, tenant_id text not null, subject text not null, user_id text not null,
  request_id uuid, platform text not null, bot_id text not null, target jsonb not null, ref jsonb,
  rendered_version int not null default 0, lease_until timestamptz, sent_at timestamptz,
  created_at timestamptz not null default now(), updated_at timestamptz not null default now(),
  unique (tenant_id, subject));
create index card_messages_request on card_messages (request_id);
create sequence console_message_seq;
create table console_messages (
  id uuid primary key, seq bigint not null, tenant_id text not null, bot_id text not null, user_id text not null,
  revision int not null default 1, kind text not null, card jsonb, text text, idempotency_key text not null unique,
  created_at timestamptz not null default now(), updated_at timestamptz not null default now());
create index console_messages_user on console_messages (user_id, seq);
create table outbox_jobs (
  id bigserial primary key, tenant_id text not null, kind text not null, payload jsonb not null,
  idempotency_key text not null unique, queue_key text, coalesce_key text, status text not null default 'pending', attempts int not null default 0,
  max_attempts int not null, run_at timestamptz not null default now(), locked_by text, locked_until timestamptz,
  last_error text, created_at timestamptz not null default now(), updated_at timestamptz not null default now(),
  done_at timestamptz);
create index outbox_jobs_ready on outbox_jobs (run_at, id) where status = 'pending';
create index outbox_jobs_done on outbox_jobs (done_at) where status = 'done';
create unique index outbox_jobs_coalesce on outbox_jobs (coalesce_key) where status = 'pending' and attempts = 0;
create index outbox_jobs_running on outbox_jobs (locked_until) where status = 'running';
create index outbox_jobs_queue on outbox_jobs (queue_key, id) where queue_key is not null and status in ('pending', 'running');
create table audit_heads (tenant_id text not null, chain text not null, seq bigint not null, hash text not null, primary key (tenant_id, chain));
create table audit_log (
  id bigserial primary key, tenant_id text not null, chain text not null, seq bigint not null, at timestamptz not null,
  actor text not null, action text not null, source text not null, subject_type text not null, subject_id text not null,
  before jsonb, after jsonb, meta jsonb, prev_hash text not null, hash text not null, unique (tenant_id, chain, seq));
create table erp_documents (
  id uuid primary key, tenant_id text not null, request_id uuid not null, connector text not null,
  doc_kind text not null, external_key text not null, erp_id text, number text, status text not null,
  amount numeric(18,2), paid_amount numeric(18,2), posted_at timestamptz, paid_at timestamptz, bank_ref text,
  raw jsonb, created_at timestamptz not null default now(), updated_at timestamptz not null default now(),
  unique (connector, external_key));
create index erp_documents_request on erp_documents (request_id);
create table erp_sync_cursors (tenant_id text not null, connector text not null, cursor text, updated_at timestamptz not null default now(), primary key (tenant_id, connector));
create table sandbox_erp_documents (
  id bigserial primary key, tenant_id text not null, number text not null unique, doc_kind text not null,
  external_key text not null unique, payload jsonb not null, amount numeric(18,2) not null, status text not null,
  paid_amount numeric(18,2) not null default 0, posted_at timestamptz, paid_at timestamptz, bank_ref text,
  version int not null default 1, modified_at timestamptz not null default now())
`;

/* Appends one audit row to its chain in a single round trip: locks the chain head, hashes
   prev_hash + seq + the canonical body (computed by the caller), inserts the row, moves the head. */
const auditAppend = `
create function audit_append(p_tenant text, p_chain text, p_at timestamptz, p_actor text, p_action text, p_source text,
  p_subject_type text, p_subject_id text, p_before jsonb, p_after jsonb, p_meta jsonb, p_body text) returns text
language plpgsql as $$
declare v_seq bigint; v_prev text; v_hash text;
begin
  insert into audit_heads (tenant_id, chain, seq, hash) values (p_tenant, p_chain, 1, repeat('0', 64))
  on conflict (tenant_id, chain) do update set seq = audit_heads.seq + 1
  returning seq, hash into v_seq, v_prev;
  v_hash := encode(sha256(convert_to(v_prev || E'\\n' || v_seq::text || E'\\n' || p_body, 'UTF8')), 'hex');
  insert into audit_log (tenant_id, chain, seq, at, actor, action, source, subject_type, subject_id, before, after, meta, prev_hash, hash)
  values (p_tenant, p_chain, v_seq, p_at, p_actor, p_action, p_source, p_subject_type, p_subject_id, p_before, p_after, p_meta, v_prev, v_hash);
  update audit_heads set hash = v_hash where tenant_id = p_tenant and chain = p_chain;
  return v_hash;
end $$`;

/* Commits one request state change (see src/workflow/request-commit.ts) in one call: the request
   (inserted, or updated only if its version is unchanged), its inbound event, tasks, outbox jobs and
   audit row. Plans of the statements inside are cached per connection, which keeps the approval hot
   path cheap. Returns 'written', 'stale' (lost an optimistic race: nothing written) or 'duplicate'. */
export const commitRequestChangeV1 = `
create function commit_request_change(p jsonb) returns text
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
end $$`;

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements.split(/;\s*\n/).map((x) => x.trim()).filter(Boolean)) {
    await sql.raw(s).execute(db);
  }
  await sql.raw(auditAppend).execute(db);
  await sql.raw(commitRequestChangeV1).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['sandbox_erp_documents', 'erp_sync_cursors', 'erp_documents', 'audit_log', 'audit_heads', 'outbox_jobs',
    'console_messages', 'card_messages', 'approval_tasks', 'requests', 'request_counters', 'dialog_sessions',
    'conversation_leases', 'inbox_events', 'intent_versions', 'user_identities', 'users', 'departments']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await sql`drop sequence if exists console_message_seq`.execute(db);
  await sql`drop function if exists commit_request_change`.execute(db);
  await sql`drop function if exists audit_append`.execute(db);
}
