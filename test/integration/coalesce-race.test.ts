import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { loadConfig } from '../../src/config/env.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * A change whose card re-render coalesces into a job that is already waiting must not lose the render:
 * a worker that runs the waiting job before the change commits would show the old state, and nothing
 * would show the new one. Needs two concurrent transactions, so PostgreSQL only (PGlite runs one at a time).
 */
const onPg = Boolean(loadConfig().databaseUrl);
let tdb: TestDb;
let app: App;

beforeAll(async () => {
  if (!onPg) return;
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, noWorkers: true });
});
afterAll(async () => {
  if (!onPg) return;
  await app.stop();
  await tdb.drop();
});

describe.skipIf(!onPg)('coalesced card re-renders (PostgreSQL)', () => {
  it('a worker draining while an approval is between its outbox insert and its commit still ends with every card at the new state', async () => {
    const db = app.db.db;
    const req = await submitDirect(app, 'travel_expense', 'zhangsan', { period: '2026-11', destination: '北京', amount: '6560', purpose: '拜访客户' });
    const task = await db.selectFrom('approval_tasks').select('id').where('request_id', '=', req.id).executeTakeFirstOrThrow();
    // The submit's card.sync jobs wait untouched. Hold the request's audit chain head (the last thing the
    // approval's statement locks), so the approval stops after its outbox insert, before its commit.
    const blocker = new pg.Client({ connectionString: tdb.url });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('select 1 from audit_heads where chain = $1 for update', [`request:${req.id}`]);
    const approving = app.approvals.act('default', req.id, { type: 'approve', actor: 'lisi', taskId: task.id }, 'card');
    for (let i = 0; i < 200; i++) {
      const r = await blocker.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
      if ((r.rows[0]?.n ?? 0) > 0) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    const ranWhileBlocked = await app.outbox.drain();
    await blocker.query('commit');
    await blocker.end();
    expect((await approving).ok).toBe(true);
    await app.outbox.drain();
    const r = await db.selectFrom('requests').select(['status', 'version']).where('id', '=', req.id).executeTakeFirstOrThrow();
    const cards = await db.selectFrom('card_messages').select(['subject', 'rendered_version']).where('request_id', '=', req.id).orderBy('subject').execute();
    console.log('coalesce race: %d jobs ran while the approval waited to commit; cards %j at request version %d', ranWhileBlocked, cards, r.version);
    expect(r.status).toBe('pending'); // over 5000: finance approves next, so no later change re-renders the cards
    expect(cards.length).toBeGreaterThanOrEqual(2);
    expect(cards.filter((c) => c.rendered_version !== r.version)).toEqual([]);
  });
});
