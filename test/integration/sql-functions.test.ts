import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../src/core/inbound-event.ts';
import { recordEvents } from '../../src/inbox/inbox-repo.ts';
import { enqueue } from '../../src/jobs/enqueue.ts';
import { newestFunctionFiles } from '../support/sql-files.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/** The suite's database (PGlite, or PostgreSQL with DATABASE_URL), migrated to the latest. */
let tdb: TestDb;
beforeAll(async () => { tdb = await createTestDb(2); });
afterAll(async () => { await tdb.drop(); });

/** A signature as pg_get_function_arguments / pg_get_function_result print it, in the files' spelling. */
const normal = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1')
  .replace(/\btimestamp with time zone\b/g, 'timestamptz').replace(/\binteger\b/g, 'int');

describe('installed SQL functions', () => {
  it('are exactly the newest version of each file in src/db/sql: same body, arguments, result and language', async () => {
    const rows = (await sql<{ name: string; args: string; result: string; lang: string; src: string }>`
      select p.proname as name, pg_get_function_arguments(p.oid) as args, pg_get_function_result(p.oid) as result,
        l.lanname as lang, p.prosrc as src
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
      where n.nspname = 'public' order by p.proname`.execute(tdb.handle.db)).rows;
    const newest = newestFunctionFiles();
    expect(rows.map((r) => r.name)).toEqual([...newest.keys()].sort());
    for (const r of rows) {
      const f = newest.get(r.name);
      expect(r.src, `${r.name}: body of ${f?.file}`).toBe(f?.body);
      expect([normal(r.args), normal(r.result), r.lang], r.name).toEqual([normal(f?.args ?? ''), normal(f?.returns ?? ''), f?.language]);
    }
  });
});

describe('the one writers', () => {
  it('outbox_enqueue() through enqueue(): run_at kept, the last job per card in one call, known keys skipped, nothing for no jobs', async () => {
    const db = tdb.handle.db;
    const runAt = new Date('2030-01-02T03:04:05.000Z');
    const card = (v: number) => ({ tenantId: 'default', kind: 'card.sync' as const, payload: { requestId: `r-v${v}`, userId: 'lisi', role: 'approver' as const },
      idempotencyKey: `w-card-v${v}`, coalesceKey: 'w-card' });
    const later = (text: string) => ({ tenantId: 'default', kind: 'message.send' as const, payload: { userId: 'lisi', text }, idempotencyKey: 'w-later-1' });
    await enqueue(db, [], 3);
    await enqueue(db, [{ ...later('first'), queueKey: 'w-q', runAt }, card(1), card(2)], 4);
    await enqueue(db, [card(2), later('again')], 4);
    const rows = await db.selectFrom('outbox_jobs').select(['kind', 'payload', 'queue_key', 'coalesce_key', 'max_attempts', 'run_at', 'status'])
      .where('idempotency_key', 'like', 'w-%').orderBy('id').execute();
    expect(rows).toEqual([
      { kind: 'message.send', payload: { userId: 'lisi', text: 'first' }, queue_key: 'w-q', coalesce_key: null, max_attempts: 4, run_at: runAt, status: 'pending' },
      { kind: 'card.sync', payload: card(2).payload, queue_key: null, coalesce_key: 'w-card', max_attempts: 4, run_at: expect.any(Date), status: 'pending' },
    ]);
  });

  it('inbox_record() through recordEvents(): new events get ids in the order given, redeliveries none, handled ones are stored done', async () => {
    const db = tdb.handle.db;
    const ev = (id: string): InboundEvent => ({
      kind: 'message', source: 'console:w', eventId: id, platform: 'console', botId: 'w', tenantId: 'default', chatType: 'p2p', text: id,
      sender: { platform: 'console', botId: 'w', externalId: 'lisi' }, receivedAt: new Date('2026-11-20T08:00:00.000Z'),
      chat: { platform: 'console', botId: 'w', userExternalId: 'lisi' },
    });
    const first = await recordEvents(db, [ev('w-1'), ev('w-2')], 'pending');
    const again = await recordEvents(db, [ev('w-2'), ev('w-3')], 'done');
    expect([...first.keys()]).toEqual(['console:w\u0000w-1', 'console:w\u0000w-2']);
    expect((first.get('console:w\u0000w-1') ?? 0) < (first.get('console:w\u0000w-2') ?? 0)).toBe(true);
    expect([...again.keys()]).toEqual(['console:w\u0000w-3']);
    const rows = await db.selectFrom('inbox_events').select(['event_id', 'status', 'attempts', 'conversation_key', 'payload', 'processed_at'])
      .where('source', '=', 'console:w').orderBy('id').execute();
    expect(rows.map((r) => [r.event_id, r.status, r.attempts, r.conversation_key, r.processed_at !== null])).toEqual([
      ['w-1', 'pending', 0, 'console:w:lisi', false], ['w-2', 'pending', 0, 'console:w:lisi', false], ['w-3', 'done', 1, 'console:w:lisi', true],
    ]);
    expect(rows[0]?.payload).toEqual(JSON.parse(JSON.stringify(ev('w-1'))));
  });
});
