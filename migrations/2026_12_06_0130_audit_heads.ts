import { sql, type Kysely } from 'kysely';

/* Audit that holds against database writes (src/audit/).
   - audit_head_macs: per chain, the head (seq, hash) last authenticated with HMAC-SHA256 under a key the database does
     not hold (key_id names which of AUDIT_HMAC_KEYS); a head moved back, or a row rewritten with its hashes recomputed,
     no longer matches it, and nobody without the key can make a new one.
   - audit_checkpoints: the lines of the append-only export (a file or an endpoint), each chained to the previous one and
     MACed; kept here until delivered (the last delivered one stays, as the next line's link).
   - refusal_counts: refused requests counted per tenant, source (client address or bot), reason code and minute: a
     flood adds to counters, not rows. summarized: folded into the audit log's per-minute summary row.
   - auth_failures: failed authentications per source and window, shared by every replica (failed-auth rate limit). */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table audit_head_macs (
    tenant_id text not null, chain text not null, seq bigint not null, hash text not null,
    key_id text not null, mac text not null, signed_at timestamptz not null,
    primary key (tenant_id, chain))`.execute(db);
  await sql`create table audit_checkpoints (
    seq bigint primary key, at timestamptz not null, line text not null, delivered_at timestamptz)`.execute(db);
  await sql`create table refusal_counts (
    tenant_id text not null, source text not null, reason text not null, minute timestamptz not null,
    count bigint not null, last_path text, summarized boolean not null default false,
    primary key (tenant_id, source, reason, minute))`.execute(db);
  await sql`create index refusal_counts_minute on refusal_counts (minute) where not summarized`.execute(db);
  await sql`create index refusal_counts_age on refusal_counts (minute)`.execute(db);
  await sql`create table auth_failures (
    source text not null, window_start timestamptz not null, failures int not null, last_reason text not null,
    primary key (source, window_start))`.execute(db);
  await sql`create index auth_failures_window on auth_failures (window_start)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists auth_failures`.execute(db);
  await sql`drop table if exists refusal_counts`.execute(db);
  await sql`drop table if exists audit_checkpoints`.execute(db);
  await sql`drop table if exists audit_head_macs`.execute(db);
}
