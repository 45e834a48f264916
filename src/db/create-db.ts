import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';
import { PgliteDialect } from './pglite-dialect.ts';

/** int8 → number (ids and counters stay far below 2^53); numeric stays a string (money is decimal). */
const INT8_OID = 20;
pg.types.setTypeParser(INT8_OID, (v: string) => Number(v));

export interface DbHandle {
  db: Kysely<Database>;
  kind: 'pg' | 'pglite';
  /** The embedded instance, when kind is pglite (tests dump and load its data dir). */
  pglite?: PGlite;
  close(): Promise<void>;
}

export interface DbOptions {
  databaseUrl?: string | undefined;
  poolSize?: number;
  /** PGlite data directory; undefined → in memory. */
  dataDir?: string | undefined;
  /** Told when an idle pooled connection fails (the pool replaces it). */
  onIdleError?: (e: Error) => void;
  /** A PGlite data-dir dump to start from (tests copy a migrated template this way). */
  loadDataDir?: Blob;
}

export async function createDb(o: DbOptions): Promise<DbHandle> {
  if (o.databaseUrl) {
    const pool = new pg.Pool({ connectionString: o.databaseUrl, max: o.poolSize ?? 10 });
    // An idle client whose server connection dies (restart, failover, terminate) is dropped by the pool;
    // without a listener that error would crash the process.
    pool.on('error', (e: Error) => o.onIdleError?.(e));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'pg', close: () => db.destroy() };
  }
  if (o.dataDir) mkdirSync(o.dataDir, { recursive: true });
  const pglite = new PGlite({
    ...(o.dataDir ? { dataDir: o.dataDir } : {}),
    ...(o.loadDataDir ? { loadDataDir: o.loadDataDir } : {}),
    parsers: { [INT8_OID]: (v: string) => Number(v) },
  });
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: new PgliteDialect(pglite) });
  return { db, kind: 'pglite', pglite, close: () => db.destroy() };
}
