import { sql, type Kysely } from 'kysely';
import { sqlFunction } from '../src/db/sql-source.ts';

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

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements.split(/;\s*\n/).map((x) => x.trim()).filter(Boolean)) {
    await sql.raw(s).execute(db);
  }
  // The two functions, whole, from src/db/sql/ (see those files).
  await sql.raw(sqlFunction('audit_append', 1)).execute(db);
  await sql.raw(sqlFunction('commit_request_change', 1)).execute(db);
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
