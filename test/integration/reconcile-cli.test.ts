import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/create-db.ts';

/** Runs a CLI as `npm run` would (tsx), on the embedded database under `dataDir`. */
function cli(script: string, dataDir: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, encoding: 'utf8', timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run reconcile', () => {
  it('runs the checks once, prints the open findings (JSON lines or a table) and exits 0; bad arguments exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aa-recon-'));
    try {
      expect(cli('src/cli/migrate.ts', dir).status).toBe(0);
      const h = await createDb({ dataDir: dir });
      const at = new Date('2026-12-07T02:00:00Z');
      await h.db.insertInto('erp_originated').values({
        connector: 'sandbox', erp_id: 'PR-5', tenant_id: 'default', doc_kind: 'purchase_requisition', request_id: null, number: 'PR-5', state: 'approved',
        version_stamp: 'v1', decision: null, decision_revision: null, decision_status: null, last_error: null, created_at: at, updated_at: at,
      }).execute();
      await h.close();

      const first = cli('src/cli/reconcile.ts', dir, ['--json']);
      expect(first.status, first.stderr).toBe(0);
      const lines = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({ tenant: 'default', kind: 'approved_in_erp_without_chat', key: 'sandbox:PR-5', new: true, connector: 'sandbox', erpId: 'PR-5' });
      expect(lines[1]).toMatchObject({ tenant: 'default', summary: { open: 1, opened: 1, closed: 0 } });

      const table = cli('src/cli/reconcile.ts', dir);
      expect(table.status, table.stderr).toBe(0);
      const rows = table.stdout.trim().split('\n');
      expect(rows[0]).toMatch(/^new\s+kind\s+about\s+opened \(UTC\)$/);
      // Found again: the same finding, no longer new.
      expect(rows[1]).toMatch(/^\s+approved_in_erp_without_chat\s+sandbox PR-5\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      expect(rows[2]).toBe('default: 1 open, 0 new, 0 closed; digest: 0 finance card(s), 0 drift card(s)');

      const unknown = cli('src/cli/reconcile.ts', dir, ['--tenant', 'nope']);
      expect(unknown.status).toBe(2);
      expect(unknown.stderr).toContain('no tenant "nope"');
      expect(cli('src/cli/reconcile.ts', dir, ['--bogus']).status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
