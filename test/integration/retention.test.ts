import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { appendAudit, verifyAuditChain } from '../../src/audit/audit-log.ts';
import { loadConfig } from '../../src/config/env.ts';
import { fixedClock } from '../../src/core/clock.ts';
import type { Database } from '../../src/db/database.ts';
import { runRetention, type PurgeResult } from '../../src/scheduler/retention.ts';
import { spyOn } from '../support/sql-spy.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * Retention on the real database (PGlite, or PostgreSQL with DATABASE_URL): every traffic table is purged past its
 * retention, in batches smaller than the backlog; newer rows, unfinished work and business records stay.
 */
const DAY = 24 * 3600_000;
const T = new Date('2031-03-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T.getTime() + ms);
const cfg = loadConfig({ DATABASE_URL: '' }).retention; // defaults: inbox 7 d / failed 30 d, outbox 1 d / dead 30 d, refusals 90 d…

let tdb: TestDb;
let app: App;
let db: Kysely<Database>;
let requestId = '';

async function inbox(n: number, name: string, status: string, receivedAt: Date, processedAt: Date | null): Promise<void> {
  await sql`insert into inbox_events (tenant_id, source, event_id, kind, conversation_key, payload, status, received_at, processed_at)
    select 'default', 'retention-test', ${name}::text || g, 'message', 'console:console:x', '{}'::jsonb, ${status}, ${receivedAt}::timestamptz,
      ${processedAt}::timestamptz from generate_series(1, ${n}) g`.execute(db);
}

async function jobs(n: number, name: string, status: string, doneAt: Date | null, updatedAt: Date): Promise<void> {
  await sql`insert into outbox_jobs (tenant_id, kind, payload, idempotency_key, status, max_attempts, done_at, updated_at)
    select 'default', 'test.noop', '{}'::jsonb, ${name}::text || g, ${status}, 3, ${doneAt}::timestamptz, ${updatedAt}::timestamptz
    from generate_series(1, ${n}) g`.execute(db);
}

async function consoleMessage(id: string, created: Date, updated = created): Promise<void> {
  await sql`insert into console_messages (id, seq, tenant_id, bot_id, user_id, kind, text, idempotency_key, created_at, updated_at)
    values (${id}, nextval('console_message_seq'), 'default', 'console', 'zhangsan', 'text', 'hi', ${`key-${id}`}, ${created}, ${updated})`.execute(db);
}

async function card(subject: string, messageId: string, created: Date, updated = created, leaseUntil: Date | null = null): Promise<void> {
  await sql`insert into card_messages (id, tenant_id, subject, user_id, platform, bot_id, target, ref, created_at, updated_at, lease_until)
    values (gen_random_uuid(), 'default', ${subject}, 'zhangsan', 'console', 'console', '{}'::jsonb, ${JSON.stringify({ messageId })}::jsonb,
      ${created}, ${updated}, ${leaseUntil})`.execute(db);
}

async function refusals(chain: { type: 'bot' | 'endpoint'; id: string }, n: number, when: Date, action = 'inbound.rejected'): Promise<void> {
  for (let i = 0; i < n; i++) {
    await appendAudit(db, { tenantId: 'default', at: when, actor: 'feishu:unauthenticated', action, source: 'api', subjectType: chain.type, subjectId: chain.id, meta: { i } });
  }
}

const count = async (table: string, where = sql`true`): Promise<number> =>
  Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${where}`.execute(db)).rows[0]?.n);
const result = (rs: PurgeResult[], name: string): PurgeResult | undefined => rs.find((r) => r.name === name);

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, noWorkers: true });
  db = app.db.db;
  requestId = (await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount: '88.00', date: '2026-11-20' })).id;

  await inbox(25, 'done-old-', 'done', at(-8 * DAY), at(-8 * DAY));
  await inbox(3, 'done-new-', 'done', at(-6 * DAY), at(-6 * DAY));
  await inbox(4, 'failed-8d-', 'failed', at(-8 * DAY), null); // past the done retention, within the failed one
  await inbox(2, 'failed-old-', 'failed', at(-31 * DAY), null);
  await inbox(2, 'pending-old-', 'pending', at(-40 * DAY), null);

  await jobs(12, 'done-old-', 'done', at(-2 * DAY), at(-2 * DAY));
  await jobs(2, 'done-new-', 'done', at(-12 * 3600_000), at(-12 * 3600_000));
  await jobs(3, 'dead-old-', 'dead', null, at(-31 * DAY));
  await jobs(1, 'dead-new-', 'dead', null, at(-10 * DAY));
  await jobs(2, 'pending-old-', 'pending', null, at(-40 * DAY));

  const ids = Array.from({ length: 10 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
  for (const id of ids.slice(0, 5)) await consoleMessage(id, at(-31 * DAY)); // plain old texts: purged
  await consoleMessage(ids[5] ?? '', at(-31 * DAY)); // shows a request card: kept
  await consoleMessage(ids[6] ?? '', at(-31 * DAY)); // shows a help card: purged with it
  await consoleMessage(ids[7] ?? '', at(-5 * DAY));
  await consoleMessage(ids[8] ?? '', at(-40 * DAY), at(-2 * DAY)); // updated lately: kept
  await card(`request:${requestId}:approver:lisi`, ids[5] ?? '', at(-31 * DAY));
  await card('help:console:e1', ids[6] ?? '', at(-31 * DAY));
  await card('status:console:e2', 'm-status', at(-31 * DAY), at(-2 * DAY));
  await card('dialog:d-leased', 'm-dialog', at(-31 * DAY), at(-31 * DAY), at(60_000));
  await card('dialog:d-old', 'm-dialog-old', at(-31 * DAY));
  await card('erpdoc:doc-1:zhangsan', 'm-erp', at(-31 * DAY));

  await sql`insert into dialog_sessions (tenant_id, user_id, state, expires_at) values
    ('default', 'u-gone', 'null'::jsonb, ${at(-31 * DAY)}), ('default', 'u-recent', 'null'::jsonb, ${at(-DAY)}),
    ('default', 'u-live', '{}'::jsonb, ${at(600_000)})`.execute(db);
  await sql`insert into rate_limits (key, next_us) values ('k-old', ${at(-2 * 3600_000).getTime() * 1000}::bigint),
    ('k-new', ${T.getTime() * 1000}::bigint)`.execute(db);
  await sql`insert into conversation_leases (key, owner, until) values ('l-old', 'w1', ${at(-2 * 3600_000)}), ('l-new', 'w2', ${at(60_000)})`.execute(db);

  await refusals({ type: 'bot', id: 'b-test' }, 12, at(-100 * DAY));
  await refusals({ type: 'bot', id: 'b-test' }, 2, at(-10 * DAY), 'card.denied');
  await refusals({ type: 'endpoint', id: '/admin/api/x' }, 3, at(-100 * DAY));
  await refusals({ type: 'bot', id: 'b-mixed' }, 1, at(-100 * DAY), 'bot.noted'); // not a refusal: its chain cannot lose its start
  await refusals({ type: 'bot', id: 'b-mixed' }, 3, at(-100 * DAY));
}, 60_000);

afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

describe('retention', () => {
  it('purges each table past its retention in batches of at most the batch size, and keeps the rest', async () => {
    const business = { requests: await count('requests'), tasks: await count('approval_tasks'), chain: await count('audit_log', sql`chain = ${`request:${requestId}`}`) };
    const spy = spyOn(db);
    const rs = await runRetention(spy.db, fixedClock(T), cfg, { batchSize: 10, vacuum: true });

    // A backlog of 25 with batches of 10: three DELETEs (10, 10, 5), each its own statement.
    expect(result(rs, 'inbox_events.done')).toEqual({ name: 'inbox_events.done', deleted: 25, batches: 3 });
    const inboxDeletes = spy.queries.filter((q) => q.sql.startsWith('delete from "inbox_events"') && q.sql.includes(`status = 'done'`));
    expect(inboxDeletes.map((q) => q.affected)).toEqual([10, 10, 5]);
    expect(spy.queries.filter((q) => q.sql.startsWith('delete')).every((q) => (q.affected ?? 0) <= 10)).toBe(true);
    expect(result(rs, 'inbox_events.failed')).toEqual({ name: 'inbox_events.failed', deleted: 2, batches: 1 });
    expect(await count('inbox_events', sql`source = 'retention-test' and status = 'done'`)).toBe(3);
    expect(await count('inbox_events', sql`source = 'retention-test' and status = 'failed'`)).toBe(4); // kept longer than done ones
    expect(await count('inbox_events', sql`source = 'retention-test' and status = 'pending'`)).toBe(2);

    expect(result(rs, 'outbox_jobs.done')).toEqual({ name: 'outbox_jobs.done', deleted: 12, batches: 2 });
    expect(result(rs, 'outbox_jobs.dead')?.deleted).toBe(3);
    expect(await count('outbox_jobs', sql`kind = 'test.noop' and status = 'done'`)).toBe(2);
    expect(await count('outbox_jobs', sql`kind = 'test.noop' and status = 'dead'`)).toBe(1);
    expect(await count('outbox_jobs', sql`kind = 'test.noop' and status = 'pending'`)).toBe(2);
    expect(await count('outbox_jobs', sql`kind <> 'test.noop'`)).toBeGreaterThan(0); // the request's own jobs, pending

    expect(result(rs, 'console_messages')?.deleted).toBe(6);
    const consoleLeft = await sql<{ id: string }>`select id from console_messages order by id`.execute(db);
    expect(consoleLeft.rows.map((r) => r.id.slice(-1))).toEqual(['5', '7', '8']);
    expect(result(rs, 'card_messages.transient')?.deleted).toBe(2);
    const cardsLeft = await sql<{ subject: string }>`select subject from card_messages order by subject`.execute(db);
    expect(cardsLeft.rows.map((r) => r.subject)).toEqual(['dialog:d-leased', 'erpdoc:doc-1:zhangsan', `request:${requestId}:approver:lisi`, 'status:console:e2']);

    expect((await sql<{ user_id: string }>`select user_id from dialog_sessions order by user_id`.execute(db)).rows.map((r) => r.user_id)).toEqual(['u-live', 'u-recent']);
    expect((await sql<{ key: string }>`select key from rate_limits`.execute(db)).rows.map((r) => r.key)).toEqual(['k-new']);
    expect((await sql<{ key: string }>`select key from conversation_leases`.execute(db)).rows.map((r) => r.key)).toEqual(['l-new']);

    // Refusals: the old rows of b-test in two batches (10 + 2), the endpoint chain's rows all (its head stays, floor at
    // its last seq: a head gone reads as a deleted chain to audit:verify); b-mixed starts
    // with a row that is not a refusal, so its chain stays whole.
    expect(result(rs, 'audit_log.refusals')?.deleted).toBe(15);
    expect((await sql<{ seq: number }>`select seq from audit_log where chain = 'bot:b-test' order by seq`.execute(db)).rows.map((r) => Number(r.seq))).toEqual([13, 14]);
    expect(await count('audit_log', sql`chain = 'endpoint:/admin/api/x'`)).toBe(0);
    expect(await count('audit_heads', sql`chain = 'endpoint:/admin/api/x' and seq = 3 and floor_seq = 3`)).toBe(1);
    expect(await count('audit_log', sql`chain = 'bot:b-mixed'`)).toBe(4);
    expect(await count('audit_heads', sql`chain = 'bot:b-test' and floor_seq = 12`)).toBe(1);

    // Business records untouched; every chain still verifies.
    expect({ requests: await count('requests'), tasks: await count('approval_tasks'), chain: await count('audit_log', sql`chain = ${`request:${requestId}`}`) }).toEqual(business);
    expect((await verifyAuditChain(db)).every((r) => r.ok)).toBe(true);

    // Nothing left to purge: a second run deletes nothing, one batch per purge.
    const again = await runRetention(db, fixedClock(T), cfg, { batchSize: 10 });
    expect(again.every((r) => r.deleted === 0)).toBe(true);
    expect(again.filter((r) => r.name !== 'audit_log.refusals').every((r) => r.batches === 1)).toBe(true);
  });

  it('a purged chain keeps verifying as it grows, and still detects a kept row deleted', async () => {
    await refusals({ type: 'bot', id: 'b-test' }, 1, at(DAY));
    await refusals({ type: 'endpoint', id: '/admin/api/x' }, 1, at(DAY)); // the emptied chain goes on from its head
    expect((await verifyAuditChain(db)).every((r) => r.ok)).toBe(true);
    expect((await sql<{ seq: number }>`select seq from audit_log where chain = 'endpoint:/admin/api/x'`.execute(db)).rows.map((r) => Number(r.seq))).toEqual([4]);

    await sql`delete from audit_log where chain = 'bot:b-test' and seq = 13`.execute(db);
    const [r] = await verifyAuditChain(db);
    expect(r?.broken).toEqual([{ chain: 'bot:b-test', seq: 13, reason: 'row 13 is missing' }]);
  });

  it('purges a backlog much larger than a batch completely', async () => {
    await inbox(2500, 'backlog-', 'done', at(-30 * DAY), at(-30 * DAY));
    const rs = await runRetention(db, fixedClock(T), cfg, { batchSize: 100 });
    expect(result(rs, 'inbox_events.done')).toEqual({ name: 'inbox_events.done', deleted: 2500, batches: 26 });
    expect(await count('inbox_events', sql`event_id like 'backlog-%'`)).toBe(0);
  });
});
