import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import { findUserByIdentity, type DirectoryUser } from './directory-repo.ts';

/** What route resolution reads of the directory: people, departments and roles of one tenant. */
export interface DirectoryView {
  user(id: string): { id: string; departmentId: string | null; managerId: string | null; roles: string[] } | undefined;
  department(id: string): { leaderIds: string[]; parentId: string | null } | undefined;
  usersWithRole(role: string): string[];
}

/** Names and the active people of a tenant, as cards show them (transfer pickers, timelines). */
export interface DirectoryPeople {
  name(id: string): string | undefined;
  /** Active users ordered by id. */
  active: { id: string; name: string }[];
}

interface Cached { view: DirectoryView; people: DirectoryPeople; at: number }

/** Bound on cached identity lookups; the whole cache is dropped when it fills (cheap, rare). */
const MAX_CACHED_IDENTITIES = 10_000;

/**
 * Builds the in-memory DirectoryView route resolution needs, per tenant, cached for `ttlMs`
 * (directory syncs call `invalidate`). Submits are rare next to clicks, so a short TTL is cheap.
 */
export class DirectoryViews {
  private readonly cache = new Map<string, Cached>();
  constructor(private readonly db: Kysely<Database>, private readonly ttlMs = 30_000) {}

  invalidate(tenantId?: string): void {
    if (tenantId) this.cache.delete(tenantId);
    else this.cache.clear();
    this.identities.clear();
  }

  private readonly identities = new Map<string, { user: DirectoryUser; at: number }>();

  /**
   * The user behind a platform identity, cached for the TTL (card clicks are the hot path). Only hits
   * are cached, so someone just added to the directory is recognized at once.
   */
  async userByIdentity(platform: string, botId: string, externalIds: string[]): Promise<DirectoryUser | undefined> {
    const key = `${platform}:${botId}:${externalIds.join(',')}`;
    const hit = this.identities.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.user;
    const user = await findUserByIdentity(this.db, platform, botId, externalIds);
    if (user) {
      if (this.identities.size >= MAX_CACHED_IDENTITIES) this.identities.clear();
      this.identities.set(key, { user, at: Date.now() });
    }
    return user;
  }

  /** Pass the transaction when inside one (PGlite has a single connection; the root handle would wait on it). */
  async get(tenantId: string, db: Kysely<Database> | Transaction<Database> = this.db): Promise<DirectoryView> {
    return (await this.load(tenantId, db)).view;
  }

  /** Active people and their names, cached like the view (card renders are frequent; the directory changes rarely). */
  async people(tenantId: string): Promise<DirectoryPeople> {
    return (await this.load(tenantId, this.db)).people;
  }

  private async load(tenantId: string, db: Kysely<Database> | Transaction<Database>): Promise<Cached> {
    const hit = this.cache.get(tenantId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit;
    const users = await db.selectFrom('users').select(['id', 'name', 'department_id', 'manager_id', 'roles']).where('tenant_id', '=', tenantId).where('active', '=', true).orderBy('id').execute();
    const depts = await db.selectFrom('departments').select(['id', 'leader_ids', 'parent_id']).where('tenant_id', '=', tenantId).execute();
    const userMap = new Map(users.map((u) => [u.id, { id: u.id, departmentId: u.department_id, managerId: u.manager_id, roles: u.roles }]));
    const deptMap = new Map(depts.map((d) => [d.id, { leaderIds: d.leader_ids, parentId: d.parent_id }]));
    const names = new Map(users.map((u) => [u.id, u.name]));
    const entry: Cached = {
      view: {
        user: (id) => userMap.get(id),
        department: (id) => deptMap.get(id),
        usersWithRole: (role) => users.filter((u) => u.roles.includes(role)).map((u) => u.id),
      },
      people: { name: (id) => names.get(id), active: users.map((u) => ({ id: u.id, name: u.name })) },
      at: Date.now(),
    };
    this.cache.set(tenantId, entry);
    return entry;
  }
}
