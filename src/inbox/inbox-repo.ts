import { sql, type Kysely, type Transaction } from 'kysely';
import type { InboundEvent } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface InboxRow { id: number; tenantId: string; event: InboundEvent; attempts: number }

/** Conversation = one sender on one bot: its messages are handled one at a time, in order. */
export function conversationKey(e: InboundEvent): string {
  return `${e.platform}:${e.botId}:${e.sender.externalId}`;
}

/** Stores an inbound event once per (source, event id). Returns false for a redelivery. */
export async function insertEvent(db: Db, e: InboundEvent, status: 'pending' | 'done'): Promise<number | null> {
  const r = await db.insertInto('inbox_events').values({
    tenant_id: e.tenantId, source: e.source, event_id: e.eventId, kind: e.kind, conversation_key: conversationKey(e),
    payload: JSON.stringify(e), status, ...(status === 'done' ? { processed_at: sql`now()`, attempts: 1 } : {}),
  }).onConflict((oc) => oc.columns(['source', 'event_id']).doNothing()).returning('id').executeTakeFirst();
  return r ? r.id : null;
}

/** Conversations with pending events, oldest first. */
export async function pendingConversations(db: Db, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('inbox_events').select(['conversation_key', (eb) => eb.fn.min('id').as('first')])
    .where('status', '=', 'pending').groupBy('conversation_key').orderBy('first').limit(limit).execute();
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

/** Marks an event handled; runs in the transaction that applied its effects (exactly once). */
export async function markDone(trx: Db, id: number): Promise<void> {
  await trx.updateTable('inbox_events').set({ status: 'done', processed_at: sql`now()`, attempts: sql`attempts + 1` }).where('id', '=', id).execute();
}

export async function markAttemptFailed(db: Db, id: number, error: string, maxAttempts: number): Promise<void> {
  await db.updateTable('inbox_events').set({
    attempts: sql`attempts + 1`, error: error.slice(0, 2000),
    status: sql`case when attempts + 1 >= ${maxAttempts} then 'failed' else 'pending' end`,
  }).where('id', '=', id).execute();
}

/**
 * Deletes handled events older than the retention. It must outlive the platforms' redelivery windows
 * (Feishu retries up to 6 h after the first delivery), or a late redelivery would be handled again.
 */
export async function purgeHandled(db: Db, olderThanMs: number): Promise<number> {
  const r = await db.deleteFrom('inbox_events').where('status', '=', 'done')
    .where('processed_at', '<', sql<Date>`now() - ${olderThanMs} * interval '1 millisecond'`).executeTakeFirst();
  return Number(r.numDeletedRows);
}
