import { pino } from 'pino';
import { createDb } from '../../src/db/create-db.ts';
import { OutboxWorker } from '../../src/outbox/outbox-worker.ts';
import { webhookHandlers, webhookKinds } from './webhook-job.ts';

/** A separate worker process for the crash test: claims jobs from the database in argv and runs them until killed. */
const [url, workerId, leaseMs] = process.argv.slice(2);
if (!url || !workerId) throw new Error('usage: outbox-child <database-url> <worker-id> <lease-ms>');
const h = await createDb({ databaseUrl: url, poolSize: 2 });
const worker = new OutboxWorker({
  db: h.db, schemas: webhookKinds, handlers: webhookHandlers(), logger: pino({ level: 'silent' }), workerId,
  concurrency: 1, leaseMs: Number(leaseMs ?? 1500), pollMs: 20,
});
worker.start();
process.stdout.write('ready\n');
