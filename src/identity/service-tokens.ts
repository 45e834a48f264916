import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { ValidationError } from '../core/errors.ts';
import type { Database } from '../db/database.ts';
import { SCOPES, type Scope } from './permissions.ts';
import { hashSecret, newSecret } from './sessions.ts';

/**
 * Service tokens: for automation (scripts, CI drivers, monitoring), one tenant each, with scopes. The token is
 * shown once when created and only its SHA-256 is stored. Rotation: create a new token (same name is fine), move
 * the automation to it, revoke the old one; both work in between.
 */
export interface ServiceToken {
  id: string; tenantId: string; name: string; scopes: Scope[]; createdAt: Date; expiresAt: Date | null;
  revokedAt: Date | null; lastUsedAt: Date | null;
}

/** A recognisable prefix, so a leaked token is easy to find in logs and secret scanners. */
const PREFIX = 'aat_';

export async function createServiceToken(
  db: Kysely<Database>, o: { tenantId: string; name: string; scopes: string[]; expiresAt?: Date | null }, clock: Clock,
): Promise<{ id: string; token: string }> {
  const bad = o.scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (o.scopes.length === 0 || bad.length > 0) {
    throw new ValidationError('token.invalid_scope', `scopes must be some of ${SCOPES.join(', ')}${bad.length ? `; unknown: ${bad.join(', ')}` : ''}`);
  }
  if (!/^[\w.-]{1,64}$/.test(o.name)) throw new ValidationError('token.invalid_name', 'name: 1 to 64 letters, digits, dots, dashes or underscores');
  const token = `${PREFIX}${newSecret()}`;
  const row = await db.insertInto('service_tokens').values({
    tenant_id: o.tenantId, name: o.name, scopes: [...new Set(o.scopes)], token_hash: hashSecret(token), created_at: clock.now(),
    expires_at: o.expiresAt ?? null,
  }).returning('id').executeTakeFirstOrThrow();
  return { id: String(row.id), token };
}

export async function listServiceTokens(db: Kysely<Database>, tenantId?: string): Promise<ServiceToken[]> {
  let q = db.selectFrom('service_tokens').selectAll().orderBy('id');
  if (tenantId) q = q.where('tenant_id', '=', tenantId);
  return (await q.execute()).map((r) => ({
    id: String(r.id), tenantId: r.tenant_id, name: r.name, scopes: r.scopes as Scope[], createdAt: r.created_at, expiresAt: r.expires_at,
    revokedAt: r.revoked_at, lastUsedAt: r.last_used_at,
  }));
}

/** Revokes one token by id; answers whether a live token was revoked. */
export async function revokeServiceToken(db: Kysely<Database>, id: string, clock: Clock): Promise<boolean> {
  if (!/^\d{1,18}$/.test(id)) return false;
  const r = await db.updateTable('service_tokens').set({ revoked_at: clock.now() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The live token a bearer value names (not revoked, not expired), with its last use recorded; null otherwise. */
export async function verifyServiceToken(db: Kysely<Database>, token: string, clock: Clock): Promise<ServiceToken | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  const now = clock.now();
  const r = await db.updateTable('service_tokens').set({ last_used_at: now }).where('token_hash', '=', hashSecret(token))
    .where('revoked_at', 'is', null).where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .returningAll().executeTakeFirst();
  return r ? {
    id: String(r.id), tenantId: r.tenant_id, name: r.name, scopes: r.scopes as Scope[], createdAt: r.created_at, expiresAt: r.expires_at,
    revokedAt: r.revoked_at, lastUsedAt: r.last_used_at,
  } : null;
}
