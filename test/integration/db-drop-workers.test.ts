import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverCard } from '../../src/outbox/card-delivery.ts';
import { randomIds } from '../../src/core/ids.ts';
import type { InboundMessage } from '../../src/core/inbound-event.ts';
import { DatabaseUnavailableError } from '../../src/db/db-errors.ts';
import * as inboxRepo from '../../src/inbox/inbox-repo.ts';
import { InboxWorker } from '../../src/inbox/inbox-worker.ts';
import { enqueue } from '../../src/jobs/enqueue.ts';
import * as outboxRepo from '../../src/outbox/outbox-repo.ts';
import { OutboxWorker } from '../../src/outbox/outbox-worker.ts';
import { MessengerRegistry } from '../../src/platforms/messenger-registry.ts';
import type { Messenger } from '../../src/platforms/platform.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { emptyKinds } from '../support/test-jobs.ts';
import { until } from '../support/until.ts';

/**
 * What the workers do with work the database interrupted (the error pg-pool.ts raises when a connection is
 * lost or cannot be made): it runs again without using up an attempt, and a claim whose answer was lost is
 * taken back at once. The interruptions are injected, so this runs on PGlite and PostgreSQL alike.
 */
let tdb: TestDb;
beforeAll(async () => { tdb = await createTestDb(); });
afterAll(async () => { await tdb.drop(); });

const silent = pino({ level: 'silent' });
const lost = (): DatabaseUnavailableError => new DatabaseUnavailableError(new Error('Connection terminated unexpectedly'));

function message(eventId: string, user: string): InboundMessage {
  return {
    kind: 'message', source: 'console', eventId, platform: 'console', botId: 'console', tenantId: 'default',
    sender: { platform: 'console', botId: 'console', externalId: user }, receivedAt: new Date(0),
    chat: { platform: 'console', botId: 'console', userExternalId: user }, chatType: 'p2p', text: 'hi',
  };
}

describe('inbox worker', () => {
  it('an event the database interrupted stays pending with its attempts unused; an event that failed by itself uses one', async () => {
    const db = tdb.handle.db;
    await inboxRepo.insertEvent(db, message('dropped-1', 'drop-a'), 'pending');
    await inboxRepo.insertEvent(db, message('failing-1', 'drop-b'), 'pending');
    const runs = new Map<string, number>();
    const worker = new InboxWorker({
      db, logger: silent, workerId: 'w-inbox-drop', concurrency: 2, pollMs: 10, maxAttempts: 5,
      handle: async (row) => {
        const n = (runs.get(row.event.eventId) ?? 0) + 1;
        runs.set(row.event.eventId, n);
        if (row.event.eventId === 'failing-1') throw new Error('a bug in this turn');
        if (n < 3) throw lost(); // interrupted twice, then the database is back
        await inboxRepo.markDone(db, row.id);
      },
    });
    worker.start();
    const rows = async () => db.selectFrom('inbox_events').select(['event_id', 'status', 'attempts', 'error']).where('event_id', 'in', ['dropped-1', 'failing-1']).orderBy('event_id').execute();
    // Waits on the rows, not on the handler's count: the second failure is recorded after the handler throws.
    const seen = await until(rows, (r) => r.find((x) => x.event_id === 'dropped-1')?.status === 'done'
      && (r.find((x) => x.event_id === 'failing-1')?.attempts ?? 0) >= 2 && r.find((x) => x.event_id === 'failing-1')?.error === 'a bug in this turn', 10_000);
    await worker.stop();
    const dropped = seen.find((r) => r.event_id === 'dropped-1');
    const failing = seen.find((r) => r.event_id === 'failing-1');
    // Three runs, one attempt counted (the one that did the work); no error recorded for the interruptions.
    expect(runs.get('dropped-1')).toBe(3);
    expect(dropped).toMatchObject({ status: 'done', attempts: 1, error: null });
    expect(failing?.attempts).toBeGreaterThanOrEqual(2);
    expect(failing?.error).toBe('a bug in this turn');
  });
});

describe('outbox worker', () => {
  it('a job the database interrupted is retried without counting the attempt; a job that failed by itself counts it', async () => {
    const db = tdb.handle.db;
    const kinds = emptyKinds('dropped', 'failing');
    const worker = new OutboxWorker({
      db, logger: silent, workerId: 'w-outbox-drop', concurrency: 2, leaseMs: 5000, pollMs: 10, schemas: kinds,
      handlers: { dropped: async () => { throw lost(); }, failing: async () => { throw new Error('bad payload'); } },
    });
    await enqueue<typeof kinds>(db, [
      { tenantId: 'default', kind: 'dropped', payload: {}, idempotencyKey: 'k-dropped' }, { tenantId: 'default', kind: 'failing', payload: {}, idempotencyKey: 'k-failing' },
    ], 3);
    await worker.drain(1);
    const rows = await db.selectFrom('outbox_jobs').select(['kind', 'status', 'attempts', 'max_attempts']).where('idempotency_key', 'in', ['k-dropped', 'k-failing']).orderBy('kind').execute();
    expect(rows).toEqual([
      { kind: 'dropped', status: 'pending', attempts: 1, max_attempts: 4 }, // the budget grows by the attempt that did not count
      { kind: 'failing', status: 'pending', attempts: 1, max_attempts: 3 },
    ]);
    // Due again within a second: not left for the claims of the tests below to take.
    await db.deleteFrom('outbox_jobs').where('idempotency_key', 'in', ['k-dropped', 'k-failing']).execute();
  });

  it('a claim that committed but whose answer was lost is taken back by its worker at once, not after its lease', async () => {
    const kinds = emptyKinds('lost-answer');
    await enqueue<typeof kinds>(tdb.handle.db, [{ tenantId: 'default', kind: 'lost-answer', payload: {}, idempotencyKey: 'k-lost-answer' }], 5);
    let dropped = 0;
    // The first claim that takes a job commits, then its answer is lost on the way back (as when the backend is
    // terminated between COMMIT and the reply): the worker sees a DatabaseUnavailableError.
    const loseFirstClaim: KyselyPlugin = {
      transformQuery: (a: PluginTransformQueryArgs): RootOperationNode => a.node,
      transformResult: async (a: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => {
        const row = a.result.rows[0];
        if (dropped === 0 && row && 'locked_by' in row && row['kind'] === 'lost-answer') { dropped++; throw lost(); }
        return a.result;
      },
    };
    const runs: number[] = [];
    const LEASE_MS = 60_000;
    const worker = new OutboxWorker({
      db: tdb.handle.db.withPlugin(loseFirstClaim), logger: silent, workerId: 'w-lost-answer', concurrency: 1, leaseMs: LEASE_MS, pollMs: 10, schemas: kinds,
      handlers: { 'lost-answer': async (_, job) => { runs.push(job.attempts); } },
    });
    worker.start();
    const job = await until(
      () => tdb.handle.db.selectFrom('outbox_jobs').select(['status', 'attempts', 'locked_by']).where('idempotency_key', '=', 'k-lost-answer').executeTakeFirstOrThrow(),
      (j) => j.status === 'done', 5000,
    );
    await worker.stop();
    // Without taking it back it would sit 'running' under its 60 s lease.
    expect(dropped).toBe(1);
    expect(job).toEqual({ status: 'done', attempts: 2, locked_by: 'w-lost-answer' });
    expect(runs).toEqual([2]);
  });

  it('claim with orphans takes this worker\'s own unheld running claims before their lease ends, never another worker\'s or a held one', async () => {
    const db = tdb.handle.db;
    const kinds = emptyKinds('orphan-check');
    await enqueue<typeof kinds>(db, ['mine-a', 'mine-b', 'theirs'].map((k) => ({ tenantId: 'default', kind: 'orphan-check' as const, payload: {}, idempotencyKey: `k-${k}` })), 5);
    const a = await outboxRepo.claim(db, 'w-me', 2, 60_000);
    const b = await outboxRepo.claim(db, 'w-them', 1, 60_000);
    expect([a.length, b.length]).toEqual([2, 1]);
    const held = a[0]?.id ?? 0;
    expect(await outboxRepo.claim(db, 'w-me', 5, 60_000, { expired: true, holding: [held] })).toEqual([]);
    const back = await outboxRepo.claim(db, 'w-me', 5, 60_000, { expired: true, orphans: true, holding: [held] });
    expect(back.map((j) => [j.id, j.attempts])).toEqual([[a[1]?.id, 2]]);
  });
});

describe('card delivery', () => {
  const target = { platform: 'feishu' as const, botId: 'fs-drop', chatId: 'oc_drop' };
  function setup(plugin: KyselyPlugin) {
    const sent: string[] = [];
    const messenger: Messenger = {
      platform: 'feishu', botId: 'fs-drop',
      async sendCard(_to, c) { sent.push(c.title); return { platform: 'feishu', botId: 'fs-drop', messageId: `om_${sent.length}` }; },
      async updateCard(_ref, c) { sent.push(c.title); },
      async sendText() { throw new Error('not used'); },
    };
    const messengers = new MessengerRegistry();
    messengers.add(messenger);
    const d = { db: tdb.handle.db.withPlugin(plugin), messengers, ids: randomIds, logger: silent };
    return { sent, d };
  }
  const input = (subject: string, v: number) => ({ tenantId: 't-drop', subject, userId: 'lisi', target, render: async () => ({ card: { title: `v${v}`, tone: 'blue' as const, blocks: [] }, version: v }) });
  const lease = (subject: string) => tdb.handle.db.selectFrom('card_messages').select(['lease_token', 'rendered_version']).where('subject', '=', subject).executeTakeFirstOrThrow();

  it('a lease whose answer was lost is given back, so the next run delivers at once instead of waiting out the card lease', async () => {
    let lostOnce = false;
    const { sent, d } = setup({
      transformQuery: (a: PluginTransformQueryArgs): RootOperationNode => a.node,
      transformResult: async (a: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => {
        if (!lostOnce && a.result.rows[0] && 'lease_token' in a.result.rows[0]) { lostOnce = true; throw lost(); } // committed, answer lost
        return a.result;
      },
    });
    await expect(deliverCard(d, input('dialog:drop-1', 1))).rejects.toMatchObject({ code: 'db.unavailable' });
    expect(await lease('dialog:drop-1')).toEqual({ lease_token: null, rendered_version: 0 });
    await deliverCard(d, input('dialog:drop-1', 1));
    expect(sent).toEqual(['v1']);
  });

  it('a release the database dropped is sent again on a fresh connection: the delivery is recorded and the card is free', async () => {
    let droppedOnce = false;
    const { sent, d } = setup({
      transformQuery: (a: PluginTransformQueryArgs): RootOperationNode => {
        if (!droppedOnce && a.node.kind === 'UpdateQueryNode') { droppedOnce = true; throw lost(); } // never reached the server
        return a.node;
      },
      transformResult: async (a: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => a.result,
    });
    await deliverCard(d, input('dialog:drop-2', 1));
    expect(droppedOnce).toBe(true);
    expect(await lease('dialog:drop-2')).toEqual({ lease_token: null, rendered_version: 1 });
    await deliverCard(d, input('dialog:drop-2', 2));
    expect(sent).toEqual(['v1', 'v2']);
  });
});
