import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/create-db.ts';

/** Runs one of the package's CLIs as `npm run` would (tsx), on the embedded database under `dataDir`. */
function cli(script: string, dataDir: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, encoding: 'utf8', timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the embedded database has one process at a time', () => {
  it('a CLI refuses, in one line, a data dir the service holds; once it is released the CLI runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aa-lock-'));
    try {
      const service = await createDb({ dataDir: dir });
      const refused = cli('src/cli/migrate.ts', dir);
      expect(refused.status).toBe(1);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toContain(`db.data_dir_in_use: the embedded database in ${dir} is in use by process ${process.pid}`);
      await expect(createDb({ dataDir: dir })).rejects.toThrow(/in use by this process/);
      await service.close();
      // A lock left by a process that is gone (here: a pid that cannot exist) is taken over.
      writeFileSync(join(dir, 'approval-assistant.pid'), '2147483646 left-by-a-crash');
      const ran = cli('src/cli/migrate.ts', dir);
      expect(ran.status, ran.stderr).toBe(0);
      expect(JSON.parse(ran.stdout)).toMatchObject({ db: 'pglite' });
      expect(cli('src/cli/outbox.ts', dir, ['dead']).stdout).toContain('no dead-lettered jobs');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
