import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { ExternalServiceError } from '../core/errors.ts';
import { Doorbell } from '../scheduler/doorbell.ts';
import type { Database, OutboxJobRow } from '../db/database.ts';
import { GroupBatcher } from '../db/group-batcher.ts';
import { backoffMs } from './backoff.ts';
import { RetryLater } from './job-errors.ts';
import * as outboxRepo from './outbox-repo.ts';

export interface OutboxJob {
  id: number;
  tenantId: string;
  kind: string;
  payload: unknown;
  idempotencyKey: string;
  attempts: number;
}

/** One handler per job kind. Must be idempotent: a job may run again after a crash or a lost lease. */
export type JobHandler = (job: OutboxJob) => Promise<void>;

export interface OutboxWorkerOptions {
  db: Kysely<Database>;
  handlers: Record<string, JobHandler>;
  logger: Logger;
  workerId: string;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  onJobDone?: (kind: string, outcome: 'done' | 'retry' | 'dead', ms: number) => void;
  /** A job gave up (non-retryable error or attempts used up): lets its owner record the failure. */
  onDeadLetter?: (job: OutboxJob, error: string) => Promise<void>;
}

/** How often a running worker also looks for jobs whose lease expired (their worker died). */
const EXPIRED_LEASE_CHECK_MS = 1000;

/** Claims jobs with SKIP LOCKED, runs them with bounded concurrency, retries with backoff, dead-letters. */
export class OutboxWorker {
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly bell = new Doorbell();
  private loop: Promise<void> | null = null;
  private expiredCheckedAt = 0;
  /** Jobs finishing together are marked done in one statement. */
  private readonly completions: GroupBatcher<number, boolean>;

  constructor(private readonly o: OutboxWorkerOptions) {
    this.completions = new GroupBatcher({ maxInFlight: 1, maxBatch: 64, run: (ids) => outboxRepo.completeMany(o.db, ids, o.workerId) });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
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
  }

  /** Runs until no due job is left (tests, CLI). */
  async drain(maxRounds = 1000): Promise<number> {
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
          const expired = Date.now() - this.expiredCheckedAt >= EXPIRED_LEASE_CHECK_MS;
          if (expired) this.expiredCheckedAt = Date.now();
          claimed = await outboxRepo.claim(this.o.db, this.o.workerId, free, this.o.leaseMs, { expired });
        } catch (e: unknown) {
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

  private async execute(row: OutboxJobRow): Promise<void> {
    const started = Date.now();
    const job: OutboxJob = { id: row.id, tenantId: row.tenant_id, kind: row.kind, payload: row.payload, idempotencyKey: row.idempotency_key, attempts: row.attempts };
    const { db, workerId, logger } = this.o;
    const handler = this.o.handlers[row.kind];
    try {
      if (!handler) throw new ExternalServiceError('outbox', 'outbox.unknown_kind', `no handler for job kind "${row.kind}"`, { retryable: false });
      if (row.attempts > row.max_attempts) throw new ExternalServiceError('outbox', 'outbox.lease_lost', 'lease expired on every attempt', { retryable: false });
      await handler(job);
      await this.completions.submit(row.id);
      this.o.onJobDone?.(row.kind, 'done', Date.now() - started);
    } catch (e: unknown) {
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      if (e instanceof RetryLater) {
        await outboxRepo.retry(db, row.id, workerId, e.delayMs, msg, false);
        return;
      }
      const retryable = !(e instanceof ExternalServiceError) || e.retryable;
      if (!retryable || row.attempts >= row.max_attempts) {
        logger.error({ err: e, jobId: row.id, kind: row.kind, attempts: row.attempts }, 'outbox job dead-lettered');
        await outboxRepo.deadLetter(db, row.id, workerId, msg);
        await this.o.onDeadLetter?.(job, msg).catch((err: unknown) => logger.error({ err, jobId: row.id }, 'dead-letter hook failed'));
        this.o.onJobDone?.(row.kind, 'dead', Date.now() - started);
        return;
      }
      const delay = e instanceof ExternalServiceError && e.retryAfterMs !== undefined ? e.retryAfterMs : backoffMs(row.attempts);
      logger.warn({ err: e, jobId: row.id, kind: row.kind, attempts: row.attempts, delayMs: delay }, 'outbox job failed, will retry');
      await outboxRepo.retry(db, row.id, workerId, delay, msg, true);
      this.o.onJobDone?.(row.kind, 'retry', Date.now() - started);
    }
  }
}
