import { spawn } from 'node:child_process';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/enqueue.ts';
import { OutboxWorker } from '../../src/outbox/outbox-worker.ts';
import { startWebhookReceiver } from '../fakes/webhook-receiver.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { webhookHandlers, webhookKinds } from '../support/webhook-job.ts';

const LEASE_MS = 1500;
let tdb: TestDb;

beforeAll(async () => { tdb = await createTestDb(); });
afterAll(async () => { await tdb.drop(); });

describe('a worker killed mid-job', () => {
  it('the job completes after the lease expires and the receiver sees one effect', async (ctx) => {
    if (!tdb.url) {
      ctx.skip('needs a PostgreSQL server (DATABASE_URL): PGlite cannot be shared with a child process');
      return;
    }
    const hook = await startWebhookReceiver({ hangFirst: true });
    await enqueue<typeof webhookKinds>(tdb.handle.db, [{ tenantId: 'default', kind: 'test.webhook', payload: { url: hook.url, body: { requestId: 'r-1', event: 'approved' } }, idempotencyKey: 'webhook:r-1:approved' }], 5);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/outbox-child.ts', tdb.url, 'doomed-worker', String(LEASE_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
    await hook.firstDelivery;
    child.kill('SIGKILL');
    await exited;
    const stuck = await tdb.handle.db.selectFrom('outbox_jobs').selectAll().executeTakeFirstOrThrow();
    expect(stuck).toMatchObject({ status: 'running', locked_by: 'doomed-worker', attempts: 1 });

    const survivor = new OutboxWorker({ db: tdb.handle.db, schemas: webhookKinds, handlers: webhookHandlers(), logger: pino({ level: 'silent' }), workerId: 'survivor', concurrency: 1, leaseMs: LEASE_MS, pollMs: 50 });
    const killedAt = Date.now();
    survivor.start();
    let job = stuck;
    while (job.status !== 'done' && Date.now() - killedAt < 15_000) {
      await new Promise((r) => setTimeout(r, 50));
      job = await tdb.handle.db.selectFrom('outbox_jobs').selectAll().executeTakeFirstOrThrow();
    }
    await survivor.stop();
    await hook.close();
    console.log('worker killed mid-job → done by %s after %d ms, deliveries %d, effects %d', job.locked_by, Date.now() - killedAt, hook.deliveries.length, hook.effects.size);
    expect(job).toMatchObject({ status: 'done', locked_by: 'survivor', attempts: 2 });
    expect(hook.deliveries.map((d) => d.key)).toEqual(['webhook:r-1:approved', 'webhook:r-1:approved']);
    expect(hook.effects.size).toBe(1);
  });
});
