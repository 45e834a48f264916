import { sql, type Kysely } from 'kysely';

/*
 * Bounded tables (src/scheduler/retention.ts) and two reads that sorted whole tables.
 *  - The sandbox change feed pages by (modified_at, id) within a tenant; the admin list takes a tenant's latest
 *    requests. Both sorted every row of the tenant before these indexes.
 *  - Each purge finds its oldest rows through an index holding only the rows it may delete (partial where the
 *    table also holds live rows), so a purge reads what it deletes, not the table. Columns that are set once
 *    (created_at, received_at, at) are indexed rather than ones updated later, so updates stay as cheap as before.
 *    outbox_jobs_done (foundation) already serves the purge of finished jobs.
 *  - Refusal rows (inbound.rejected, card.denied, inbound.unknown_user) sit in hash chains of their own (subjects
 *    `bot:<id>`, `endpoint:<path>`). A purge removes the oldest rows of such a chain and records where the chain
 *    now starts (floor_seq, and floor_hash: the hash of the last removed row, which the first kept row links to),
 *    so audit:verify still checks every row that is kept.
 * Plain CREATE INDEX (migrations run in a transaction, which CONCURRENTLY cannot): it blocks writes to each table
 * while its index builds.
 */
const statements = [
  sql`create index sandbox_erp_documents_feed on sandbox_erp_documents (tenant_id, modified_at, id)`,
  sql`create index requests_tenant_created on requests (tenant_id, created_at)`,
  sql`create index inbox_events_done on inbox_events (processed_at) where status = 'done'`,
  sql`create index inbox_events_failed on inbox_events (received_at) where status = 'failed'`,
  sql`create index outbox_jobs_dead on outbox_jobs (updated_at) where status = 'dead'`,
  sql`create index console_messages_created on console_messages (created_at)`,
  sql`create index card_messages_transient on card_messages (created_at)
    where subject like 'dialog:%' or subject like 'help:%' or subject like 'status:%'`,
  sql`create index audit_log_refusals on audit_log (at)
    where subject_type in ('bot', 'endpoint') and action in ('inbound.rejected', 'card.denied', 'inbound.unknown_user')`,
  sql`alter table audit_heads add column floor_seq bigint not null default 0, add column floor_hash text`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table audit_heads drop column floor_seq, drop column floor_hash`.execute(db);
  for (const i of ['audit_log_refusals', 'card_messages_transient', 'console_messages_created', 'outbox_jobs_dead',
    'inbox_events_failed', 'inbox_events_done', 'requests_tenant_created', 'sandbox_erp_documents_feed']) {
    await sql`drop index if exists ${sql.ref(i)}`.execute(db);
  }
}
