import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Doorbell } from '../scheduler/doorbell.ts';
import type { Database } from '../db/database.ts';
import { isDatabaseUnavailable, isValueRejected } from '../db/db-errors.ts';
import * as inboxRepo from './inbox-repo.ts';
import type { InboxRow } from './inbox-repo.ts';

/** Handles one stored event; must mark it done inside the transaction that applies its effects. */
export type InboxHandler = (row: InboxRow) => Promise<void>;

export interface InboxWorkerOptions {
  db: Kysely<Database>;
  handle: InboxHandler;
  logger: Logger;
  workerId: string;
  concurrency: number;
  pollMs: number;
  maxAttempts: number;
}

/** How long a worker owns a conversation; longer than a slow LLM turn. */
const CONVERSATION_LEASE_MS = 60_000;

/** Drains pending inbox events conversation by conversation, in order, one worker per conversation cluster-wide. */
export class InboxWorker {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly active = new Map<string, Promise<void>>();
  private readonly bell = new Doorbell();

  constructor(private readonly o: InboxWorkerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  kick(): void {
    this.bell.ring();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    await this.loop;
    await Promise.allSettled([...this.active.values()]);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let started = 0;
      try {
        const free = this.o.concurrency - this.active.size;
        if (free > 0) {
          const keys = (await inboxRepo.pendingConversations(this.o.db, free * 4, this.o.workerId)).filter((k) => !this.active.has(k));
          for (const key of keys.slice(0, free)) {
            const p = this.drainConversation(key).then((handled) => {
              this.active.delete(key);
              // Look again at once only if this made progress (a conversation held elsewhere waits for the poll).
              if (handled > 0) this.kick();
            }, (e: unknown) => {
              this.active.delete(key);
              this.o.logger.error({ err: e, key }, 'inbox conversation drain failed');
            });
            this.active.set(key, p);
            started++;
          }
        }
      } catch (e: unknown) {
        this.o.logger.error({ err: e }, 'inbox poll failed');
      }
      if (started === 0) await this.bell.wait(this.o.pollMs);
    }
  }

  /**
   * Handles a conversation's pending events in order under its lease; answers how many it handled. The
   * lease is renewed as the drain goes on (a long run of slow LLM turns), and the drain stops if it was
   * taken over meanwhile.
   */
  private async drainConversation(key: string): Promise<number> {
    const { db, workerId, logger } = this.o;
    if (!(await inboxRepo.acquireLease(db, key, workerId, CONVERSATION_LEASE_MS))) return 0;
    let leasedAt = Date.now();
    let handled = 0;
    try {
      for (;;) {
        const rows = await inboxRepo.pendingEvents(db, key, 20);
        if (rows.length === 0) return handled;
        for (const row of rows) {
          if (Date.now() - leasedAt > CONVERSATION_LEASE_MS / 3) {
            if (!(await inboxRepo.acquireLease(db, key, workerId, CONVERSATION_LEASE_MS))) {
              logger.warn({ key }, 'conversation lease taken over; leaving the rest to its holder');
              return handled;
            }
            leasedAt = Date.now();
          }
          try {
            await this.o.handle(row);
            handled++;
          } catch (e: unknown) {
            if (e instanceof inboxRepo.EventAlreadyHandled) {
              logger.info({ inboxId: row.id, key }, 'inbox event already handled elsewhere; nothing written');
              continue;
            }
            if (isDatabaseUnavailable(e)) {
              // The database dropped the connection: the turn's transaction rolled back and the event is not at fault,
              // so it stays pending without using up an attempt and runs again at the next poll.
              logger.warn({ err: e, inboxId: row.id, eventId: row.event.eventId }, 'inbox event interrupted by the database; will run again');
              return handled;
            }
            logger.error({ err: e, inboxId: row.id, eventId: row.event.eventId }, 'inbox event failed');
            // A value the database refuses fails the same way every time: failed now, not after maxAttempts runs.
            const attempts = isValueRejected(e) ? 0 : this.o.maxAttempts;
            await inboxRepo.markAttemptFailed(db, row.id, e instanceof Error ? e.message : String(e), attempts);
            return handled; // keep order: later events of this conversation wait for this one
          }
        }
      }
    } finally {
      await inboxRepo.releaseLease(db, key, workerId).catch((e: unknown) => logger.warn({ err: e }, 'lease release failed'));
    }
  }
}
