import type { Logger } from 'pino';
import type { AppConfig } from '../config/env.ts';
import { createDb, type DbHandle } from '../db/create-db.ts';

/** The database: the one given (tests share one PGlite between app instances), else a new pool or PGlite. */
export async function openDatabase(config: AppConfig, logger: Logger, given?: DbHandle): Promise<{ dbh: DbHandle; ownDb: boolean }> {
  if (given) return { dbh: given, ownDb: false };
  const dbh = await createDb({
    databaseUrl: config.databaseUrl, poolSize: config.poolSize, dataDir: config.dataDir, timeouts: config.dbTimeouts,
    onConnectionError: (e) => logger.warn({ err: e }, 'database connection dropped; the pool replaces it'),
  });
  return { dbh, ownDb: true };
}
