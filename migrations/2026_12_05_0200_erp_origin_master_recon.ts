import { sql, type Kysely } from 'kysely';
import { sqlFunction } from '../src/db/sql-source.ts';

/* The other half of the ERP loop (docs/erp.md):
   - erp_originated: documents made and submitted in the ERP that wait for approval in chat, one row per ERP
     document, linked to the chat request that carries them (every revision); the ERP state and version stamp last
     applied, and the last decision sent back (approve / reject) with its outcome;
   - requests.erp_origin: what the card shows of such a document (number, owner, lines, totals, link, state),
     written by commit_request_change() v5;
   - erp_master_records: master data synced from each ERP instance (suppliers, customers, projects, departments,
     expense categories, accounts, warehouses, materials, employees), incrementally by each kind's cursor (kept in
     erp_sync_cursors under "<instance>#master:<kind>");
   - erp_person_links: which ERP employee (party) each person of the directory is, per instance, and how it was found;
   - recon_findings: reconciliation and drift findings, one open row per (tenant, kind, key), closed when resolved;
   - erp_documents.erp_amount: the document's total as the ERP last reported it (reconciliation compares it with the
     approved amount); created_at is written from the service's clock from now on (cycle times read it). */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table requests add column erp_origin jsonb`.execute(db);
  await sql`alter table erp_documents add column erp_amount numeric(18,2)`.execute(db);
  await sql.raw(sqlFunction('commit_request_change', 5)).execute(db);
  await sql`create table erp_originated (
    connector text not null, erp_id text not null, tenant_id text not null, doc_kind text not null,
    request_id uuid references requests(id), number text, state text not null, version_stamp text,
    decision text, decision_revision integer, decision_status text, last_error text,
    created_at timestamptz not null, updated_at timestamptz not null,
    primary key (connector, erp_id))`.execute(db);
  await sql`create index erp_originated_request on erp_originated (request_id)`.execute(db);
  await sql`create table erp_master_records (
    tenant_id text not null, connector text not null, kind text not null, erp_id text not null,
    code text, name text not null, aliases jsonb not null default '[]', active boolean not null default true,
    attrs jsonb not null default '{}', version_stamp text, synced_at timestamptz not null, changed_at timestamptz not null,
    primary key (connector, kind, erp_id))`.execute(db);
  await sql`create index erp_master_records_name on erp_master_records (tenant_id, kind, lower(name))`.execute(db);
  await sql`create table erp_person_links (
    tenant_id text not null, connector text not null, user_id text not null, erp_id text not null, matched_by text not null,
    updated_at timestamptz not null, primary key (connector, user_id))`.execute(db);
  await sql`create index erp_person_links_erp on erp_person_links (connector, erp_id)`.execute(db);
  await sql`create table recon_findings (
    id uuid primary key, tenant_id text not null, kind text not null, key text not null,
    request_id uuid, connector text, erp_id text, details jsonb not null default '{}',
    opened_at timestamptz not null, last_seen_at timestamptz not null, closed_at timestamptz, notified_at timestamptz)`.execute(db);
  await sql`create unique index recon_findings_open on recon_findings (tenant_id, kind, key) where closed_at is null`.execute(db);
  await sql`create index recon_findings_tenant on recon_findings (tenant_id, opened_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists recon_findings`.execute(db);
  await sql`drop table if exists erp_person_links`.execute(db);
  await sql`drop table if exists erp_master_records`.execute(db);
  await sql`drop table if exists erp_originated`.execute(db);
  await sql.raw(sqlFunction('commit_request_change', 4)).execute(db);
  await sql`alter table requests drop column erp_origin`.execute(db);
  await sql`alter table erp_documents drop column erp_amount`.execute(db);
}
