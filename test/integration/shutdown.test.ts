import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
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
