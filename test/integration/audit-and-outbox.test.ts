import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../../src/audit/audit-log.ts';
import { ExternalServiceError } from '../../src/core/errors.ts';
import * as outboxRepo from '../../src/outbox/outbox-repo.ts';
import { OutboxWorker } from '../../src/outbox/outbox-worker.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

let tdb: TestDb;
beforeAll(async () => { tdb = await createTestDb(); });
afterAll(async () => { await tdb.drop(); });

describe('audit log', () => {
  it('is a hash chain that verifies, and detects an edited or deleted row', async () => {
    const db = tdb.handle.db;
    await Promise.all(Array.from({ length: 30 }, (_, i) => db.transaction().execute((trx) => appendAudit(trx, {
      tenantId: 'default', at: new Date(Date.UTC(2026, 10, 23, 2, 0, i)), actor: `u${i % 3}`, action: 'request.approve', source: 'card',
      subjectType: 'request', subjectId: `r${i % 2}`, before: { status: 'pending' }, after: { status: 'approved', amount: '6560.00', note: '同意 ✓' },
    }))));
    await appendAudit(db, { tenantId: 'other', at: new Date(), actor: 'x', action: 'a', source: 'api', subjectType: 's', subjectId: '1' });
    expect(await verifyAuditChain(db)).toEqual(expect.arrayContaining([
      { tenantId: 'default', chains: 2, rows: 30, ok: true, broken: [] }, { tenantId: 'other', chains: 1, rows: 1, ok: true, broken: [] }]));

    await sql`update audit_log set after = '{"status":"rejected"}' where chain = 'request:r0' and seq = 7`.execute(db);
    await sql`delete from audit_log where chain = 'request:r1' and seq = 3`.execute(db);
    const tampered = (await verifyAuditChain(db)).find((r) => r.tenantId === 'default');
    expect(tampered?.ok).toBe(false);
    expect(tampered?.broken).toEqual([
      { chain: 'request:r0', seq: 7, reason: 'hash does not match the row' }, { chain: 'request:r1', seq: 3, reason: 'row 3 is missing' }]);
  });
});

describe('outbox', () => {
  it('retries with backoff, dead-letters after max attempts, and replays', async () => {
    const db = tdb.handle.db;
    let calls = 0;
    let failUntil = 99;
    const worker = new OutboxWorker({
      db, logger: pino({ level: 'silent' }), workerId: 'w1', concurrency: 2, leaseMs: 5000, pollMs: 10,
      handlers: {
        flaky: async () => {
          calls++;
          if (calls <= failUntil) throw new ExternalServiceError('erp', 'erp.unavailable', 'ERP is down', { retryable: true, retryAfterMs: 0 });
        },
        broken: async () => { throw new ExternalServiceError('erp', 'erp.validation', 'bad payload', { retryable: false }); },
      },
    });
    await outboxRepo.enqueue(db, [{ tenantId: 'default', kind: 'flaky', payload: {}, idempotencyKey: 'k-flaky' }, { tenantId: 'default', kind: 'broken', payload: {}, idempotencyKey: 'k-broken' }], 3);
    await outboxRepo.enqueue(db, [{ tenantId: 'default', kind: 'flaky', payload: {}, idempotencyKey: 'k-flaky' }], 3); // same key: one job
    for (let i = 0; i < 5; i++) await worker.drain();
    const jobs = await db.selectFrom('outbox_jobs').selectAll().orderBy('id').execute();
    expect(jobs.map((j) => [j.kind, j.status, j.attempts])).toEqual([['flaky', 'dead', 3], ['broken', 'dead', 1]]);
    expect(jobs[0]?.last_error).toContain('ERP is down');
    expect((await outboxRepo.listDead(db)).length).toBe(2);

    failUntil = 0;
    expect(await outboxRepo.replay(db, jobs[0]?.id ?? 0)).toBe(true);
    await worker.drain();
    const after = await db.selectFrom('outbox_jobs').selectAll().where('id', '=', jobs[0]?.id ?? 0).executeTakeFirstOrThrow();
    expect([after.status, after.attempts]).toEqual(['done', 1]);
    expect(await outboxRepo.replay(db, jobs[0]?.id ?? 0)).toBe(false); // only dead jobs replay
  });

  it('runs jobs with the same queue key one at a time, in order, even when the first one has to retry', async () => {
    const db = tdb.handle.db;
    const order: string[] = [];
    let failedOnce = false;
    const worker = new OutboxWorker({
      db, logger: pino({ level: 'silent' }), workerId: 'w2', concurrency: 4, leaseMs: 5000, pollMs: 5,
      handlers: {
        say: async (job) => {
          const { text } = job.payload as { text: string };
          if (text === 'first' && !failedOnce) { failedOnce = true; throw new ExternalServiceError('im', 'im.unavailable', 'down', { retryable: true, retryAfterMs: 0 }); }
          order.push(text);
        },
      },
    });
    await outboxRepo.enqueue(db, ['first', 'second', 'third'].map((text) => ({ tenantId: 'default', kind: 'say', payload: { text }, idempotencyKey: `say-${text}`, queueKey: 'chat:console:zhangsan' })), 3);
    await outboxRepo.enqueue(db, [{ tenantId: 'default', kind: 'say', payload: { text: 'other chat' }, idempotencyKey: 'say-other', queueKey: 'chat:console:lisi' }], 3);
    for (let i = 0; i < 10 && order.length < 4; i++) await worker.drain();
    expect(order.filter((t) => t !== 'other chat')).toEqual(['first', 'second', 'third']);
    expect(order).toContain('other chat');
  });

  it('coalesces re-render jobs: one waiting job per card, a new one once it has started', async () => {
    const db = tdb.handle.db;
    const job = (v: number) => ({ tenantId: 'default', kind: 'render', payload: { v }, idempotencyKey: `render-card-x-v${v}`, coalesceKey: 'render:card-x' });
    await outboxRepo.enqueue(db, [job(1)], 3);
    await outboxRepo.enqueue(db, [job(2)], 3);
    const waiting = await db.selectFrom('outbox_jobs').selectAll().where('kind', '=', 'render').execute();
    expect(waiting.map((j) => j.payload)).toEqual([{ v: 1 }]);
    const claimed = await outboxRepo.claim(db, 'w3', 10, 5000);
    expect(claimed.map((j) => j.kind)).toContain('render');
    await outboxRepo.enqueue(db, [job(3)], 3);
    const after = await db.selectFrom('outbox_jobs').select(['payload', 'status']).where('kind', '=', 'render').orderBy('id').execute();
    expect(after).toEqual([{ payload: { v: 1 }, status: 'running' }, { payload: { v: 3 }, status: 'pending' }]);
  });
});
