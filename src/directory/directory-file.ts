import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { loadYamlFile } from '../config/yaml-file.ts';
import type { Database } from '../db/database.ts';

/** The directory YAML: departments, users, and optional platform identities per user. */
export const directoryFileSchema = z.object({
  tenant: z.string().min(1).default('default'),
  departments: z.array(z.object({
    id: z.string().min(1), name: z.string().min(1), parent: z.string().optional(), leaders: z.array(z.string()).default([]),
  }).strict()).default([]),
  users: z.array(z.object({
    id: z.string().regex(/^[A-Za-z0-9_.-]+$/), name: z.string().min(1), email: z.string().optional(), department: z.string().optional(),
    manager: z.string().optional(), roles: z.array(z.string()).default([]),
    identities: z.array(z.object({ platform: z.enum(['feishu', 'dingtalk', 'console']), bot: z.string(), id: z.string() }).strict()).default([]),
  }).strict()).default([]),
}).strict().superRefine((d, ctx) => {
  const ids = new Set(d.users.map((u) => u.id));
  const depts = new Set(d.departments.map((x) => x.id));
  d.users.forEach((u, i) => {
    if (u.manager && !ids.has(u.manager)) ctx.addIssue({ code: 'custom', message: `unknown manager "${u.manager}"`, path: ['users', i, 'manager'] });
    if (u.department && !depts.has(u.department)) ctx.addIssue({ code: 'custom', message: `unknown department "${u.department}"`, path: ['users', i, 'department'] });
  });
});
export type DirectoryFile = z.infer<typeof directoryFileSchema>;

export function loadDirectoryFile(file: string): DirectoryFile {
  return loadYamlFile(file, directoryFileSchema);
}

/**
 * Upserts the file into the directory tables. Every user can use the console under their own id
 * (console bot "console"), so the demo works without any IM account.
 */
export async function importDirectory(db: Kysely<Database>, d: DirectoryFile, consoleBotIds: string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const dep of d.departments) {
      await trx.insertInto('departments').values({ tenant_id: d.tenant, id: dep.id, name: dep.name, parent_id: dep.parent ?? null, leader_ids: dep.leaders })
        .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet({ name: dep.name, parent_id: dep.parent ?? null, leader_ids: dep.leaders, updated_at: sql`now()` }))
        .execute();
    }
    for (const u of d.users) {
      const row = { name: u.name, email: u.email ?? null, department_id: u.department ?? null, manager_id: u.manager ?? null, roles: u.roles };
      await trx.insertInto('users').values({ tenant_id: d.tenant, id: u.id, ...row })
        .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet({ ...row, updated_at: sql`now()` })).execute();
      const identities = [...u.identities, ...consoleBotIds.map((bot) => ({ platform: 'console' as const, bot, id: u.id }))];
      for (const idn of identities) {
        await trx.insertInto('user_identities').values({ tenant_id: d.tenant, user_id: u.id, platform: idn.platform, bot_id: idn.bot, external_id: idn.id })
          .onConflict((oc) => oc.columns(['platform', 'bot_id', 'external_id']).doUpdateSet({ tenant_id: d.tenant, user_id: u.id })).execute();
      }
    }
  });
}
