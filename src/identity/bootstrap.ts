import { sql, type Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/database.ts';
import { hashSecret, newSecret } from './sessions.ts';

export const BOOTSTRAP_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Whether a tenant still needs its bootstrap link. The rule: until a person with the directory role `admin` has
 * signed in once (any session row of an admin, however made), every start prints a fresh link; afterwards, never.
 * A link already used counts as such a sign-in.
 */
export async function needsBootstrap(db: Kysely<Database>, tenantId: string): Promise<boolean> {
  const r = await sql<{ signed: boolean }>`select exists (
      select 1 from auth_sessions s join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
      where s.tenant_id = ${tenantId} and 'admin' = any(u.roles))
    or exists (select 1 from bootstrap_links where tenant_id = ${tenantId} and used_at is not null) as signed`.execute(db);
  return !r.rows[0]?.signed;
}

/**
 * A new one-time link token for a tenant, or null when the tenant no longer needs one. Unused links of earlier
 * starts are deleted, so only the last printed line works. Only the token's hash is stored.
 */
export async function issueBootstrapLink(db: Kysely<Database>, tenantId: string, clock: Clock, ttlMs = BOOTSTRAP_TTL_MS): Promise<string | null> {
  if (!(await needsBootstrap(db, tenantId))) return null;
  const token = newSecret();
  const now = clock.now();
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('bootstrap_links').where('tenant_id', '=', tenantId).where('used_at', 'is', null).execute();
    await trx.insertInto('bootstrap_links').values({ token_hash: hashSecret(token), tenant_id: tenantId, created_at: now, expires_at: new Date(now.getTime() + ttlMs) }).execute();
  });
  return token;
}

export type BootstrapOutcome =
  | { ok: true; tenantId: string; userId: string }
  | { ok: false; reason: 'invalid' | 'no_admin'; tenantId?: string };

/**
 * Uses a link once: marks it used and answers the tenant's first admin (directory role `admin`, active, the first
 * by id). The row is locked while this runs, so two visits at once sign in one browser. With no admin in the
 * directory, the link stays unused (it works once an admin is added) and the answer says so.
 */
export async function redeemBootstrapLink(db: Kysely<Database>, token: string, clock: Clock): Promise<BootstrapOutcome> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { ok: false, reason: 'invalid' };
  const now = clock.now();
  return db.transaction().execute(async (trx) => {
    const link = await trx.selectFrom('bootstrap_links').selectAll().where('token_hash', '=', hashSecret(token)).forUpdate().executeTakeFirst();
    if (!link || link.used_at || link.expires_at.getTime() <= now.getTime()) return { ok: false, reason: 'invalid' } as const;
    const admin = await trx.selectFrom('users').select('id').where('tenant_id', '=', link.tenant_id).where('active', '=', true)
      .where(sql<boolean>`'admin' = any(roles)`).orderBy('id').limit(1).executeTakeFirst();
    if (!admin) return { ok: false, reason: 'no_admin', tenantId: link.tenant_id } as const;
    await trx.updateTable('bootstrap_links').set({ used_at: now, used_by: admin.id }).where('token_hash', '=', link.token_hash).execute();
    return { ok: true, tenantId: link.tenant_id, userId: admin.id } as const;
  });
}
