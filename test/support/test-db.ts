import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { createDb, type DbHandle } from '../../src/db/create-db.ts';
import { adminQuery, urlFor } from './template-db.ts';

export interface TestDb {
  handle: DbHandle;
  /** Set on real PostgreSQL: other processes (child workers, a second app) can connect too. */
  url: string | undefined;
  kind: 'pg' | 'pglite';
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file, copied from the run's template. */
export async function createTestDb(poolSize = 10): Promise<TestDb> {
  const { databaseUrl } = loadConfig();
  if (databaseUrl) {
    const name = `aa_t_${randomBytes(5).toString('hex')}`;
    await adminQuery(databaseUrl, `create database ${name} template ${inject('pgTemplate')}`);
    const url = urlFor(databaseUrl, name);
    const handle = await createDb({ databaseUrl: url, poolSize });
    return {
      handle, url, kind: 'pg',
      drop: async () => { await handle.close(); await adminQuery(databaseUrl, `drop database if exists ${name} with (force)`); },
    };
  }
  const blob = new Blob([readFileSync(inject('pgliteTemplate'))]);
  const handle = await createDb({ loadDataDir: blob });
  return { handle, url: undefined, kind: 'pglite', drop: () => handle.close() };
}
