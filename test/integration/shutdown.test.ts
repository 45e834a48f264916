import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

let tdb: TestDb;
let app: App;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle });
});
afterAll(async () => {
  await tdb.drop();
});

/** A GET over a real socket; resolves with the status and body, or the socket error. */
function get(url: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (e) => resolve({ error: e.message }));
    req.end();
  });
}

describe('graceful shutdown', () => {
  it('with a console page long-polling (20 s), stop() answers the poll and finishes in well under the 10 s grace', async () => {
    const port = await app.listen();
    const poll = get(`http://127.0.0.1:${port}/console/api/inbox?user=zhangsan&after=999999&waitMs=20000`);
    await new Promise((r) => setTimeout(r, 300)); // the poll is waiting
    const started = Date.now();
    await app.stop();
    const ms = Date.now() - started;
    const answer = await poll;
    console.log('stop() with an open long-poll took %d ms; the poll got %j', ms, answer);
    expect(answer).toEqual({ status: 200, body: JSON.stringify({ messages: [], cursor: 999999 }) });
    expect(ms).toBeLessThan(5000);
    expect(await get(`http://127.0.0.1:${port}/healthz`)).toHaveProperty('error'); // no longer listening
  });
});

describe('npm start', () => {
  it('SIGTERM sent to the npm process (as a process manager does) reaches the service, which stops and exits', async () => {
    const { spawn } = await import('node:child_process');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'aa-npm-start-'));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    const npm = spawn('npm', ['start', '--silent'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    npm.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    npm.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const t = setInterval(() => {
          const m = /"port":(\d+)/.exec(out);
          if (m) { clearInterval(t); resolve(Number(m[1])); }
        }, 50);
        npm.on('exit', () => { clearInterval(t); reject(new Error(`npm start exited early:\n${out}`)); });
      });
      expect(await get(`http://127.0.0.1:${port}/healthz`)).toMatchObject({ status: 200 });
      const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
      npm.kill('SIGTERM');
      expect(await exited).toBe(0);
      await new Promise((r) => setTimeout(r, 200));
      expect(out).toMatch(/"msg":"stopped/);
      expect(await get(`http://127.0.0.1:${port}/healthz`)).toHaveProperty('error'); // the service itself is gone
    } finally {
      npm.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
