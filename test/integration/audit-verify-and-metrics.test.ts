import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { verifyAuditChain } from '../../src/audit/audit-log.ts';
import { createDb } from '../../src/db/create-db.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { startTcpProxy } from '../support/tcp-blackhole.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

let tdb: TestDb;
let app: App;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, noWorkers: true });
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

describe('audit:verify', () => {
  it('notices a request whose whole audit chain was deleted (rows and head)', async () => {
    const kept = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount: '88.00', date: '2026-11-20' });
    const erased = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount: '99.00', date: '2026-11-20' });
    expect((await verifyAuditChain(app.db.db)).every((r) => r.ok)).toBe(true);
    await sql`delete from audit_log where chain = ${`request:${erased.id}`}`.execute(app.db.db);
    await sql`delete from audit_heads where chain = ${`request:${erased.id}`}`.execute(app.db.db);
    const [result] = await verifyAuditChain(app.db.db);
    expect(result?.ok).toBe(false);
    expect(result?.broken).toEqual([{ chain: `request:${erased.id}`, seq: 1, reason: 'the request has no audit chain (its history was deleted)' }]);
    expect(result?.broken.some((b) => b.chain.includes(kept.id))).toBe(false);
  });
});

describe('/metrics', () => {
  // Start-up now waits for the database (and fails with one line if it never answers), so the service is started
  // while the database answers and the database is taken away afterwards: connections through a proxy that closes.
  it('still answers when the database goes away (the outbox depth keeps its last value)', async (ctx) => {
    if (!tdb.url) { ctx.skip('needs a PostgreSQL server (DATABASE_URL): PGlite runs inside the process and cannot go away'); return; }
    const u = new URL(tdb.url);
    const proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
    const via = new URL(tdb.url);
    via.port = String(proxy.port);
    const h = await createDb({ databaseUrl: via.toString(), poolSize: 2, timeouts: { connectMs: 500, statementMs: 2000, idleInTransactionMs: 5000, queryMs: 3000, startupMs: 5000 } });
    const down = await startApp({ db: h, noWorkers: true });
    try {
      expect((await down.http.request('/readyz')).status).toBe(200);
      await proxy.close();
      const res = await down.http.request('/metrics');
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('process_cpu_user_seconds_total');
      expect((await down.http.request('/readyz')).status).toBe(503);
    } finally {
      await down.stop();
      await h.close();
    }
  });
});
