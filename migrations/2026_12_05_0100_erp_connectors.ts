import { sql, type Kysely } from 'kysely';

/* Real ERP connectors (src/erp/connectors/<kind>/):
   - erp_documents: the ERP's form or model of the document (form_id), the posting's number (voucher), the ERP's version stamp of the last change applied (a repeat of
     one stamp is skipped), and the last error the ERP gave for the document (shown to admins and on the card);
   - erp_sync_cursors: each instance's poll health (times from the service's clock): last attempt, last success,
     last error and when it happened;
   - erp_push_events: pushes received per instance by event id, so a replayed event is refused and has no second
     effect. Rows are pruned by age (src/scheduler/retention.ts). */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table erp_documents add column voucher text, add column version_stamp text, add column last_error text,
    add column form_id text`.execute(db);
  await sql`alter table erp_sync_cursors add column last_attempt_at timestamptz, add column last_success_at timestamptz,
    add column last_error text, add column last_error_at timestamptz`.execute(db);
  await sql`create table erp_push_events (
    instance text not null, event_id text not null, tenant_id text not null, received_at timestamptz not null,
    primary key (instance, event_id))`.execute(db);
  await sql`create index erp_push_events_received on erp_push_events (received_at)`.execute(db);
  await sql`create index erp_documents_open on erp_documents (connector) where status not in ('paid', 'cancelled', 'rejected')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists erp_documents_open`.execute(db);
  await sql`drop table if exists erp_push_events`.execute(db);
  await sql`alter table erp_sync_cursors drop column last_attempt_at, drop column last_success_at, drop column last_error, drop column last_error_at`.execute(db);
  await sql`alter table erp_documents drop column voucher, drop column version_stamp, drop column last_error, drop column form_id`.execute(db);
}
