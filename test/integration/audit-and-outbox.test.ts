import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appendAudit, verifyAuditChain } from '../../src/audit/audit-log.ts';
import { ExternalServiceError } from '../../src/core/errors.ts';
import { enqueue, type NewJob } from '../../src/jobs/enqueue.ts';
import * as outboxRepo from '../../src/outbox/outbox-repo.ts';
import { OutboxWorker } from '../../src/outbox/outbox-worker.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { emptyKinds } from '../support/test-jobs.ts';
import { until } from '../support/until.ts';

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
    await appendAudit(db, { tenantId: 'other', at: new Date(Date.UTC(2031, 1, 28, 12)), actor: 'x', action: 'a', source: 'api', subjectType: 's', subjectId: '1' });
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
    const kinds = emptyKinds('flaky', 'broken');
    const worker = new OutboxWorker({
      db, logger: pino({ level: 'silent' }), workerId: 'w1', concurrency: 2, leaseMs: 5000, pollMs: 10, schemas: kinds,
      handlers: {
        flaky: async () => {
          calls++;
          if (calls <= failUntil) throw new ExternalServiceError('erp', 'erp.unavailable', 'ERP is down', { retryable: true, retryAfterMs: 0 });
        },
        broken: async () => { throw new ExternalServiceError('erp', 'erp.validation', 'bad payload', { retryable: false }); },
      },
    });
    await enqueue<typeof kinds>(db, [{ tenantId: 'default', kind: 'flaky', payload: {}, idempotencyKey: 'k-flaky' }, { tenantId: 'default', kind: 'broken', payload: {}, idempotencyKey: 'k-broken' }], 3);
    await enqueue<typeof kinds>(db, [{ tenantId: 'default', kind: 'flaky', payload: {}, idempotencyKey: 'k-flaky' }], 3); // same key: one job
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

  it("a platform's rate limit with a reset of 0 is retried after the backoff, not at once; another dependency's retry-after is kept as given", async () => {
    const db = tdb.handle.db;
    const kinds = emptyKinds('throttled', 'hinted');
    const worker = new OutboxWorker({
      db, logger: pino({ level: 'silent' }), workerId: 'w-rl', concurrency: 2, leaseMs: 5000, pollMs: 10, schemas: kinds,
      handlers: {
        throttled: async () => { throw new ExternalServiceError('feishu', 'feishu.rate_limited', 'too many requests', { retryable: true, retryAfterMs: 0, throttled: true }); },
        hinted: async () => { throw new ExternalServiceError('erp', 'erp.unavailable', 'ERP is down', { retryable: true, retryAfterMs: 0 }); },
      },
    });
    await enqueue<typeof kinds>(db, [{ tenantId: 'default', kind: 'throttled', payload: {}, idempotencyKey: 'k-rl' }, { tenantId: 'default', kind: 'hinted', payload: {}, idempotencyKey: 'k-hint' }], 8);
    await worker.drain(1); // one round: each job runs once (the hinted one would otherwise run again at once, until dead)
    // The delay the retry chose, read off the row: run_at and updated_at are stamped by the same statement
    // (now() + delay, now()), so their difference is exact however long the machine took to get here.
    const rows = await sql<{ kind: string; wait_ms: number; attempts: number; status: string }>`
      select kind, round(extract(epoch from run_at - updated_at) * 1000)::int as wait_ms, attempts, status from outbox_jobs where idempotency_key in ('k-rl', 'k-hint')`.execute(db);
    const byKind = Object.fromEntries(rows.rows.map((r) => [r.kind, r]));
    expect(rows.rows.map((r) => [r.kind, r.status, r.attempts]).sort()).toEqual([['hinted', 'pending', 1], ['throttled', 'pending', 1]]);
    expect(byKind['throttled']?.wait_ms).toBeGreaterThanOrEqual(500); // backoff for attempt 1: 0.5–1 s
    expect(byKind['throttled']?.wait_ms).toBeLessThanOrEqual(1000);
    expect(byKind['hinted']?.wait_ms).toBe(0); // the ERP's retry-after of 0, kept as given
  });

  it('runs jobs with the same queue key one at a time, in order, even when the first one has to retry', async () => {
    const db = tdb.handle.db;
    const order: string[] = [];
    let failedOnce = false;
    const kinds = { say: z.object({ text: z.string() }) };
    const worker = new OutboxWorker({
      db, logger: pino({ level: 'silent' }), workerId: 'w2', concurrency: 4, leaseMs: 5000, pollMs: 5, schemas: kinds,
      handlers: {
        say: async ({ text }) => {
          if (text === 'first' && !failedOnce) { failedOnce = true; throw new ExternalServiceError('im', 'im.unavailable', 'down', { retryable: true, retryAfterMs: 0 }); }
          order.push(text);
        },
      },
    });
    await enqueue<typeof kinds>(db, ['first', 'second', 'third'].map((text) => ({ tenantId: 'default', kind: 'say' as const, payload: { text }, idempotencyKey: `say-${text}`, queueKey: 'chat:console:zhangsan' })), 3);
    await enqueue<typeof kinds>(db, [{ tenantId: 'default', kind: 'say', payload: { text: 'other chat' }, idempotencyKey: 'say-other', queueKey: 'chat:console:lisi' }], 3);
    for (let i = 0; i < 10 && order.length < 4; i++) await worker.drain();
    expect(order.filter((t) => t !== 'other chat')).toEqual(['first', 'second', 'third']);
    expect(order).toContain('other chat');
  });

  it('coalesces re-render jobs: one waiting job per card, a new one once it has started', async () => {
    const db = tdb.handle.db;
    const kinds = { render: z.object({ v: z.number() }) };
    const job = (v: number): NewJob<typeof kinds> => ({ tenantId: 'default', kind: 'render', payload: { v }, idempotencyKey: `render-card-x-v${v}`, coalesceKey: 'render:card-x' });
    await enqueue<typeof kinds>(db, [job(1)], 3);
    await enqueue<typeof kinds>(db, [job(2)], 3);
    const waiting = await db.selectFrom('outbox_jobs').selectAll().where('kind', '=', 'render').execute();
    expect(waiting.map((j) => j.payload)).toEqual([{ v: 1 }]);
    const claimed = await outboxRepo.claim(db, 'w3', 10, 5000);
    expect(claimed.map((j) => j.kind)).toContain('render');
    await enqueue<typeof kinds>(db, [job(3)], 3);
    const after = await db.selectFrom('outbox_jobs').select(['payload', 'status']).where('kind', '=', 'render').orderBy('id').execute();
    expect(after).toEqual([{ payload: { v: 1 }, status: 'running' }, { payload: { v: 3 }, status: 'pending' }]);
    // The same job again (same idempotency key) is skipped, whatever state the first one is in.
    await enqueue<typeof kinds>(db, [job(1), job(3)], 3);
    expect(await db.selectFrom('outbox_jobs').select('payload').where('kind', '=', 'render').execute()).toHaveLength(2);
  });
});

describe('outbox leases and time limits', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const quiet = pino({ level: 'silent' });

  it('a job that runs 5× longer than its lease runs once: its worker renews the lease, another worker leaves it alone', async () => {
    const db = tdb.handle.db;
    let running = 0;
    let most = 0;
    let starts = 0;
    const slow = async (): Promise<void> => { starts++; running++; most = Math.max(most, running); await sleep(1500); running--; };
    const kinds = emptyKinds('slow');
    const mk = (id: string) => new OutboxWorker({ db, logger: quiet, workerId: id, concurrency: 4, leaseMs: 300, pollMs: 20, schemas: kinds, handlers: { slow } });
    await enqueue<typeof kinds>(db, [{ tenantId: 'default', kind: 'slow', payload: {}, idempotencyKey: 'slow-lease-1' }], 8);
    const a = mk('lease-a');
    const b = mk('lease-b');
    a.start();
    await sleep(50);
    b.start();
    // Until the job is done (however slow the machine), not a fixed wait; b polls every 20 ms all along.
    await until(() => db.selectFrom('outbox_jobs').select('status').where('idempotency_key', '=', 'slow-lease-1').executeTakeFirstOrThrow(), (j) => j.status === 'done', 20_000);
    await Promise.all([a.stop(), b.stop()]);
    const job = await db.selectFrom('outbox_jobs').selectAll().where('idempotency_key', '=', 'slow-lease-1').executeTakeFirstOrThrow();
    expect({ starts, most, status: job.status, attempts: job.attempts }).toEqual({ starts: 1, most: 1, status: 'done', attempts: 1 });
  });

  it('a hung handler is abandoned at the time limit (signal aborted) and retried; other jobs keep flowing meanwhile', async () => {
    const db = tdb.handle.db;
    let calls = 0;
    let aborted: unknown;
    const kinds = emptyKinds('hangs', 'quick');
    const worker = new OutboxWorker({
      db, logger: quiet, workerId: 'timeouts', concurrency: 1, leaseMs: 5000, timeoutMs: 300, pollMs: 10, schemas: kinds,
      handlers: {
        hangs: async (_, job) => {
          calls++;
          if (calls === 1) {
            job.signal.addEventListener('abort', () => { aborted = job.signal.reason; });
            await new Promise(() => undefined);
          }
        },
        quick: async () => undefined,
      },
    });
    await enqueue<typeof kinds>(db, [{ tenantId: 'default', kind: 'hangs', payload: {}, idempotencyKey: 'hang-once' }], 5);
    worker.start();
    await sleep(100);
    await enqueue<typeof kinds>(db, [{ tenantId: 'default', kind: 'quick', payload: {}, idempotencyKey: 'quick-behind-hang' }], 5);
    for (let i = 0; i < 100; i++) {
      const rows = await db.selectFrom('outbox_jobs').select('status').where('idempotency_key', 'in', ['hang-once', 'quick-behind-hang']).execute();
      if (rows.every((r) => r.status === 'done')) break;
      await sleep(50);
    }
    await worker.stop();
    const rows = await db.selectFrom('outbox_jobs').select(['idempotency_key', 'status', 'attempts', 'last_error']).where('idempotency_key', 'in', ['hang-once', 'quick-behind-hang']).orderBy('id').execute();
    expect(rows.map((r) => [r.idempotency_key, r.status, r.attempts])).toEqual([['hang-once', 'done', 2], ['quick-behind-hang', 'done', 1]]);
    expect(rows[0]?.last_error).toContain('ran over 300 ms');
    expect((aborted as Error).message).toContain('ran over 300 ms');
  });

  it('a run whose lease was taken over can neither complete, retry nor dead-letter the job (the claim fences it off)', async () => {
    const db = tdb.handle.db;
    const kinds = emptyKinds('fenced');
    await enqueue<typeof kinds>(db, [{ tenantId: 'default', kind: 'fenced', payload: {}, idempotencyKey: 'fenced-1' }], 5);
    const [first] = await outboxRepo.claim(db, 'stalled', 1, 1);
    expect(first?.kind).toBe('fenced');
    await sleep(20);
    const [second] = await outboxRepo.claim(db, 'rescuer', 1, 5000);
    expect([second?.id, second?.attempts]).toEqual([first?.id, 2]);
    const old = { id: first?.id ?? 0, attempts: 1 };
    expect(await outboxRepo.completeMany(db, [old], 'stalled')).toEqual([false]);
    expect(await outboxRepo.deadLetter(db, old, 'stalled', 'late failure')).toBe(false);
    await outboxRepo.retry(db, old, 'stalled', 0, 'late failure', true);
    expect(await outboxRepo.renew(db, 'stalled', [old], 5000)).toEqual(new Set());
    const mid = await db.selectFrom('outbox_jobs').select(['status', 'locked_by', 'attempts']).where('id', '=', old.id).executeTakeFirstOrThrow();
    expect(mid).toEqual({ status: 'running', locked_by: 'rescuer', attempts: 2 });
    expect(await outboxRepo.completeMany(db, [{ id: old.id, attempts: 2 }], 'rescuer')).toEqual([true]);
    // A worker never picks a claim it is running (it renews those) but does take back one it lost track of,
    // and a claim never exceeds its limit.
    await enqueue<typeof kinds>(db, Array.from({ length: 8 }, (_, i) => ({ tenantId: 'default', kind: 'fenced' as const, payload: {}, idempotencyKey: `fenced-many-${i}` })), 5);
    const mine = await outboxRepo.claim(db, 'w-limit', 3, 1);
    await sleep(20);
    const fresh = await outboxRepo.claim(db, 'w-limit', 2, 5000, { expired: true, holding: mine.map((j) => j.id) });
    expect([mine.length, fresh.length, fresh.some((j) => mine.some((m) => m.id === j.id))]).toEqual([3, 2, false]);
    const taken = await outboxRepo.claim(db, 'other', 4, 5000); // 3 expired claims of w-limit + 1 of the 3 pending
    expect(taken.map((j) => j.attempts).sort()).toEqual([1, 2, 2, 2]);
  });

  it('a claim whose answer never reached its worker is taken back by that same worker once the lease ends', async () => {
    const db = tdb.handle.db;
    let runs = 0;
    const kinds = emptyKinds('orphaned');
    await enqueue<typeof kinds>(db, [{ tenantId: 'default', kind: 'orphaned', payload: {}, idempotencyKey: 'orphaned-1' }], 5);
    // Claimed by 'solo' and committed, but the answer was lost on the way back (a connection reset).
    await sql`update outbox_jobs set status = 'running', locked_by = 'solo', attempts = 1, locked_until = now() + interval '200 milliseconds'
      where idempotency_key = 'orphaned-1'`.execute(db);
    const worker = new OutboxWorker({ db, logger: quiet, workerId: 'solo', concurrency: 2, leaseMs: 200, pollMs: 20, schemas: kinds, handlers: { orphaned: async () => { runs++; } } });
    worker.start();
    for (let i = 0; i < 100 && runs === 0; i++) await sleep(50);
    await worker.stop();
    const job = await db.selectFrom('outbox_jobs').select(['status', 'attempts']).where('idempotency_key', '=', 'orphaned-1').executeTakeFirstOrThrow();
    expect({ runs, ...job }).toEqual({ runs: 1, status: 'done', attempts: 2 });
  });
});
