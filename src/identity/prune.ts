import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';

/** How long an ended session's row stays (for the audit trail's "who was signed in"); then it goes. */
export const ENDED_SESSION_KEEP_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Deletes what sign-in leaves behind: sessions that ended (expired or signed out) over `keepMs` ago, and OAuth
 * states past their expiry (a state is single use and lives minutes). Sessions of people with the admin role stay:
 * they are few, and they are what tells a start that the tenant's bootstrap link is no longer needed
 * (bootstrap.ts), so pruning them must not bring a new link back.
 */
export async function pruneIdentity(db: Kysely<Database>, now: Date, keepMs = ENDED_SESSION_KEEP_MS): Promise<{ sessions: number; states: number }> {
  const cutoff = new Date(now.getTime() - keepMs);
  const sessions = await db.deleteFrom('auth_sessions as s')
    .where((eb) => eb.or([eb('s.expires_at', '<', cutoff), eb('s.revoked_at', '<', cutoff)]))
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('users as u').select('u.id')
      .whereRef('u.tenant_id', '=', 's.tenant_id').whereRef('u.id', '=', 's.user_id').where(sql<boolean>`'admin' = any(u.roles)`))))
    .executeTakeFirst();
  const states = await db.deleteFrom('sign_in_states').where('expires_at', '<', now).executeTakeFirst();
  return { sessions: Number(sessions.numDeletedRows), states: Number(states.numDeletedRows) };
}
