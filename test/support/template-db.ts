import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { migrationsDir } from '../../src/db/migrate.ts';
import { sqlDir } from '../../src/db/sql-source.ts';

/** Name of the migrated template database: changes whenever a migration file or a SQL function file they load changes. */
export function templateName(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(migrationsDir).sort()) h.update(f).update(readFileSync(join(migrationsDir, f)));
  for (const f of readdirSync(sqlDir()).sort()) h.update(f).update(readFileSync(join(sqlDir(), f)));
  return `aa_tpl_${h.digest('hex').slice(0, 12)}`;
}

/** The same server, another database. */
export function urlFor(baseUrl: string, database: string): string {
  const u = new URL(baseUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery(baseUrl: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}
