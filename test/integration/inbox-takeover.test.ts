import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import type { Resolution } from '../../src/conversation/resolver.ts';
import * as inboxRepo from '../../src/inbox/inbox-repo.ts';
import { InboxWorker } from '../../src/inbox/inbox-worker.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

let tdb: TestDb;
let app: App;
const calls: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A resolver whose first turn is slow, like an LLM call near its timeout. */
const resolver = {
  async resolve(text: string): Promise<Resolution> {
    calls.push(text);
    if (calls.length === 1) await sleep(1200);
    return { commands: [{ type: 'set_field', field: 'destination', value: text }], confidence: 1, source: 'offline' };
  },
};

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, resolver });
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

const post = (text: string, eventId: string) => app.http.request('/console/api/messages', {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'zhangsan', text, eventId }),
});

describe('inbox conversations taken over by another worker', () => {
  it('a turn that outlives its conversation lease is applied once: the other worker\'s run of the same event writes nothing', async () => {
    await post('/new travel_expense', 'takeover-0');
    await sleep(600);
    const before = await app.db.db.selectFrom('dialog_sessions').select('version').where('user_id', '=', 'zhangsan').executeTakeFirstOrThrow();
    calls.length = 0;
    await post('上海', 'takeover-1');
    await sleep(200); // this app's worker is inside the slow turn
    await sql`update conversation_leases set until = now() - interval '1 second'`.execute(app.db.db); // as if 60 s had passed
    const handle = (row: inboxRepo.InboxRow) => (app.inbox as unknown as { o: { handle: (r: inboxRepo.InboxRow) => Promise<void> } }).o.handle(row);
    const other = new InboxWorker({ db: app.db.db, logger: pino({ level: 'silent' }), workerId: 'replica-b', concurrency: 2, pollMs: 20, maxAttempts: 5, handle });
    other.start();
    await sleep(2500);
    await other.stop();
    const ev = await app.db.db.selectFrom('inbox_events').select(['status', 'attempts']).where('event_id', '=', 'takeover-1').executeTakeFirstOrThrow();
    const after = await app.db.db.selectFrom('dialog_sessions').select('version').where('user_id', '=', 'zhangsan').executeTakeFirstOrThrow();
    const replies = await app.db.db.selectFrom('outbox_jobs').select('idempotency_key').where('idempotency_key', 'like', '%takeover-1%').execute();
    console.log('resolver ran %d times for one event; event %j; session %d → %d; %d reply jobs', calls.length, ev, before.version, after.version, replies.length);
    expect(ev).toEqual({ status: 'done', attempts: 1 });
    expect(after.version).toBe(before.version + 1);
    expect(new Set(replies.map((r) => r.idempotency_key)).size).toBe(replies.length);
  });

  it('a conversation leased by another worker is not offered to this one (no busy loop), and a handled event stays handled', async () => {
    await sql`insert into inbox_events (tenant_id, source, event_id, kind, conversation_key, payload, status)
      values ('default', 'console:console', 'held-1', 'message', 'console:console:held-user', '{}'::jsonb, 'pending')`.execute(app.db.db);
    expect(await inboxRepo.acquireLease(app.db.db, 'console:console:held-user', 'holder', 60_000)).toBe(true);
    expect(await inboxRepo.pendingConversations(app.db.db, 10, 'someone-else')).not.toContain('console:console:held-user');
    expect(await inboxRepo.pendingConversations(app.db.db, 10, 'holder')).toContain('console:console:held-user');
    const row = await app.db.db.selectFrom('inbox_events').select('id').where('event_id', '=', 'held-1').executeTakeFirstOrThrow();
    await inboxRepo.markDone(app.db.db, row.id);
    await expect(inboxRepo.markDone(app.db.db, row.id)).rejects.toBeInstanceOf(inboxRepo.EventAlreadyHandled);
    await inboxRepo.markAttemptFailed(app.db.db, row.id, 'late failure', 5);
    expect(await app.db.db.selectFrom('inbox_events').select(['status', 'attempts']).where('id', '=', row.id).executeTakeFirstOrThrow()).toEqual({ status: 'done', attempts: 1 });
    await inboxRepo.releaseLease(app.db.db, 'console:console:held-user', 'holder');
  });
});
