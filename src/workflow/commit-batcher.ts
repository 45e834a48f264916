import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { CommitOutcome, CommitPayload } from './request-commit.ts';

export interface CommitBatcherOptions {
  /** Batches on the wire at once; changes arriving meanwhile wait and go together in the next one. */
  maxInFlight: number;
  /** Most changes in one batch. */
  maxBatch: number;
  /** Told the size of every batch sent (metrics). */
  onBatch?: (size: number) => void;
}

interface Waiting { payload: CommitPayload; resolve: (o: CommitOutcome) => void; reject: (e: unknown) => void }

/**
 * Group commit for request state changes. A change that arrives while fewer than `maxInFlight` batches
 * are running goes out at once (no added latency when the system is quiet); under load, the changes
 * that arrive while batches are running share the next transaction: one round trip and one WAL flush
 * for many clicks. commit_request_changes() applies them in request-id order and reports each outcome
 * ('written', 'stale', 'duplicate') separately: a lost race in one change does not affect the others.
 *
 * If a batch fails as a whole (an unexpected error in one change, a connection lost), each of its
 * changes is retried alone, so only the change at fault fails and the rest are written.
 */
export class CommitBatcher {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly db: Kysely<Database>, private readonly o: CommitBatcherOptions) {}

  commit(payload: CommitPayload): Promise<CommitOutcome> {
    return new Promise<CommitOutcome>((resolve, reject) => {
      this.queue.push({ payload, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.o.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.o.maxBatch);
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(batch: Waiting[]): Promise<void> {
    try {
      const outcomes = await this.apply(batch.map((w) => w.payload));
      batch.forEach((w, i) => w.resolve(outcomes[i] ?? 'stale'));
    } catch (e: unknown) {
      if (batch.length === 1) {
        batch[0]?.reject(e);
        return;
      }
      // Nothing of the batch was written (one transaction). Each change alone: only the faulty one fails.
      await Promise.all(batch.map(async (w) => {
        try {
          w.resolve((await this.apply([w.payload]))[0] ?? 'stale');
        } catch (err: unknown) {
          w.reject(err);
        }
      }));
    }
  }

  private async apply(payloads: CommitPayload[]): Promise<CommitOutcome[]> {
    this.o.onBatch?.(payloads.length);
    const res = await sql<{ outcomes: CommitOutcome[] }>`select commit_request_changes(${JSON.stringify(payloads)}::jsonb) as outcomes`.execute(this.db);
    const outcomes = res.rows[0]?.outcomes;
    if (!outcomes || outcomes.length !== payloads.length) throw new Error(`commit_request_changes answered ${outcomes?.length ?? 0} outcomes for ${payloads.length} changes`);
    return outcomes;
  }
}
