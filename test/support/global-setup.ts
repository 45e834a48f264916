import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config/env.ts';
import { createDb } from '../../src/db/create-db.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { adminQuery, templateName, urlFor } from './template-db.ts';

declare module 'vitest' {
  export interface ProvidedContext { pgliteTemplate: string; pgTemplate: string }
}

/**
 * Migrates one template per run. Real PostgreSQL (DATABASE_URL set): a template database each test file
 * copies with CREATE DATABASE … TEMPLATE. PGlite: a data-dir dump each test file loads.
 */
export default async function setup(project: TestProject): Promise<void> {
  const { databaseUrl } = loadConfig();
  if (databaseUrl) {
    const name = templateName();
    const exists = await adminQuery(databaseUrl, `select 1 from pg_database where datname = '${name}'`);
    if (exists.rowCount === 0) {
      const building = `${name}_build_${process.pid}`;
      await adminQuery(databaseUrl, `create database ${building}`);
      const h = await createDb({ databaseUrl: urlFor(databaseUrl, building), poolSize: 1 });
      await migrateToLatest(h.db);
      await h.close();
      try {
        await adminQuery(databaseUrl, `alter database ${building} rename to ${name}`);
      } catch {
        await adminQuery(databaseUrl, `drop database if exists ${building}`); // another run made it first
      }
    }
    project.provide('pgTemplate', name);
    project.provide('pgliteTemplate', '');
    return;
  }
  const h = await createDb({});
  await migrateToLatest(h.db);
  const dump = await h.pglite?.dumpDataDir('gzip');
  await h.close();
  if (!dump) throw new Error('PGlite dump failed');
  const file = join(mkdtempSync(join(tmpdir(), 'aa-pglite-')), 'template.tar.gz');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  project.provide('pgTemplate', '');
}
