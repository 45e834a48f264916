import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { IdGenerator } from '../core/ids.ts';
import { AppError, ExternalServiceError } from '../core/errors.ts';
import type { ChatTarget, MessageRef } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import { RetryLater } from '../outbox/job-errors.ts';
import type { MessengerRegistry } from '../platforms/messenger-registry.ts';
import type { CardView } from './card-view.ts';

export interface CardDeliveryDeps { db: Kysely<Database>; messengers: MessengerRegistry; ids: IdGenerator; logger: Logger }

export interface DeliverInput {
  tenantId: string;
  /** One managed card per subject ("request:<id>:approver:<user>", "dialog:<id>"): later renders update it in place. */
  subject: string;
  userId: string;
  requestId?: string;
  target?: ChatTarget;
  /** Renders the card at delivery time (so a late job shows the latest state) with its version. */
  render: (to: ChatTarget) => Promise<{ card: CardView; version: number } | null>;
}

/** How long one worker may hold a card subject while it sends or patches it. */
const CARD_LEASE_MS = 30_000;

/**
 * Sends a card once per subject and updates it in place afterwards. A per-subject lease in Postgres keeps
 * two workers from sending the same card twice or applying an older render after a newer one.
 */
export async function deliverCard(d: CardDeliveryDeps, input: DeliverInput): Promise<void> {
  // Known target (a requester's own chat): one statement creates or leases the row. Otherwise the
  // identity lookup is only paid on a subject's first delivery.
  const leased = input.target ? await upsertLeased(d, input, input.target) : ((await leaseExisting(d, input)) ?? (await insertLeased(d, input)));
  if (!leased) throw new RetryLater(100, `card ${input.subject} is being delivered by another worker`);
  let done: { ref: MessageRef | null; version: number; sent: boolean } | null = null;
  try {
    const to = leased.target as ChatTarget;
    const rendered = await input.render(to);
    const ref = leased.ref as MessageRef | null;
    if (!rendered || (ref && rendered.version <= leased.rendered_version)) return;
    const messenger = d.messengers.get(leased.bot_id);
    if (!ref) {
      done = { ref: await messenger.sendCard(to, rendered.card, { idempotencyKey: input.subject }), version: rendered.version, sent: true };
      return;
    }
    try {
      await messenger.updateCard(ref, rendered.card);
      done = { ref, version: rendered.version, sent: false };
    } catch (e: unknown) {
      if (!(e instanceof ExternalServiceError && e.code === 'card.too_old')) throw e;
      // The platform stopped accepting updates (Feishu: 14 days). Send the current state as a new card.
      d.logger.info({ subject: input.subject }, 'card too old to update; sending a fresh one');
      done = { ref: await messenger.sendCard(to, rendered.card, { idempotencyKey: `${input.subject}:v${rendered.version}` }), version: rendered.version, sent: true };
    }
  } finally {
    // Record what was delivered and release the lease in one statement.
    await d.db.updateTable('card_messages').set({
      lease_until: null, ...(done ? { ref: JSON.stringify(done.ref), rendered_version: done.version, updated_at: sql`now()`, ...(done.sent ? { sent_at: sql`now()` } : {}) } : {}),
    }).where('id', '=', leased.id).execute();
  }
}

const leaseUntil = () => sql<Date>`now() + ${CARD_LEASE_MS} * interval '1 millisecond'`;

/** Takes the lease on a subject's existing card row, if the row exists and nobody holds it. */
function leaseExisting(d: CardDeliveryDeps, input: DeliverInput) {
  return d.db.updateTable('card_messages').set({ lease_until: leaseUntil() })
    .where('tenant_id', '=', input.tenantId).where('subject', '=', input.subject)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`)]))
    .returningAll().executeTakeFirst();
}

/** First delivery of a subject: finds where the user is reached and creates the row already leased. */
async function insertLeased(d: CardDeliveryDeps, input: DeliverInput) {
  const target = await d.messengers.targetFor(d.db, input.tenantId, input.userId);
  if (!target) throw new AppError('card.no_target', `user ${input.userId} has no identity on a running bot`);
  return newRow(d, input, target).onConflict((oc) => oc.columns(['tenant_id', 'subject']).doNothing()).returningAll().executeTakeFirst();
}

/** Creates the subject's row leased, or leases the existing one if nobody holds it (its target and ref are kept). */
function upsertLeased(d: CardDeliveryDeps, input: DeliverInput, target: ChatTarget) {
  return newRow(d, input, target)
    .onConflict((oc) => oc.columns(['tenant_id', 'subject']).doUpdateSet({ lease_until: leaseUntil() })
      .where((eb) => eb.or([eb('card_messages.lease_until', 'is', null), eb('card_messages.lease_until', '<', sql<Date>`now()`)])))
    .returningAll().executeTakeFirst();
}

function newRow(d: CardDeliveryDeps, input: DeliverInput, target: ChatTarget) {
  return d.db.insertInto('card_messages').values({
    id: d.ids.uuid(), tenant_id: input.tenantId, subject: input.subject, user_id: input.userId, request_id: input.requestId ?? null,
    platform: target.platform, bot_id: target.botId, target: JSON.stringify(target), lease_until: leaseUntil(),
  });
}
