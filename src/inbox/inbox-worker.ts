import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Doorbell } from '../scheduler/doorbell.ts';
import type { Database } from '../db/database.ts';
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
          const keys = (await inboxRepo.pendingConversations(this.o.db, free * 4)).filter((k) => !this.active.has(k));
          for (const key of keys.slice(0, free)) {
            const p = this.drainConversation(key).finally(() => { this.active.delete(key); this.kick(); });
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

  private async drainConversation(key: string): Promise<void> {
    const { db, workerId, logger } = this.o;
    if (!(await inboxRepo.acquireLease(db, key, workerId, CONVERSATION_LEASE_MS))) return;
    try {
      for (;;) {
        const rows = await inboxRepo.pendingEvents(db, key, 20);
        if (rows.length === 0) return;
        for (const row of rows) {
          try {
            await this.o.handle(row);
          } catch (e: unknown) {
            logger.error({ err: e, inboxId: row.id, eventId: row.event.eventId }, 'inbox event failed');
            await inboxRepo.markAttemptFailed(db, row.id, e instanceof Error ? e.message : String(e), this.o.maxAttempts);
            return; // keep order: later events of this conversation wait for this one
          }
        }
      }
    } finally {
      await inboxRepo.releaseLease(db, key, workerId).catch((e: unknown) => logger.warn({ err: e }, 'lease release failed'));
    }
  }
}
