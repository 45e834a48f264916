import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Migrator, type Kysely } from 'kysely';
import { AppError } from '../core/errors.ts';
import type { Database } from './database.ts';
import { migrations } from './migration-list.ts';

export const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/**
 * Applies pending migrations. Kysely's Postgres adapter takes `pg_advisory_xact_lock` around the run, so
 * replicas starting together apply each migration once and the others wait, then find nothing to do.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new AppError('db.migration_failed', `migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
