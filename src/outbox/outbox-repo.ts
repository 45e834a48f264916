import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import type { Database, OutboxJobRow } from '../db/database.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A claimed job as its worker holds it: the claim's attempt number fences off every later claim of the job. */
export interface Held { id: number; attempts: number }

/**
 * Claims up to `limit` jobs with FOR UPDATE SKIP LOCKED, so concurrent workers never take the same job:
 * first running jobs whose lease expired (their worker died or stalled), then due pending jobs in order.
 * A job with a queue key waits until every earlier job of that key is finished. Both scans use partial
 * indexes, so the cost does not grow with the number of finished jobs. `expired: false` skips the first
 * scan (a worker looks for expired leases now and then, not on every claim). `holding`: the jobs this
 * worker is running (and renewing, see renew()), never claimed again; any other expired claim is taken,
 * its own included (a claim whose answer was lost, a run whose bookkeeping failed). `orphans`: also take
 * this worker's own running claims that it is not holding, before their lease runs out: after the database
 * dropped a connection, a claim may have committed with its answer lost, or a run's bookkeeping may have
 * failed; the worker id is this process's alone, so nobody else can be running them.
 */
export async function claim(db: Db, workerId: string, limit: number, leaseMs: number, opts: { expired?: boolean; holding?: number[]; orphans?: boolean } = {}): Promise<OutboxJobRow[]> {
  const take = (where: ReturnType<typeof sql>, order: ReturnType<typeof sql>, n: number) => sql<OutboxJobRow>`
    update outbox_jobs set status = 'running', locked_by = ${workerId}, attempts = attempts + 1, updated_at = now(),
      locked_until = now() + ${leaseMs} * interval '1 millisecond'
    where id in (
      select id from outbox_jobs j where ${where}
        and (queue_key is null or not exists (
          select 1 from outbox_jobs e where e.queue_key = j.queue_key and e.id < j.id and e.status in ('pending', 'running')))
      order by ${order} limit ${n} for update skip locked)
    returning *`.execute(db);
  const holding = opts.holding?.length ? sql`and not (locked_by = ${workerId} and id in (${sql.join(opts.holding)}))` : sql``;
  const expired = opts.expired === false ? []
    : (await take(opts.orphans ? sql`status = 'running' and (locked_until < now() or locked_by = ${workerId}) ${holding}` : sql`status = 'running' and locked_until < now() ${holding}`, sql`locked_until`, limit)).rows;
  if (expired.length >= limit) return expired;
  const due = await take(sql`status = 'pending' and run_at <= now()`, sql`run_at, id`, limit - expired.length);
  return [...expired, ...due.rows];
}

/** The held claims among `jobs` (still running under this worker and this attempt). */
const heldBy = (workerId: string, jobs: Held[]) => (eb: ExpressionBuilder<Database, 'outbox_jobs'>) => eb.and([
  eb('status', '=', 'running'), eb('locked_by', '=', workerId),
  eb.or(jobs.map((j) => eb.and([eb('id', '=', j.id), eb('attempts', '=', j.attempts)]))),
]);

/**
 * Extends the leases of jobs this worker is running; answers the ids it still holds. A job missing from
 * the answer was taken over (its lease ran out while this worker stalled): its run must not report.
 */
export async function renew(db: Db, workerId: string, jobs: Held[], leaseMs: number): Promise<Set<number>> {
  if (jobs.length === 0) return new Set();
  const rows = await db.updateTable('outbox_jobs').set({ locked_until: sql`now() + ${leaseMs} * interval '1 millisecond'` })
    .where(heldBy(workerId, jobs)).returning('id').execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Marks jobs done (several in one statement) only where this worker still holds that claim: a run whose
 * lease was lost and taken over must not overwrite. Answers, per job, whether it was marked.
 */
export async function completeMany(db: Db, jobs: Held[], workerId: string): Promise<boolean[]> {
  const rows = await db.updateTable('outbox_jobs').set({ status: 'done', done_at: sql`now()`, locked_until: null, updated_at: sql`now()` })
    .where(heldBy(workerId, jobs)).returning('id').execute();
  const done = new Set(rows.map((r) => r.id));
  return jobs.map((j) => done.has(j.id));
}

export async function retry(db: Db, job: Held, workerId: string, delayMs: number, error: string, countAttempt: boolean): Promise<void> {
  await db.updateTable('outbox_jobs').set({
    status: 'pending', run_at: sql`now() + ${delayMs} * interval '1 millisecond'`, locked_until: null, last_error: error.slice(0, 2000),
    // An attempt that did not count extends the budget rather than lowering `attempts` (which keeps a
    // claimed job out of the fresh-job coalescing index).
    updated_at: sql`now()`, ...(countAttempt ? {} : { max_attempts: sql`max_attempts + 1` }),
  }).where(heldBy(workerId, [job])).execute();
}

export async function deadLetter(db: Db, job: Held, workerId: string, error: string): Promise<boolean> {
  const r = await db.updateTable('outbox_jobs').set({ status: 'dead', locked_until: null, last_error: error.slice(0, 2000), updated_at: sql`now()` })
    .where(heldBy(workerId, [job])).executeTakeFirst();
  return r.numUpdatedRows > 0n;
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
