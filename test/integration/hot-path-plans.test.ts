import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { loadConfig } from '../../src/config/env.ts';
import type { Database } from '../../src/db/database.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * The approval hot path must reach rows by key, whatever the table sizes: a sequential scan there makes
 * every click read a whole table. PostgreSQL's auto_explain (contrib) reports the plan of every statement,
 * including those inside commit_request_change(), as notices on the connection that ran them.
 */
let tdb: TestDb;
let app: App;
const plans: string[] = [];
let capturing = false;

/** Test files run on PostgreSQL when DATABASE_URL is set (see test-db.ts); PGlite has no auto_explain. */
const onPg = Boolean(loadConfig().databaseUrl);

beforeAll(async () => {
  if (!onPg) return;
  tdb = await createTestDb(2);
  const pool = new pg.Pool({ connectionString: tdb.url, max: 4 });
  pool.on('connect', (client) => {
    client.on('notice', (n) => { if (capturing) plans.push(n.message ?? ''); });
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({
    pool: {
      // Every pooled connection explains its statements (nested ones too) back to the client.
      connect: async () => {
        const c = await pool.connect();
        await c.query(`load 'auto_explain'; set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on;
          set auto_explain.log_level = notice; set client_min_messages = notice`);
        return c;
      },
      end: () => pool.end(),
    },
  }) });
  app = await startApp({ db: { db, kind: 'pg', close: () => db.destroy() }, noWorkers: true });
}, 60_000);

afterAll(async () => {
  if (!onPg) return;
  await app.stop();
  await app.db.close();
  await tdb.drop();
});

describe.skipIf(!onPg)('approval hot path plans (PostgreSQL)', () => {
  it('approving touches requests, tasks, inbox, outbox and audit by index only, with 400 requests and 1,000 events on file', async () => {
    const made = [];
    for (let i = 0; i < 400; i++) {
      made.push(await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount: `${100 + i}.00`, date: '2026-11-20' }));
    }
    // Earlier clicks on file too (the inbox is checked for this event before anything is written).
    await sql`insert into inbox_events (tenant_id, source, event_id, kind, conversation_key, payload, status)
      select 'default', 'console:console', 'earlier-' || g, 'card_action', 'console:console:lisi', '{}'::jsonb, 'done' from generate_series(1, 1000) g`.execute(app.db.db);
    await sql`analyze`.execute(app.db.db);
    const target = made[123];
    const task = await app.db.db.selectFrom('approval_tasks').select('id').where('request_id', '=', target?.id ?? '').executeTakeFirstOrThrow();
    capturing = true;
    const out = await app.approvals.act('default', target?.id ?? '', { type: 'approve', actor: 'lisi', taskId: task.id }, 'card', {
      kind: 'card_action', source: 'console:console', eventId: 'plan-check-1', platform: 'console', botId: 'console', tenantId: 'default',
      sender: { platform: 'console', botId: 'console', externalId: 'lisi' }, receivedAt: new Date(),
      message: { platform: 'console', botId: 'console', messageId: 'm-1' }, chat: { platform: 'console', botId: 'console', userExternalId: 'lisi' },
      actionId: 'approve', value: { op: 'approve', taskId: task.id, requestId: target?.id ?? '' }, form: {},
    });
    capturing = false;
    expect(out.ok).toBe(true);
    const touched = ['requests', 'approval_tasks', 'inbox_events', 'outbox_jobs', 'audit_log', 'audit_heads'];
    const seqScans = plans.filter((p) => touched.some((t) => new RegExp(`Seq Scan on ${t}\\b`).test(p)));
    console.log('approve: %d statements explained, %d with a sequential scan of a hot table', plans.length, seqScans.length);
    expect(plans.length).toBeGreaterThan(5);
    expect(seqScans).toEqual([]);
  });
});
