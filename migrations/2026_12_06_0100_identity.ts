import { sql, type Kysely } from 'kysely';

/* Identity (src/identity/): who is acting is proven, not claimed.
   - auth_sessions: one row per signed-in browser. Only the SHA-256 of the cookie's random token is kept, so a copy of
     the database signs nobody in. Expiry and sign-out (revoked_at) end a session.
   - service_tokens: scoped, rotatable tokens for automation, per tenant; again only the hash is kept, the token is
     shown once when created.
   - bootstrap_links: one-time links printed at first start to sign in the tenant's first admin (hash, single use,
     expiry). */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table auth_sessions (
    token_hash text primary key, tenant_id text not null, user_id text not null, via text not null,
    created_at timestamptz not null, expires_at timestamptz not null, revoked_at timestamptz, last_seen_at timestamptz)`.execute(db);
  await sql`create index auth_sessions_user on auth_sessions (tenant_id, user_id)`.execute(db);
  await sql`create index auth_sessions_expires on auth_sessions (expires_at)`.execute(db);
  await sql`create table service_tokens (
    id bigserial primary key, tenant_id text not null, name text not null, scopes text[] not null,
    token_hash text not null unique, created_at timestamptz not null, expires_at timestamptz,
    revoked_at timestamptz, last_used_at timestamptz)`.execute(db);
  await sql`create index service_tokens_tenant on service_tokens (tenant_id, name)`.execute(db);
  await sql`create table bootstrap_links (
    token_hash text primary key, tenant_id text not null, created_at timestamptz not null, expires_at timestamptz not null,
    used_at timestamptz, used_by text)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists bootstrap_links`.execute(db);
  await sql`drop table if exists service_tokens`.execute(db);
  await sql`drop table if exists auth_sessions`.execute(db);
}
