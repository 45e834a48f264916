import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface DirectoryUser {
  tenantId: string;
  id: string;
  name: string;
  departmentId: string | null;
  managerId: string | null;
  roles: string[];
}

export interface Identity { platform: string; botId: string; externalId: string; lastSeenAt: Date | null }

/** The local user behind a platform identity, or undefined for someone not in the directory. */
export async function findUserByIdentity(db: Db, platform: string, botId: string, externalIds: string[]): Promise<DirectoryUser | undefined> {
  if (externalIds.length === 0) return undefined;
  const row = await db.selectFrom('user_identities as i').innerJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'i.tenant_id').onRef('u.id', '=', 'i.user_id'))
    .select(['u.tenant_id', 'u.id', 'u.name', 'u.department_id', 'u.manager_id', 'u.roles'])
    .where('i.platform', '=', platform).where('i.bot_id', '=', botId).where('i.external_id', 'in', externalIds).where('u.active', '=', true)
    .executeTakeFirst();
  return row && { tenantId: row.tenant_id, id: row.id, name: row.name, departmentId: row.department_id, managerId: row.manager_id, roles: row.roles };
}

export async function getUsers(db: Db, tenantId: string, ids: string[]): Promise<Map<string, DirectoryUser>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, { tenantId: r.tenant_id, id: r.id, name: r.name, departmentId: r.department_id, managerId: r.manager_id, roles: r.roles }]));
}

export async function listActiveUsers(db: Db, tenantId: string, limit = 10_000): Promise<DirectoryUser[]> {
  const rows = await db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('active', '=', true).orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id, name: r.name, departmentId: r.department_id, managerId: r.manager_id, roles: r.roles }));
}

/** A user's platform identities, most recently seen first: where cards for them go. */
export async function identitiesOf(db: Db, tenantId: string, userId: string): Promise<Identity[]> {
  const rows = await db.selectFrom('user_identities').select(['platform', 'bot_id', 'external_id', 'last_seen_at'])
    .where('tenant_id', '=', tenantId).where('user_id', '=', userId)
    .orderBy('last_seen_at', (ob) => ob.desc().nullsLast()).orderBy('created_at').execute();
  return rows.map((r) => ({ platform: r.platform, botId: r.bot_id, externalId: r.external_id, lastSeenAt: r.last_seen_at }));
}

/** A message from this identity: when, and the language it was written in (null: none of its own, "3000"). */
export async function touchIdentity(db: Db, platform: string, botId: string, externalId: string, at: Date, locale: 'zh' | 'en' | null = null): Promise<void> {
  await db.updateTable('user_identities').set({ last_seen_at: at, ...(locale ? { locale } : {}) })
    .where('platform', '=', platform).where('bot_id', '=', botId).where('external_id', '=', externalId).execute();
}

export interface ChatKey { platform: string; botId: string; externalIds: string[] }

/**
 * The language each person last wrote in to the bot (the chat's language), or null before their first
 * words; one query for many chats (concurrent clicks share it). A person's ids are their identities' ids
 * (primary and aliases): the most recently seen one that has a language wins.
 */
export async function chatLocales(db: Db, keys: ChatKey[]): Promise<('zh' | 'en' | null)[]> {
  const tuples = keys.flatMap((k) => k.externalIds.map((id) => [k.platform, k.botId, id] as const));
  if (tuples.length === 0) return keys.map(() => null);
  const rows = await db.selectFrom('user_identities').select(['platform', 'bot_id', 'external_id', 'locale', 'last_seen_at'])
    .where((eb) => eb(eb.refTuple('platform', 'bot_id', 'external_id'), 'in', tuples.map(([p, b, id]) => eb.tuple(p, b, id))))
    .where('locale', 'is not', null).execute();
  const seen = (d: Date | null): number => d?.getTime() ?? -Infinity;
  return keys.map((k) => rows.filter((r) => r.platform === k.platform && r.bot_id === k.botId && k.externalIds.includes(r.external_id))
    .sort((a, b) => seen(b.last_seen_at) - seen(a.last_seen_at))[0]?.locale ?? null);
}

/** The chat's language for one person (see chatLocales). */
export async function chatLocale(db: Db, platform: string, botId: string, externalIds: string[]): Promise<'zh' | 'en' | null> {
  return (await chatLocales(db, [{ platform, botId, externalIds }]))[0] ?? null;
}

/**
 * Active people reachable through one bot, with the id that bot knows them by (the identity cards go to:
 * latest seen, then oldest created, so not an alias), ordered by user id. Feeds person pickers that take
 * platform ids (Feishu's `select_person` offers open_ids only).
 */
export async function activePeopleOnBot(db: Db, tenantId: string, platform: string, botId: string, limit: number): Promise<{ id: string; name: string; externalId: string }[]> {
  const rows = await db.selectFrom('user_identities as i').innerJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'i.tenant_id').onRef('u.id', '=', 'i.user_id'))
    .distinctOn('i.user_id').select(['i.user_id', 'i.external_id', 'u.name'])
    .where('i.tenant_id', '=', tenantId).where('i.platform', '=', platform).where('i.bot_id', '=', botId).where('u.active', '=', true)
    .orderBy('i.user_id').orderBy('i.last_seen_at', (ob) => ob.desc().nullsLast()).orderBy('i.created_at').limit(limit).execute();
  return rows.map((r) => ({ id: r.user_id, name: r.name, externalId: r.external_id }));
}
