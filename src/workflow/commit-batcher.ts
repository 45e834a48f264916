import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { GroupBatcher } from '../db/group-batcher.ts';
import type { CommitOutcome, CommitPayload } from './request-commit.ts';

export interface CommitBatcherOptions {
  /** Batches on the wire at once; changes arriving meanwhile wait and go together in the next one. */
  maxInFlight: number;
  /** Most changes in one batch. */
  maxBatch: number;
  /** Told the size of every batch sent (metrics). */
  onBatch?: (size: number) => void;
}

/**
 * Group commit for request state changes: the changes that arrive while earlier batches are on the wire
 * share one transaction, one round trip and one WAL flush. commit_request_changes() applies them in
 * request-id order and reports each outcome ('written', 'stale', 'duplicate') separately, so a lost race
 * in one change does not affect the others. A batch that fails as a whole (an unexpected error in one
 * change, a lost connection) wrote nothing and is re-run change by change: only the change at fault fails.
 */
export class CommitBatcher {
  private readonly batches: GroupBatcher<CommitPayload, CommitOutcome>;

  constructor(db: Kysely<Database>, o: CommitBatcherOptions) {
    this.batches = new GroupBatcher({ ...o, run: async (payloads) => {
      const res = await sql<{ outcomes: CommitOutcome[] }>`select commit_request_changes(${JSON.stringify(payloads)}::jsonb) as outcomes`.execute(db);
      return res.rows[0]?.outcomes ?? [];
    } });
  }

  commit(payload: CommitPayload): Promise<CommitOutcome> {
    return this.batches.submit(payload);
  }
}
