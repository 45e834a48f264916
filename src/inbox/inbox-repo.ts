import { sql, type Kysely, type Transaction } from 'kysely';
import type { InboundEvent } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface InboxRow { id: number; tenantId: string; event: InboundEvent; attempts: number }

/** Conversation = one sender on one bot: its messages are handled one at a time, in order. */
export function conversationKey(e: InboundEvent): string {
  return `${e.platform}:${e.botId}:${e.sender.externalId}`;
}

/**
 * An event as inbox_record() (src/db/sql/inbox_record.v1.sql), the one writer of inbox_events, stores it:
 * built here only, for recordEvents() and for commit_request_change()'s inbound event (request-commit.ts).
 */
export interface InboxEventRow { tenant_id: string; source: string; event_id: string; kind: string; conversation_key: string; payload: InboundEvent }

export function inboxRow(e: InboundEvent): InboxEventRow {
  return { tenant_id: e.tenantId, source: e.source, event_id: e.eventId, kind: e.kind, conversation_key: conversationKey(e), payload: e };
}

/** An event's identity in the inbox: one row per (source, event id). */
export const eventKey = (source: string, eventId: string): string => `${source}\u0000${eventId}`;

/**
 * Stores events once per (source, event id), in the order given, in one statement (inbox_record()). Answers the
 * new inbox id of each event it stored, by eventKey(); a redelivery (already on file) has none.
 */
export async function recordEvents(db: Db, events: InboundEvent[], status: 'pending' | 'done'): Promise<Map<string, number>> {
  const r = await sql<{ inbox_id: number; inbox_source: string; inbox_event_id: string }>`
    select inbox_id, inbox_source, inbox_event_id from inbox_record(${JSON.stringify(events.map(inboxRow))}::jsonb, ${status})`.execute(db);
  return new Map(r.rows.map((x) => [eventKey(x.inbox_source, x.inbox_event_id), x.inbox_id]));
}

/** Stores an inbound event once per (source, event id). Returns its inbox id, or null for a redelivery. */
export async function insertEvent(db: Db, e: InboundEvent, status: 'pending' | 'done'): Promise<number | null> {
  return (await recordEvents(db, [e], status)).get(eventKey(e.source, e.eventId)) ?? null;
}

/** A card action (or any event) already recorded: a redelivery of it is answered "already handled" and does nothing. */
export async function eventSeen(db: Db, e: InboundEvent): Promise<boolean> {
  const r = await db.selectFrom('inbox_events').select('id').where('source', '=', e.source).where('event_id', '=', e.eventId).executeTakeFirst();
  return r !== undefined;
}

/** The event was recorded by another delivery of it first: the transaction that tried to record it must not commit. */
export class EventRecordedMeanwhile extends Error {
  readonly code = 'inbox.already_handled';
  constructor(e: InboundEvent) {
    super(`event ${e.source}:${e.eventId} was already handled`);
    this.name = 'EventRecordedMeanwhile';
  }
}

/**
 * Records a card action as handled inside the transaction of its effect, so the two commit together or
 * not at all: a click whose effect failed is not marked handled, and its redelivery acts. When another
 * delivery recorded it first (they raced), it throws EventRecordedMeanwhile, which rolls this one back.
 */
export async function recordHandled(trx: Db, e: InboundEvent): Promise<void> {
  if ((await insertEvent(trx, e, 'done')) === null) throw new EventRecordedMeanwhile(e);
}

/** Conversations with pending events, oldest first, leaving out those another worker holds a lease on. */
export async function pendingConversations(db: Db, limit: number, owner: string): Promise<string[]> {
  const rows = await db.selectFrom('inbox_events as e').select(['e.conversation_key', (eb) => eb.fn.min('e.id').as('first')])
    .where('e.status', '=', 'pending')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('conversation_leases as l').select('l.key')
      .whereRef('l.key', '=', 'e.conversation_key').where('l.owner', '<>', owner).where('l.until', '>', sql<Date>`now()`))))
    .groupBy('e.conversation_key').orderBy('first').limit(limit).execute();
  return rows.map((r) => r.conversation_key);
}

/** A lease on a conversation in Postgres: one worker in the whole cluster handles it at a time. */
export async function acquireLease(db: Db, key: string, owner: string, leaseMs: number): Promise<boolean> {
  const r = await sql<{ owner: string }>`
    insert into conversation_leases (key, owner, until) values (${key}, ${owner}, now() + ${leaseMs} * interval '1 millisecond')
    on conflict (key) do update set owner = excluded.owner, until = excluded.until
    where conversation_leases.until < now() or conversation_leases.owner = excluded.owner
    returning owner`.execute(db);
  return r.rows.length > 0;
}

export async function releaseLease(db: Db, key: string, owner: string): Promise<void> {
  await db.deleteFrom('conversation_leases').where('key', '=', key).where('owner', '=', owner).execute();
}

export async function pendingEvents(db: Db, key: string, limit: number): Promise<InboxRow[]> {
  const rows = await db.selectFrom('inbox_events').select(['id', 'tenant_id', 'payload', 'attempts'])
    .where('conversation_key', '=', key).where('status', '=', 'pending').orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, event: reviveEvent(r.payload), attempts: r.attempts }));
}

function reviveEvent(payload: unknown): InboundEvent {
  const e = payload as InboundEvent & { receivedAt: string | Date };
  return { ...e, receivedAt: new Date(e.receivedAt) };
}

/** The event was handled meanwhile (by a worker that took over this conversation): its transaction must not commit. */
export class EventAlreadyHandled extends Error {
  constructor(id: number) {
    super(`inbox event ${id} was already handled`);
    this.name = 'EventAlreadyHandled';
  }
}

/**
 * Marks an event handled; runs in the transaction that applied its effects (exactly once): if the event
 * is no longer pending, it throws EventAlreadyHandled, which rolls that transaction back.
 */
export async function markDone(trx: Db, id: number): Promise<void> {
  const r = await trx.updateTable('inbox_events').set({ status: 'done', processed_at: sql`now()`, attempts: sql`attempts + 1` })
    .where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
  if (r.numUpdatedRows === 0n) throw new EventAlreadyHandled(id);
}

export async function markAttemptFailed(db: Db, id: number, error: string, maxAttempts: number): Promise<void> {
  await db.updateTable('inbox_events').set({
    attempts: sql`attempts + 1`, error: error.slice(0, 2000),
    status: sql`case when attempts + 1 >= ${maxAttempts} then 'failed' else 'pending' end`,
  }).where('id', '=', id).where('status', '=', 'pending').execute();
}

