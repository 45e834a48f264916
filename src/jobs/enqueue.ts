import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { AppJobSchemas } from './job-kinds.ts';
import type { JobOf, JobSchemas } from './job-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * A job to enqueue: one of the app's kinds with the payload that kind takes (job-kinds.ts). A test of the worker's
 * mechanics names its own set of kinds (`NewJob<typeof testKinds>`, `enqueue<typeof testKinds>(…)`).
 */
export type NewJob<S extends JobSchemas = AppJobSchemas> = JobOf<S> & JobMeta;

export interface JobMeta {
  tenantId: string;
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
 * A job as outbox_enqueue() (src/db/sql/outbox_enqueue.v1.sql), the one writer of outbox_jobs, takes it: built
 * here only, for enqueue() and for commit_request_change()'s jobs (src/workflow/request-commit.ts).
 */
export interface JobRow {
  tenant_id: string; kind: string; payload: unknown; key: string; queue_key: string | null; coalesce_key: string | null; run_at: Date | null;
}

export function jobRow(j: NewJob<JobSchemas>): JobRow {
  return {
    tenant_id: j.tenantId, kind: j.kind, payload: j.payload, key: j.idempotencyKey, queue_key: j.queueKey ?? null,
    coalesce_key: j.coalesceKey ?? null, run_at: j.runAt ?? null,
  };
}

/**
 * Writes jobs in the caller's transaction, in one statement (outbox_enqueue()): they exist iff the state change
 * that caused them commits. A job with a coalesce key that finds an untouched one waiting touches it instead (DO
 * UPDATE), which locks it until this transaction commits: workers (SKIP LOCKED) pass it by until then, so it
 * renders the committed state rather than the one before (see migration 2026_11_23_0400_coalesce_lock).
 */
export async function enqueue<S extends JobSchemas = AppJobSchemas>(trx: Db, jobs: NoInfer<NewJob<S>>[], maxAttempts: number): Promise<void> {
  if (jobs.length === 0) return;
  await sql`select outbox_enqueue(${JSON.stringify(jobs.map(jobRow))}::jsonb, ${maxAttempts}::int)`.execute(trx);
}
