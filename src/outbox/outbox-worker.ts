import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { ExternalServiceError } from '../core/errors.ts';
import { Doorbell } from '../scheduler/doorbell.ts';
import type { Database, OutboxJobRow } from '../db/database.ts';
import { isDatabaseUnavailable } from '../db/db-errors.ts';
import { GroupBatcher } from '../db/group-batcher.ts';
import type { AppJobSchemas } from '../jobs/job-kinds.ts';
import { parseJob, type JobOf, type JobSchemas } from '../jobs/job-schema.ts';
import { backoffMs } from './backoff.ts';
import { RetryLater } from './job-errors.ts';
import * as outboxRepo from './outbox-repo.ts';

/** A claimed job's run: what a handler gets besides its payload. */
export interface JobRun {
  id: number;
  tenantId: string;
  idempotencyKey: string;
  attempts: number;
  /** Aborted when the run times out or its lease is lost: stop and leave the job to its next run. */
  signal: AbortSignal;
}

/** A claimed job whose payload matched its kind's schema. */
export type OutboxJob<S extends JobSchemas = AppJobSchemas> = JobRun & JobOf<S>;

/** Runs one kind's jobs, given the checked payload. Must be idempotent: a job may run again after a crash or a lost lease. */
export type JobHandler<P> = (payload: P, job: JobRun) => Promise<void>;

/** One handler per kind of the set, taking that kind's payload: a kind without a handler does not compile. */
export type JobHandlers<S extends JobSchemas = AppJobSchemas> = { [K in keyof S]: JobHandler<z.output<S[K]>> };

export interface OutboxWorkerOptions<S extends JobSchemas = AppJobSchemas> {
  db: Kysely<Database>;
  /** The kinds this worker runs and the schema of each payload, checked when a job is claimed. */
  schemas: S;
  handlers: JobHandlers<S>;
  logger: Logger;
  workerId: string;
  concurrency: number;
  /** A claim lasts this long unless renewed; the worker renews it every third of it while the job runs. */
  leaseMs: number;
  /** A run that takes longer is abandoned (its signal aborted) and retried with backoff. */
  timeoutMs?: number;
  pollMs: number;
  onJobDone?: (kind: string, outcome: 'done' | 'retry' | 'dead', ms: number) => void;
  /**
   * A job gave up (non-retryable error or attempts used up): lets its owner record the failure. Not called for a
   * job whose payload did not match its schema (there is nothing typed to record it against; the row and the log say it).
   */
  onDeadLetter?: (job: OutboxJob<S>, error: string, cause?: unknown) => Promise<void>;
}

/** How often a running worker also looks for jobs whose lease expired (their worker died). */
const EXPIRED_LEASE_CHECK_MS = 1000;
const DEFAULT_TIMEOUT_MS = 60_000;

/** A run that went on too long, or whose lease another worker has taken over. */
class RunAbandoned extends ExternalServiceError {
  constructor(code: 'outbox.timeout' | 'outbox.lease_lost', message: string) {
    super('outbox', code, message, { retryable: true });
  }
}

/** Claims jobs with SKIP LOCKED, runs them with bounded concurrency, retries with backoff, dead-letters. */
export class OutboxWorker<S extends JobSchemas = AppJobSchemas> {
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly bell = new Doorbell();
  private loop: Promise<void> | null = null;
  private expiredCheckedAt = 0;
  /** Jobs finishing together are marked done in one statement. */
  private readonly completions: GroupBatcher<outboxRepo.Held, boolean>;
  /** The claims this worker is running, with the means to abandon each. */
  private readonly held = new Map<number, { attempts: number; abort: AbortController }>();
  private heartbeat: NodeJS.Timeout | null = null;
  private renewing = false;
  /** The database failed under a claim or a run's bookkeeping: some of this worker's claims may be orphaned. */
  private orphansSuspected = false;

  constructor(private readonly o: OutboxWorkerOptions<S>) {
    this.completions = new GroupBatcher({ maxInFlight: 1, maxBatch: 64, run: (jobs) => outboxRepo.completeMany(o.db, jobs, o.workerId) });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    this.startHeartbeat();
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(20, Math.floor(this.o.leaseMs / 3)));
    this.heartbeat.unref();
  }

  /** Keeps the leases of running jobs; a job whose lease was taken over is abandoned (it must not report). */
  private async renewLeases(): Promise<void> {
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    try {
      const jobs = [...this.held].map(([id, h]) => ({ id, attempts: h.attempts }));
      const kept = await outboxRepo.renew(this.o.db, this.o.workerId, jobs, this.o.leaseMs);
      for (const j of jobs) {
        const h = this.held.get(j.id);
        if (kept.has(j.id) || !h || h.attempts !== j.attempts) continue;
        this.o.logger.warn({ jobId: j.id, attempts: j.attempts }, 'outbox lease lost (taken over after a stall); abandoning the run');
        h.abort.abort(new RunAbandoned('outbox.lease_lost', 'the lease was lost while the job ran'));
      }
    } catch (e: unknown) {
      this.o.logger.warn({ err: e }, 'outbox lease renewal failed');
    } finally {
      this.renewing = false;
    }
  }

  /** New work was enqueued by this process: look now instead of at the next poll. */
  kick(): void {
    this.bell.ring();
  }

  /** Stops claiming, then waits for in-flight jobs (graceful shutdown). */
  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  /** Runs until no due job is left (tests, CLI). */
  async drain(maxRounds = 1000): Promise<number> {
    this.startHeartbeat();
    let n = 0;
    for (let i = 0; i < maxRounds; i++) {
      const jobs = await outboxRepo.claim(this.o.db, this.o.workerId, this.o.concurrency, this.o.leaseMs);
      if (jobs.length === 0) return n;
      await Promise.all(jobs.map((j) => this.execute(j)));
      n += jobs.length;
    }
    return n;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const free = this.o.concurrency - this.inFlight.size;
      let claimed: OutboxJobRow[] = [];
      if (free > 0) {
        try {
          const orphans = this.orphansSuspected;
          const expired = orphans || Date.now() - this.expiredCheckedAt >= EXPIRED_LEASE_CHECK_MS;
          if (expired) this.expiredCheckedAt = Date.now();
          this.orphansSuspected = false;
          claimed = await outboxRepo.claim(this.o.db, this.o.workerId, free, this.o.leaseMs, { expired, orphans, holding: [...this.held.keys()] });
        } catch (e: unknown) {
          // A claim may have committed with its answer lost: take those jobs back once the database answers again.
          if (isDatabaseUnavailable(e)) this.orphansSuspected = true;
          this.o.logger.error({ err: e }, 'outbox claim failed');
        }
      }
      for (const job of claimed) {
        const p = this.execute(job).finally(() => { this.inFlight.delete(p); this.kick(); });
        this.inFlight.add(p);
      }
      if (claimed.length === 0 || this.inFlight.size >= this.o.concurrency) await this.bell.wait(this.o.pollMs);
    }
  }

  /** Never rejects: if even the bookkeeping fails (database down), the job runs again after its lease. */
  private async execute(row: OutboxJobRow): Promise<void> {
    try {
      await this.runJob(row);
    } catch (e: unknown) {
      if (isDatabaseUnavailable(e)) this.orphansSuspected = true;
      this.o.logger.error({ err: e, jobId: row.id, kind: row.kind }, 'outbox bookkeeping failed; the job runs again after its lease (at once if the database dropped it)');
    }
  }

  private async runJob(row: OutboxJobRow): Promise<void> {
    const started = Date.now();
    const abort = new AbortController();
    const claim: outboxRepo.Held = { id: row.id, attempts: row.attempts };
    this.held.set(row.id, { attempts: row.attempts, abort });
    const run: JobRun = { id: row.id, tenantId: row.tenant_id, idempotencyKey: row.idempotency_key, attempts: row.attempts, signal: abort.signal };
    const { db, workerId, logger } = this.o;
    let job: OutboxJob<S> | undefined;
    try {
      // A kind this worker does not know, or a payload its kind's schema refuses, cannot succeed by retrying.
      const parsed = parseJob(this.o.schemas, row.kind, row.payload);
      if (!parsed.ok) throw new ExternalServiceError('outbox', `outbox.${parsed.reason}`, parsed.error, { retryable: false });
      job = { ...run, ...parsed.job };
      if (row.attempts > row.max_attempts) throw new ExternalServiceError('outbox', 'outbox.lease_lost', 'lease expired on every attempt', { retryable: false });
      // The handler of the parsed kind, given the payload its schema produced (the map's type pairs them up).
      const handler = this.o.handlers[parsed.job.kind] as JobHandler<unknown>;
      await this.runBounded(() => handler(parsed.job.payload, run), abort);
      await this.completions.submit(claim);
      this.o.onJobDone?.(row.kind, 'done', Date.now() - started);
    } catch (e: unknown) {
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      if (e instanceof RetryLater) {
        await outboxRepo.retry(db, claim, workerId, e.delayMs, msg, false);
        return;
      }
      if (isDatabaseUnavailable(e)) {
        // The database dropped the connection under the job (its own writes rolled back): not the job's fault, so
        // the attempt does not count; the backoff still spaces the runs while the database is away.
        logger.warn({ err: e, jobId: row.id, kind: row.kind, attempts: row.attempts }, 'outbox job interrupted by the database; will run again');
        await outboxRepo.retry(db, claim, workerId, backoffMs(row.attempts), msg, false);
        this.o.onJobDone?.(row.kind, 'retry', Date.now() - started);
        return;
      }
      const retryable = !(e instanceof ExternalServiceError) || e.retryable;
      if (!retryable || row.attempts >= row.max_attempts) {
        // Only the holder of this claim dead-letters: a run that lost its lease leaves the job to its new holder.
        if (!(await outboxRepo.deadLetter(db, claim, workerId, msg))) return;
        logger.error({ err: e, jobId: row.id, kind: row.kind, attempts: row.attempts }, 'outbox job dead-lettered');
        if (job) await this.o.onDeadLetter?.(job, msg, e).catch((err: unknown) => logger.error({ err, jobId: row.id }, 'dead-letter hook failed'));
        this.o.onJobDone?.(row.kind, 'dead', Date.now() - started);
        return;
      }
      // A dependency's "retry after" replaces the backoff, except a platform's rate limit: its reset (a second)
      // is a floor there, so continuous throttling does not use up every attempt within a minute.
      const after = e instanceof ExternalServiceError ? e.retryAfterMs : undefined;
      const delay = after === undefined ? backoffMs(row.attempts) : e instanceof ExternalServiceError && e.throttled ? Math.max(after, backoffMs(row.attempts)) : after;
      logger.warn({ err: e, jobId: row.id, kind: row.kind, attempts: row.attempts, delayMs: delay }, 'outbox job failed, will retry');
      await outboxRepo.retry(db, claim, workerId, delay, msg, true);
      this.o.onJobDone?.(row.kind, 'retry', Date.now() - started);
    } finally {
      if (this.held.get(row.id)?.abort === abort) this.held.delete(row.id);
    }
  }

  /**
   * Runs a handler until it settles, its time is up, or its lease is lost, whichever comes first. On the
   * last two its signal is aborted and the run is abandoned: the handler may still be winding down, but
   * its slot is free and the job goes back to the queue (handlers are idempotent).
   */
  private async runBounded(handle: () => Promise<void>, abort: AbortController): Promise<void> {
    const ms = this.o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      timer = setTimeout(() => abort.abort(new RunAbandoned('outbox.timeout', `the job ran over ${ms} ms`)), ms);
      onAbort = () => reject(abort.signal.reason);
      abort.signal.addEventListener('abort', onAbort, { once: true });
    });
    stopped.catch(() => undefined);
    try {
      await Promise.race([handle(), stopped]);
    } finally {
      clearTimeout(timer);
      if (onAbort) abort.signal.removeEventListener('abort', onAbort);
    }
  }
}
