import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Start parameters of the embedded database: PGlite's defaults (PGlite.defaultStartParams) plus a smaller buffer
 * cache. PGlite's data dir defaults to shared_buffers = 128MB, allocated inside the WebAssembly memory and held for
 * the life of the process (about 150 MB of the idle service's RSS); the embedded database serves one process and a
 * small team, and the files behind it stay in the OS page cache. Options: https://pglite.dev/docs/api
 */
export const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB'];

/** PGlite's own defaults, repeated here because `startParams` replaces them (see PGlite.defaultStartParams). */
export function pgliteStartParams(defaults: readonly string[]): string[] {
  return [...defaults, ...PGLITE_SETTINGS];
}

/** True when `dataDir` holds no cluster yet (PGlite would run initdb on it). */
export function needsInitdb(dataDir: string): boolean {
  return !existsSync(join(dataDir, 'PG_VERSION'));
}

/**
 * Creates the cluster in `dataDir` (initdb) in a short-lived child process. PGlite's initdb runs two more
 * WebAssembly instances beside the database's own (an in-memory PGlite and initdb itself) and copies the cluster
 * through memory; in the service's process that memory stayed resident after start-up (940 MB idle after a first
 * start against 490 MB after a restart). In a child it is all given back when the child exits, and the service then
 * opens the directory like any restart. The caller holds the data-dir lock.
 */
export function initDataDirInChild(dataDir: string): Promise<void> {
  // The package's CommonJS entry, resolved from here: the child needs no module resolution of its own.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const code = `const { PGlite } = require(process.argv[1]);
(async () => {
  const pg = new PGlite({ dataDir: process.argv[2], startParams: [...PGlite.defaultStartParams, ...JSON.parse(process.argv[3])] });
  await pg.waitReady;
  await pg.close();
})().catch((e) => { console.error(e && e.stack || String(e)); process.exit(1); });`;
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code, entry, dataDir, JSON.stringify(PGLITE_SETTINGS)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err = (err + c.toString()).slice(-2000); });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`initdb of the embedded database in ${dataDir} failed (${signal ?? `exit ${code}`}): ${err.trim()}`));
    });
  });
}
