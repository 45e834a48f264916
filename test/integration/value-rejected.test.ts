import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/core/inbound-event.ts';
import { isDatabaseUnavailable, isValueRejected } from '../../src/db/db-errors.ts';
import * as inboxRepo from '../../src/inbox/inbox-repo.ts';
import { InboxWorker } from '../../src/inbox/inbox-worker.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

/**
 * Errors of a value the database cannot take, raised by the real database (PGlite or PostgreSQL): they are told
 * apart from a lost connection, and an inbox event that hits one fails at once instead of running five times.
 */
let tdb: TestDb;
beforeAll(async () => { tdb = await createTestDb(); });
afterAll(async () => { await tdb.drop(); });

async function raised(q: ReturnType<typeof sql>): Promise<unknown> {
  return q.execute(tdb.handle.db).then(() => null, (e: unknown) => e);
}

describe('value errors from the database', () => {
  it('an amount past numeric(18,2), a NUL in text and a \\u0000 escape in jsonb are value rejections, not outages', async () => {
    const overflow = await raised(sql`select ${'10000000000000000'}::numeric(18,2)`);
    const nulText = await raised(sql`select ${'a\u0000b'}::text`);
    const nulJson = await raised(sql`select ${'{"a":"\\u0000"}'}::jsonb ->> 'a'`);
    for (const e of [overflow, nulText, nulJson]) {
      expect(e).toBeInstanceOf(Error);
      expect(isValueRejected(e), String(e)).toBe(true);
      expect(isDatabaseUnavailable(e)).toBe(false);
    }
    expect(isValueRejected(new Error('a bug'))).toBe(false);
    expect(isValueRejected(await raised(sql`select 1/0`))).toBe(false);
  });

  it('an inbox event whose turn the database refuses a value of fails after one run, not maxAttempts', async () => {
    const db = tdb.handle.db;
    const ev: InboundMessage = {
      kind: 'message', source: 'console', eventId: 'overflow-1', platform: 'console', botId: 'console', tenantId: 'default',
      sender: { platform: 'console', botId: 'console', externalId: 'vr-user' }, receivedAt: new Date(0),
      chat: { platform: 'console', botId: 'console', userExternalId: 'vr-user' }, chatType: 'p2p', text: '/submit',
    };
    await inboxRepo.insertEvent(db, ev, 'pending');
    let runs = 0;
    const worker = new InboxWorker({
      db, logger: pino({ level: 'silent' }), workerId: 'w-value', concurrency: 1, pollMs: 10, maxAttempts: 5,
      handle: async () => {
        runs++;
        await sql`select ${'10000000000000000'}::numeric(18,2)`.execute(db);
      },
    });
    worker.start();
    const row = () => db.selectFrom('inbox_events').select(['status', 'attempts']).where('event_id', '=', 'overflow-1').executeTakeFirstOrThrow();
    const seen = await until(row, (r) => r.status === 'failed', 10_000);
    // A few more polls: nothing runs it again.
    await new Promise((r) => setTimeout(r, 100));
    await worker.stop();
    expect(seen.status).toBe('failed');
    expect(runs).toBe(1);
  });
});
