import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.ts';

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

/**
 * Writes jobs in the caller's transaction: they exist iff the state change that caused them commits.
 * A job with a coalesce key that finds an untouched one waiting touches it instead (DO UPDATE), which
 * locks it until this transaction commits: workers (SKIP LOCKED) pass it by until then, so it renders
 * the committed state rather than the one before (see migration 2026_11_23_0400_coalesce_lock).
 */
export async function enqueue(trx: Db, jobs: NewJob[], maxAttempts: number): Promise<void> {
  const row = (j: NewJob) => ({
    tenant_id: j.tenantId, kind: j.kind, payload: JSON.stringify(j.payload), idempotency_key: j.idempotencyKey, queue_key: j.queueKey ?? null,
    coalesce_key: j.coalesceKey ?? null, max_attempts: maxAttempts, ...(j.runAt ? { run_at: j.runAt } : {}),
  });
  const plain = jobs.filter((j) => !j.coalesceKey);
  let coalesced = [...new Map(jobs.filter((j) => j.coalesceKey).map((j) => [j.coalesceKey, j])).values()];
  if (plain.length) await trx.insertInto('outbox_jobs').values(plain.map(row)).onConflict((oc) => oc.doNothing()).execute();
  if (coalesced.length) {
    // Same idempotency key: the same job, skipped (the DO UPDATE arbiter below is the coalesce index only).
    const known = await trx.selectFrom('outbox_jobs').select('idempotency_key').where('idempotency_key', 'in', coalesced.map((j) => j.idempotencyKey)).execute();
    const skip = new Set(known.map((k) => k.idempotency_key));
    coalesced = coalesced.filter((j) => !skip.has(j.idempotencyKey));
  }
  if (coalesced.length) {
    await trx.insertInto('outbox_jobs').values(coalesced.map(row))
      .onConflict((oc) => oc.column('coalesce_key').where('status', '=', 'pending').where('attempts', '=', 0).doUpdateSet({ updated_at: sql`now()` }))
      .execute();
  }
}
