import type { Kysely } from 'kysely';
import type { InboundEvent } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import { eventKey, insertEvent, recordEvents } from './inbox-repo.ts';

interface Waiter { e: InboundEvent; resolve: (id: number | null) => void; reject: (err: unknown) => void }

/** Inserts in flight at once; arrivals meanwhile wait and go in the next multi-row insert. */
const MAX_IN_FLIGHT = 2;
/** Rows per insert: bounds statement size (a payload is ~1 KB). */
const MAX_BATCH = 256;

/**
 * Stores inbound messages as `insertEvent(…, 'pending')` does, but concurrent arrivals share one call of
 * inbox_record() (one multi-row INSERT … ON CONFLICT DO NOTHING, one round trip, one commit). At low load every
 * event is inserted alone and at once; under load, events that arrive while an insert is in flight go together in
 * the next one. Same result per event: its new inbox id, or null when (source, event id) is already stored (a
 * redelivery).
 */
export class InboxBatcher {
  private queue: Waiter[] = [];
  private inFlight = 0;

  constructor(private readonly db: Kysely<Database>) {}

  insert(e: InboundEvent): Promise<number | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ e, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight += 1;
      void this.flush(batch).finally(() => { this.inFlight -= 1; this.pump(); });
    }
  }

  private async flush(batch: Waiter[]): Promise<void> {
    const first = new Map<string, InboundEvent>();
    for (const w of batch) if (!first.has(keyOf(w.e))) first.set(keyOf(w.e), w.e);
    // Rows in key order: two replicas inserting overlapping batches then take the unique-index locks in the same
    // order and cannot deadlock.
    const events = [...first.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
    let ids: Map<string, number>;
    try {
      ids = await recordEvents(this.db, events, 'pending');
    } catch (err: unknown) {
      if (events.length === 1) { for (const w of batch) w.reject(err); return; }
      // Contain a failed batch (e.g. one bad row): store each event on its own, so only that one fails.
      await Promise.all(batch.map((w) => insertEvent(this.db, w.e, 'pending').then(w.resolve, w.reject)));
      return;
    }
    const answered = new Set<string>();
    for (const w of batch) {
      const k = keyOf(w.e);
      // A second copy of an event in the same batch is a redelivery of the first.
      w.resolve(answered.has(k) ? null : (ids.get(k) ?? null));
      answered.add(k);
    }
  }
}

const keyOf = (e: InboundEvent): string => eventKey(e.source, e.eventId);
