import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { createDb, type DbHandle } from '../../src/db/create-db.ts';
import { startApp } from '../support/start-app.ts';
import { startTcpProxy } from '../support/tcp-blackhole.ts';
import { adminQuery } from '../support/template-db.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

/**
 * Connections the database drops, one at a time and on purpose (pg_terminate_backend of a known backend),
 * and a database that stops answering (a TCP path that black-holes). Needs real PostgreSQL: PGlite runs in
 * the process, with no backend to terminate and no socket to cut.
 */
const baseUrl = loadConfig().databaseUrl;
const SKIP = 'needs a PostgreSQL server (DATABASE_URL): PGlite runs inside the process, with no backend to terminate and no socket to black-hole';
let tdb: TestDb;
beforeAll(async () => { tdb = await createTestDb(2); });
afterAll(async () => { await tdb.drop(); });

async function open(errors: Error[]): Promise<DbHandle> {
  return createDb({ databaseUrl: tdb.url, poolSize: 2, onConnectionError: (e) => errors.push(e) });
}

const backendPid = async (db: DbHandle['db']): Promise<number> => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]?.pid ?? 0;
const terminate = async (pid: number): Promise<void> => { await adminQuery(baseUrl ?? '', `select pg_terminate_backend(${pid})`); };

describe('a connection the database drops', () => {
  it('idle in the pool: reported, replaced, and the next query runs on a new connection', async (ctx) => {
    if (!tdb.url) { ctx.skip(SKIP); return; }
    const errors: Error[] = [];
    const h = await open(errors);
    try {
      const pid = await backendPid(h.db);
      await terminate(pid);
      await until(async () => errors.length, (n) => n > 0, 5000);
      expect(errors[0]).toMatchObject({ code: '57P01' }); // admin_shutdown
      const next = await backendPid(h.db);
      expect(next).not.toBe(pid);
    } finally {
      await h.close();
    }
  });

  it('checked out, between two statements of a transaction: reported (no unhandled error event), the transaction fails as db.unavailable and wrote nothing, the pool recovers', async (ctx) => {
    if (!tdb.url) { ctx.skip(SKIP); return; }
    const errors: Error[] = [];
    const h = await open(errors);
    try {
      const tx = h.db.transaction().execute(async (trx) => {
        await trx.insertInto('conversation_leases').values({ key: 'dropped-tx', owner: 'test', until: new Date() }).execute();
        await terminate(await backendPid(trx));
        // The client sits checked out and idle while its backend goes: node-postgres emits 'error' on it now.
        await until(async () => errors.length, (n) => n > 0, 5000);
        await sql`select 1`.execute(trx);
      });
      await expect(tx).rejects.toMatchObject({ code: 'db.unavailable' });
      expect(errors.map((e) => (e as { code?: string }).code)).toContain('57P01');
      expect(await h.db.selectFrom('conversation_leases').select('key').where('key', '=', 'dropped-tx').execute()).toEqual([]);
      // Both pool slots still work: the broken client was discarded, not handed out again.
      const pids = await Promise.all([backendPid(h.db), backendPid(h.db), backendPid(h.db)]);
      expect(pids.every((p) => p > 0)).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('under a running query: the query fails at once as db.unavailable', async (ctx) => {
    if (!tdb.url) { ctx.skip(SKIP); return; }
    const errors: Error[] = [];
    const h = await open(errors);
    try {
      const pid = await backendPid(h.db);
      const slow = sql`select pg_sleep(30)`.execute(h.db);
      const caught = slow.catch((e: unknown) => e);
      await until(() => adminQuery(baseUrl ?? '', `select state from pg_stat_activity where pid = ${pid}`).then((r) => (r.rows[0] as { state?: string } | undefined)?.state), (s) => s === 'active', 5000);
      await terminate(pid);
      expect(await caught).toMatchObject({ code: 'db.unavailable' });
      expect(await backendPid(h.db)).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  });
});

describe('a database that stops answering (black-holed)', () => {
  it('/readyz answers 503 within 1 s while it is, and 200 again once it answers', async (ctx) => {
    if (!tdb.url) { ctx.skip(SKIP); return; }
    const u = new URL(tdb.url);
    const proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
    const via = new URL(tdb.url);
    via.port = String(proxy.port);
    // Short client-side timeouts, so the workers' hung queries give their connections back within the test.
    const h = await createDb({ databaseUrl: via.toString(), poolSize: 4, timeouts: { connectMs: 1000, statementMs: 2000, idleInTransactionMs: 5000, queryMs: 3000, startupMs: 5000 } });
    const app = await startApp({ db: h });
    try {
      const base = `http://127.0.0.1:${await app.listen()}`;
      const readyz = async (): Promise<{ status: number; ms: number }> => {
        const started = performance.now();
        const status = await fetch(`${base}/readyz`).then((r) => r.status);
        return { status, ms: performance.now() - started };
      };
      expect((await readyz()).status).toBe(200);
      proxy.blackhole(true);
      const answers: { status: number; ms: number }[] = [];
      for (let i = 0; i < 4; i++) answers.push(await readyz());
      console.log('/readyz with the database black-holed: %j', answers.map((a) => `${a.status} in ${Math.round(a.ms)} ms`));
      expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 503]);
      expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(1000);
      proxy.blackhole(false);
      const back = await until(readyz, (a) => a.status === 200, 15_000, 100);
      expect(back.status).toBe(200);
    } finally {
      proxy.blackhole(false);
      await app.stop();
      await h.close();
      await proxy.close();
    }
  });
});
