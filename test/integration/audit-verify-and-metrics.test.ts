import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { verifyAuditChain } from '../../src/audit/audit-log.ts';
import { loadConfig } from '../../src/config/env.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
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
  it('still answers while the database is unreachable (the outbox depth keeps its last value)', async () => {
    const down = await createApp({ config: loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/unreachable' }), logger: pino({ level: 'silent' }) });
    try {
      const res = await down.http.request('/metrics');
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('process_cpu_user_seconds_total');
      expect((await down.http.request('/readyz')).status).toBe(503);
    } finally {
      await down.db.close();
    }
  });
});
