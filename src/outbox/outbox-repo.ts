import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, OutboxJobRow } from '../db/database.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface NewJob {
  tenantId: string;
  kind: string;
  payload: unknown;
  /** Same key twice → one job. Handlers get it too and pass it on (Feishu uuid, ERP external key). */
  idempotencyKey: string;
  /** Jobs with the same queue key run one at a time, in enqueue order (the messages of one chat). */
  queueKey?: string;
  /**
   * A job whose result depends only on state at run time (re-rendering a card) is not enqueued while
   * an identical one still waits untouched: that one will show the newer state anyway.
   */
  coalesceKey?: string;
  runAt?: Date;
}

/** Writes jobs in the caller's transaction: they exist iff the state change that caused them commits. */
export async function enqueue(trx: Db, jobs: NewJob[], maxAttempts: number): Promise<void> {
  if (jobs.length === 0) return;
  await trx.insertInto('outbox_jobs').values(jobs.map((j) => ({
    tenant_id: j.tenantId, kind: j.kind, payload: JSON.stringify(j.payload), idempotency_key: j.idempotencyKey, queue_key: j.queueKey ?? null,
    coalesce_key: j.coalesceKey ?? null,
    max_attempts: maxAttempts, ...(j.runAt ? { run_at: j.runAt } : {}),
  }))).onConflict((oc) => oc.doNothing()).execute();
}

/**
 * Claims up to `limit` jobs with FOR UPDATE SKIP LOCKED, so concurrent workers never take the same job:
 * first running jobs whose lease expired (their worker died), then due pending jobs in order. A job with
 * a queue key waits until every earlier job of that key is finished. Both scans use partial indexes, so
 * the cost does not grow with the number of finished jobs. `expired: false` skips the first scan (a
 * worker looks for expired leases now and then, not on every claim).
 */
export async function claim(db: Db, workerId: string, limit: number, leaseMs: number, opts: { expired?: boolean } = {}): Promise<OutboxJobRow[]> {
  const take = (where: ReturnType<typeof sql>, order: ReturnType<typeof sql>) => sql<OutboxJobRow>`
    update outbox_jobs set status = 'running', locked_by = ${workerId}, attempts = attempts + 1, updated_at = now(),
      locked_until = now() + ${leaseMs} * interval '1 millisecond'
    where id in (
      select id from outbox_jobs j where ${where}
        and (queue_key is null or not exists (
          select 1 from outbox_jobs e where e.queue_key = j.queue_key and e.id < j.id and e.status in ('pending', 'running')))
      order by ${order} limit ${limit} for update skip locked)
    returning *`.execute(db);
  const expired = opts.expired === false ? [] : (await take(sql`status = 'running' and locked_until < now()`, sql`locked_until`)).rows;
  if (expired.length >= limit) return expired;
  const due = await take(sql`status = 'pending' and run_at <= now()`, sql`run_at, id`);
  return [...expired, ...due.rows];
}

/** Deletes finished jobs older than the retention (dead ones stay until replayed or handled). */
export async function purgeDone(db: Db, olderThanMs: number): Promise<number> {
  const r = await db.deleteFrom('outbox_jobs').where('status', '=', 'done')
    .where('done_at', '<', sql<Date>`now() - ${olderThanMs} * interval '1 millisecond'`).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * Marks jobs done (several in one statement) only where this worker still holds the lease: a worker
 * that lost it must not overwrite. Answers, per id, whether it was marked.
 */
export async function completeMany(db: Db, ids: number[], workerId: string): Promise<boolean[]> {
  const rows = await db.updateTable('outbox_jobs').set({ status: 'done', done_at: sql`now()`, locked_until: null, updated_at: sql`now()` })
    .where('id', 'in', ids).where('locked_by', '=', workerId).where('status', '=', 'running').returning('id').execute();
  const done = new Set(rows.map((r) => r.id));
  return ids.map((id) => done.has(id));
}

export async function retry(db: Db, id: number, workerId: string, delayMs: number, error: string, countAttempt: boolean): Promise<void> {
  await db.updateTable('outbox_jobs').set({
    status: 'pending', run_at: sql`now() + ${delayMs} * interval '1 millisecond'`, locked_until: null, last_error: error.slice(0, 2000),
    // An attempt that did not count extends the budget rather than lowering `attempts` (which keeps a
    // claimed job out of the fresh-job coalescing index).
    updated_at: sql`now()`, ...(countAttempt ? {} : { max_attempts: sql`max_attempts + 1` }),
  }).where('id', '=', id).where('locked_by', '=', workerId).where('status', '=', 'running').execute();
}

export async function deadLetter(db: Db, id: number, workerId: string, error: string): Promise<void> {
  await db.updateTable('outbox_jobs').set({ status: 'dead', locked_until: null, last_error: error.slice(0, 2000), updated_at: sql`now()` })
    .where('id', '=', id).where('locked_by', '=', workerId).execute();
}

export async function listDead(db: Db, limit = 100): Promise<OutboxJobRow[]> {
  return db.selectFrom('outbox_jobs').selectAll().where('status', '=', 'dead').orderBy('id', 'desc').limit(limit).execute();
}

/** Puts a dead job back in the queue with a fresh attempt budget. */
export async function replay(db: Db, id: number): Promise<boolean> {
  // coalesce_key cleared: a replayed job must not collide with a fresh one for the same card.
  const r = await db.updateTable('outbox_jobs').set({ status: 'pending', attempts: 0, coalesce_key: null, run_at: sql`now()`, locked_by: null, updated_at: sql`now()` })
    .where('id', '=', id).where('status', '=', 'dead').executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function depth(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('outbox_jobs').select(['status', sql<number>`count(*)::int`.as('n')]).where('status', '!=', 'done').groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
