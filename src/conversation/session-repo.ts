import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { DialogState } from './dialog-state.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface StoredSession {
  state: DialogState | null;
  version: number;
  expired: boolean;
  exists: boolean;
  /** The draft that just expired (its confirmation card gets closed), else null. */
  stale: DialogState | null;
}

/** The user's draft; an expired one comes back as `state: null, expired: true`. */
export async function loadSession(db: Db, tenantId: string, userId: string, now: Date): Promise<StoredSession> {
  const row = await db.selectFrom('dialog_sessions').select(['state', 'version', 'expires_at']).where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
  if (!row) return { state: null, version: 0, expired: false, exists: false, stale: null };
  const state = row.state as DialogState | null;
  const expired = state !== null && row.expires_at.getTime() < now.getTime();
  return { state: expired ? null : state, version: row.version, expired, exists: true, stale: expired ? state : null };
}

/** Optimistic save: false when someone else saved since `expectedVersion` (the caller re-runs the turn). */
export async function saveSession(trx: Db, tenantId: string, userId: string, state: DialogState | null, expectedVersion: number, expiresAt: Date): Promise<boolean> {
  const json = JSON.stringify(state);
  if (expectedVersion === 0) {
    const r = await trx.insertInto('dialog_sessions').values({ tenant_id: tenantId, user_id: userId, state: json, version: 1, expires_at: expiresAt })
      .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing()).executeTakeFirst();
    return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }
  const r = await trx.updateTable('dialog_sessions').set({ state: json, version: sql`version + 1`, expires_at: expiresAt, updated_at: sql`now()` })
    .where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('version', '=', expectedVersion).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}
