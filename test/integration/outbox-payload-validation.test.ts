import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/enqueue.ts';
import { JOB_SCHEMAS, type Job } from '../../src/jobs/job-kinds.ts';
import { OutboxWorker, type JobHandlers } from '../../src/outbox/outbox-worker.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

/**
 * A payload is checked against its kind's schema when the job is claimed: one that does not match (a row written
 * by hand, by an older version, by a bug) is dead-lettered at once with the reason, and the worker goes on.
 */
let tdb: TestDb;
beforeAll(async () => { tdb = await createTestDb(); });
afterAll(async () => { await tdb.drop(); });

describe('outbox payload validation', () => {
  it('a malformed payload is dead-lettered on its first claim with the validation error; the worker keeps running other jobs', async () => {
    const db = tdb.handle.db;
    const ran: Job[] = [];
    const dead: string[] = [];
    const handlers: JobHandlers = {
      'card.sync': async (payload) => { ran.push({ kind: 'card.sync', payload }); },
      'card.put': async (payload) => { ran.push({ kind: 'card.put', payload }); },
      'message.send': async (payload) => { ran.push({ kind: 'message.send', payload }); },
      'erp.create': async (payload) => { ran.push({ kind: 'erp.create', payload }); },
      'erp.push': async (payload) => { ran.push({ kind: 'erp.push', payload }); },
      'erp.decide': async (payload) => { ran.push({ kind: 'erp.decide', payload }); },
    };
    const worker = new OutboxWorker({
      db, logger: pino({ level: 'silent' }), workerId: 'w-validate', concurrency: 2, leaseMs: 5000, pollMs: 10, schemas: JOB_SCHEMAS, handlers,
      onDeadLetter: async (job) => { dead.push(job.kind); },
    });
    // Written straight into the table, as enqueue() would never let them through.
    const row = (key: string, kind: string, payload: unknown) => ({ tenant_id: 'default', kind, payload: JSON.stringify(payload), idempotency_key: key, max_attempts: 5 });
    await db.insertInto('outbox_jobs').values([
      row('bad-sync', 'card.sync', { requestId: 42, userId: 'lisi', role: 'boss' }),
      row('bad-message', 'message.send', { userId: 'lisi', notify: { requestId: 'r-1', message: { kind: 'rejected' } } }),
      row('no-such-kind', 'fax.send', { to: '010-1234' }),
    ]).execute();
    await enqueue(db, [{ tenantId: 'default', kind: 'erp.create', payload: { requestId: 'r-good' }, idempotencyKey: 'good-before' }], 5);
    worker.start();
    const keys = ['bad-sync', 'bad-message', 'no-such-kind', 'good-before'];
    const settled = (rows: { status: string }[]) => rows.length === keys.length && rows.every((r) => r.status === 'dead' || r.status === 'done');
    const rows = await until(
      () => db.selectFrom('outbox_jobs').select(['idempotency_key', 'status', 'attempts', 'last_error']).where('idempotency_key', 'in', keys).orderBy('id').execute(),
      settled, 10_000,
    );
    // Still running: a job enqueued after the bad ones runs too.
    await enqueue(db, [{ tenantId: 'default', kind: 'card.sync', payload: { requestId: 'r-good', userId: 'lisi', role: 'approver' }, idempotencyKey: 'good-after' }], 5);
    worker.kick();
    await until(() => db.selectFrom('outbox_jobs').select('status').where('idempotency_key', '=', 'good-after').executeTakeFirstOrThrow(), (r) => r.status === 'done', 10_000);
    await worker.stop();

    expect(rows.map((r) => [r.idempotency_key, r.status, r.attempts])).toEqual([
      ['bad-sync', 'dead', 1], ['bad-message', 'dead', 1], ['no-such-kind', 'dead', 1], ['good-before', 'done', 1],
    ]);
    const error = (key: string) => rows.find((r) => r.idempotency_key === key)?.last_error ?? '';
    expect(error('bad-sync')).toMatch(/^ExternalServiceError: the payload of a card\.sync job does not match its schema \(/);
    expect(error('bad-sync')).toContain('requestId: ');
    expect(error('bad-sync')).toContain('role: ');
    expect(error('bad-sync')).not.toContain('userId');
    expect(error('bad-message')).toContain('notify.message.reason: ');
    expect(error('no-such-kind')).toBe('ExternalServiceError: no job kind "fax.send" is registered');
    // The handlers saw only the valid jobs, with their payloads as enqueued; the dead-letter hook gets only typed jobs.
    expect(ran).toEqual([
      { kind: 'erp.create', payload: { requestId: 'r-good' } },
      { kind: 'card.sync', payload: { requestId: 'r-good', userId: 'lisi', role: 'approver' } },
    ]);
    expect(dead).toEqual([]);
  });

  it('a card.put payload keeps the whole card, including keys its schema does not name', () => {
    const card = { title: 'T', tone: 'blue', blocks: [{ type: 'actions', buttons: [{ actionId: 'status', label: 'S', style: 'default', value: { op: 'status' }, extra: 'kept' }] }] };
    const parsed = JOB_SCHEMAS['card.put'].parse({ subject: 'help:x', userId: 'lisi', card, version: 1 });
    expect(parsed.card).toEqual(card);
    expect(JOB_SCHEMAS['card.put'].safeParse({ subject: 'help:x', userId: 'lisi', card: { ...card, tone: 'pink' }, version: 1 }).success).toBe(false);
  });
});
