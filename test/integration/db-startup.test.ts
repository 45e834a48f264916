import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startServiceChild } from '../support/service-child.ts';
import { startBlackHole } from '../support/tcp-blackhole.ts';

/** A port nothing listens on (bound once, then closed): connecting is refused at once. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const a = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return typeof a === 'object' && a ? a.port : 1;
}

/** Starts the service (defaults for every database timeout) and reports how it ended and what it printed. */
async function startAgainst(databaseUrl: string): Promise<{ code: number | null; ms: number; lines: string[] }> {
  const started = Date.now();
  const svc = startServiceChild({ DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
  const timer = setTimeout(() => svc.proc.kill('SIGKILL'), 30_000);
  const { code } = await svc.exited;
  clearTimeout(timer);
  return { code, ms: Date.now() - started, lines: svc.output().split('\n').filter((l) => l.trim() !== '') };
}

describe('start-up against a database it cannot reach', () => {
  it('black-holed (accepts, never answers) or refusing: exits 1 with one line within 15 s, password left out', async () => {
    const hole = await startBlackHole();
    try {
      const [holed, refused] = await Promise.all([
        startAgainst(`postgres://svc:s3cret@127.0.0.1:${hole.port}/app`),
        startAgainst(`postgres://svc:s3cret@127.0.0.1:${await closedPort()}/app`),
      ]);
      console.log('start-up against a black hole: exit %d after %d ms: %s', holed.code, holed.ms, holed.lines.join(' | '));
      console.log('start-up against a refusing port: exit %d after %d ms: %s', refused.code, refused.ms, refused.lines.join(' | '));
      for (const r of [holed, refused]) {
        expect(r.code).toBe(1);
        expect(r.ms).toBeLessThan(15_000);
        expect(r.lines).toHaveLength(1);
        expect(r.lines[0]).toMatch(/^db\.unreachable: cannot reach the database at 127\.0\.0\.1:\d+\/app: \d+ attempt\(s\) in \d+ ms, the last: /);
        expect(r.lines[0]).not.toContain('s3cret');
      }
      expect(holed.lines[0]).toMatch(/timeout/);
      expect(refused.lines[0]).toMatch(/ECONNREFUSED/);
    } finally {
      await hole.close();
    }
  }, 60_000);
});
