import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { DirectoryView } from '../workflow/route-resolver.ts';

interface Cached { view: DirectoryView; at: number }

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
  }

  /** Pass the transaction when inside one (PGlite has a single connection; the root handle would wait on it). */
  async get(tenantId: string, db: Kysely<Database> | Transaction<Database> = this.db): Promise<DirectoryView> {
    const hit = this.cache.get(tenantId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.view;
    const users = await db.selectFrom('users').select(['id', 'department_id', 'manager_id', 'roles']).where('tenant_id', '=', tenantId).where('active', '=', true).execute();
    const depts = await db.selectFrom('departments').select(['id', 'leader_ids', 'parent_id']).where('tenant_id', '=', tenantId).execute();
    const userMap = new Map(users.map((u) => [u.id, { id: u.id, departmentId: u.department_id, managerId: u.manager_id, roles: u.roles }]));
    const deptMap = new Map(depts.map((d) => [d.id, { leaderIds: d.leader_ids, parentId: d.parent_id }]));
    const view: DirectoryView = {
      user: (id) => userMap.get(id),
      department: (id) => deptMap.get(id),
      usersWithRole: (role) => users.filter((u) => u.roles.includes(role)).map((u) => u.id),
    };
    this.cache.set(tenantId, { view, at: Date.now() });
    return view;
  }
}
