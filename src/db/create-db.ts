import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, realpathSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { DB_TIMEOUT_DEFAULTS } from '../config/env.ts';
import { AppError } from '../core/errors.ts';
import type { Database } from './database.ts';
import type { PgTimeouts } from './pg-pool.ts';
import { PgliteDialect } from './pglite-dialect.ts';
import { initDataDirInChild, needsInitdb, pgliteStartParams } from './pglite-init.ts';

/** int8 → number (ids and counters stay far below 2^53); numeric stays a string (money is decimal). */
const INT8_OID = 20;

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
  /** Pool timeouts and how long opening waits for an unreachable server (defaults: DB_TIMEOUT_DEFAULTS). */
  timeouts?: PgTimeouts & { startupMs: number };
  /** Told when a connection fails outside a query, pooled or checked out (the pool replaces it). */
  onConnectionError?: (e: Error) => void;
  /** A PGlite data-dir dump to start from (tests copy a migrated template this way). */
  loadDataDir?: Blob;
}

/**
 * Opens the database. PostgreSQL: waits (up to timeouts.startupMs) until it answers, failing with a one-line
 * `db.unreachable` / `db.refused` error, then pools connections that survive being dropped (pg-pool.ts).
 */
export async function createDb(o: DbOptions): Promise<DbHandle> {
  // Each driver is loaded only when it is used: the other one would only take memory (PGlite's module alone is
  // about 5 MB, pg's about 14 MB of the idle service's RSS).
  if (o.databaseUrl) {
    const [{ default: pg }, { createPgPool }, { waitForDatabase }] = await Promise.all([import('pg'), import('./pg-pool.ts'), import('./wait-for-database.ts')]);
    pg.types.setTypeParser(INT8_OID, (v: string) => Number(v));
    const timeouts = o.timeouts ?? DB_TIMEOUT_DEFAULTS;
    await waitForDatabase(o.databaseUrl, { timeoutMs: timeouts.startupMs, connectMs: timeouts.connectMs });
    const { kysely } = createPgPool({ url: o.databaseUrl, max: o.poolSize ?? 10, timeouts, onConnectionError: (e) => o.onConnectionError?.(e) });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: kysely }) });
    return { db, kind: 'pg', close: () => db.destroy() };
  }
  if (o.dataDir) mkdirSync(o.dataDir, { recursive: true });
  const unlock = o.dataDir ? lockDataDir(o.dataDir) : () => undefined;
  let pglite: PGlite;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    // A new data dir is created in a child process, whose memory is all given back (pglite-init.ts).
    if (o.dataDir && !o.loadDataDir && needsInitdb(o.dataDir)) await initDataDirInChild(o.dataDir);
    pglite = new PGlite({
      ...(o.dataDir ? { dataDir: o.dataDir } : {}),
      ...(o.loadDataDir ? { loadDataDir: o.loadDataDir } : {}),
      startParams: pgliteStartParams(PGlite.defaultStartParams),
      parsers: { [INT8_OID]: (v: string) => Number(v) },
    });
    await pglite.waitReady;
  } catch (e: unknown) {
    unlock();
    throw e;
  }
  const db = new Kysely<Database>({ dialect: new PgliteDialect(pglite) });
  return { db, kind: 'pglite', pglite, close: async () => {
    try {
      await db.destroy();
      // Kysely only closes a driver it started: a handle no query ever used still holds PGlite open.
      if (!pglite.closed) await pglite.close();
    } finally {
      unlock();
    }
  } };
}

/** For the CLIs: the configured database, or a one-line error and exit 1 (e.g. the data dir is in use). */
export async function openCliDb(cfg: { databaseUrl: string | undefined; dataDir: string | undefined }, poolSize = 2): Promise<DbHandle> {
  try {
    return await createDb({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir, poolSize });
  } catch (e: unknown) {
    console.error(e instanceof AppError ? `${e.code}: ${e.message}` : e);
    process.exit(1);
  }
}

const LOCK_FILE = 'approval-assistant.pid';
/** Data dirs this process holds (a second open in one process is refused too). */
const lockedHere = new Set<string>();

/**
 * One process per embedded data directory: a second PGlite on the same files (the service and a CLI,
 * or two services) would lose writes and can corrupt them. The lock is a pid file created with its
 * content in one step (written aside, then hard-linked into place); one left by a process that is gone
 * is moved aside and taken over. Answers the release.
 */
function lockDataDir(dir: string): () => void {
  const key = realpathSync(dir);
  const file = join(dir, LOCK_FILE);
  const inUse = (who: string) => new AppError('db.data_dir_in_use', `the embedded database in ${dir} is in use by ${who}: stop it first, `
    + 'or run against PostgreSQL (DATABASE_URL), where the service and the CLIs can share the database');
  if (lockedHere.has(key)) throw inUse('this process');
  const mine = `${process.pid} ${randomUUID()}`;
  for (let tries = 0; tries < 3; tries++) {
    const aside = `${file}.${randomUUID()}`;
    writeFileSync(aside, mine);
    try {
      linkSync(aside, file);
      lockedHere.add(key);
      return () => {
        lockedHere.delete(key);
        try { if (readFileSync(file, 'utf8') === mine) unlinkSync(file); } catch { /* already gone */ }
      };
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(aside);
    }
    const held = readLock(file);
    const pid = Number(held?.split(' ')[0]);
    // Our own pid in a lock this process did not take is a previous life's (a container restarts as pid 1).
    if (held !== undefined && Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw inUse(`process ${pid} (the running service?)`);
    // Left by a process that is gone: move it aside, and put it back if it turns out to be a fresh one.
    const stale = `${file}.stale.${randomUUID()}`;
    try { renameSync(file, stale); } catch { continue; }
    if (readLock(stale) === held) unlinkSync(stale);
    else { try { linkSync(stale, file); } catch { /* the newcomer re-created it */ } unlinkSync(stale); }
  }
  throw inUse('another process starting at the same time');
}

function readLock(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
