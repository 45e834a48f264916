import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { PlatformPerson } from './oauth/oauth-call.ts';

/** Whom a sign-in maps to in the tenant's directory. */
export type SignInMatch =
  | { kind: 'user'; userId: string; name: string }
  | { kind: 'inactive'; userId: string }
  | { kind: 'unknown' };

/**
 * The directory person behind a platform identity, in the bot's tenant only. First the identities recorded for this
 * very bot (Feishu's open_id is per app; the directory sync also records union_id and user_id on the bot). Then, for
 * ids that are the same whichever app asks (Feishu union_id / user_id, DingTalk userid / unionId: every id but
 * Feishu's open_id), an identity recorded on another bot of the same platform and tenant. A person whose only match
 * is inactive is named so, to be refused; someone the directory does not hold is unknown.
 */
export async function findSignInUser(db: Kysely<Database>, tenantId: string, botId: string, person: PlatformPerson): Promise<SignInMatch> {
  const ids = [...new Set(person.externalIds)].slice(0, 5);
  if (ids.length === 0) return { kind: 'unknown' };
  const orgWide = person.platform === 'feishu' ? ids.slice(1) : ids;
  const rows = await db.selectFrom('user_identities as i')
    .innerJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'i.tenant_id').onRef('u.id', '=', 'i.user_id'))
    .select(['u.id', 'u.name', 'u.active', 'i.bot_id'])
    .where('i.tenant_id', '=', tenantId).where('i.platform', '=', person.platform)
    .where((eb) => eb.or([
      eb.and([eb('i.bot_id', '=', botId), eb('i.external_id', 'in', ids)]),
      ...(orgWide.length > 0 ? [eb('i.external_id', 'in', orgWide)] : []),
    ]))
    .execute();
  // This bot's own record first; among equals, an active person.
  rows.sort((a, b) => Number(b.bot_id === botId) - Number(a.bot_id === botId) || Number(b.active) - Number(a.active));
  const best = rows[0];
  if (!best) return { kind: 'unknown' };
  return best.active ? { kind: 'user', userId: best.id, name: best.name } : { kind: 'inactive', userId: best.id };
}
