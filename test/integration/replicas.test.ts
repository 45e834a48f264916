import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { createDb, type DbHandle } from '../../src/db/create-db.ts';
import { ConsoleClient } from '../support/console-client.ts';
import { writeDirectory } from '../support/directory-fixture.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

const USERS = 50;
const EVENTS = 1000;
let tdb: TestDb;
let second: DbHandle;
let a: App;
let b: App;

beforeAll(async () => {
  tdb = await createTestDb();
  // Two replicas on one database: separate pools on a real server; PGlite can only be shared in-process.
  second = tdb.url ? await createDb({ databaseUrl: tdb.url, poolSize: 10 }) : tdb.handle;
  const env = { DIRECTORY_FILE: writeDirectory(USERS) };
  a = await startApp({ db: tdb.handle, env, workerId: 'replica-a' });
  b = await startApp({ db: second, env, workerId: 'replica-b' });
});
afterAll(async () => {
  await a.stop();
  await b.stop();
  if (second !== tdb.handle) await second.close();
  await tdb.drop();
});

describe('two app instances on one database', () => {
  it(`process ${EVENTS} events: every effect exactly once`, async () => {
    const clients = [new ConsoleClient(a), new ConsoleClient(b)];
    const started = Date.now();
    const queue = Array.from({ length: EVENTS }, (_, i) => i);
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const user = `u${String((i % USERS) + 1).padStart(3, '0')}`;
        // Every event is delivered to BOTH replicas (platform retries land anywhere).
        const [r1, r2] = await Promise.all([clients[0]?.say(user, '/help', `evt-${i}`), clients[1]?.say(user, '/help', `evt-${i}`)]);
        expect([r1?.status, r2?.status]).toEqual([202, 202]);
      }
    }));
    const db = a.db.db;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const open = await db.selectFrom('outbox_jobs').select((eb) => eb.fn.countAll().as('n')).where('status', '!=', 'done').executeTakeFirstOrThrow();
      const pending = await db.selectFrom('inbox_events').select((eb) => eb.fn.countAll().as('n')).where('status', '!=', 'done').executeTakeFirstOrThrow();
      if (Number(open.n) === 0 && Number(pending.n) === 0) break;
      if (Date.now() > deadline) throw new Error(`not drained: ${open.n} jobs, ${pending.n} events`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const inbox = await db.selectFrom('inbox_events').select(['event_id', 'attempts']).execute();
    const messages = await db.selectFrom('console_messages').select(['idempotency_key', 'user_id']).execute();
    const jobs = await db.selectFrom('outbox_jobs').select(['attempts', 'locked_by']).execute();
    const byReplica = jobs.reduce<Record<string, number>>((acc, j) => ({ ...acc, [j.locked_by ?? '?']: (acc[j.locked_by ?? '?'] ?? 0) + 1 }), {});
    console.log('%d events to 2 replicas in %d ms → inbox rows %d, replies %d, jobs by replica %j', EVENTS, Date.now() - started, inbox.length, messages.length, byReplica);
    const retried = await db.selectFrom('inbox_events').select(['event_id', 'attempts', 'error']).where('attempts', '!=', 1).limit(5).execute();
    const retriedJobs = await db.selectFrom('outbox_jobs').select(['kind', 'attempts', 'last_error']).where('attempts', '!=', 1).limit(5).execute();
    expect({ retried, retriedJobs }).toEqual({ retried: [], retriedJobs: [] });
    expect(inbox).toHaveLength(EVENTS);
    expect(inbox.every((r) => r.attempts === 1)).toBe(true);
    expect(messages).toHaveLength(EVENTS);
    expect(new Set(messages.map((m) => m.idempotency_key)).size).toBe(EVENTS);
    expect(jobs.every((j) => j.attempts === 1)).toBe(true);
    for (let i = 0; i < EVENTS; i += 97) expect(messages.filter((m) => m.idempotency_key.endsWith(`:evt-${i}`))).toHaveLength(1);
  });
});
