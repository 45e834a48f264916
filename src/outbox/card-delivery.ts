import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { IdGenerator } from '../core/ids.ts';
import { AppError, ExternalServiceError } from '../core/errors.ts';
import type { ChatTarget, MessageRef } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import { isDatabaseUnavailable } from '../db/db-errors.ts';
import { RetryLater } from './job-errors.ts';
import type { MessengerRegistry } from '../platforms/messenger-registry.ts';
import type { CardView } from '../core/card-view.ts';

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

/** How long one worker may hold a card subject without renewing; renewed every third of it while it works. */
const CARD_LEASE_MS = 30_000;
/** A delivery renews its lease at most this long (platform calls have their own deadlines well below). */
const MAX_HOLD_MS = 5 * 60_000;

/**
 * Sends a card once per subject and updates it in place afterwards. A per-subject lease in Postgres keeps
 * two workers from sending the same card twice or applying an older render after a newer one. The lease
 * is held by a token and renewed while a slow platform call runs (429 waits, retries); what was delivered
 * is written only while the token still holds it, and never over a newer render.
 */
export async function deliverCard(d: CardDeliveryDeps, input: DeliverInput): Promise<void> {
  const token = d.ids.uuid();
  let leased: Awaited<ReturnType<typeof leaseExisting>>;
  try {
    // Known target (a requester's own chat): one statement creates or leases the row. Otherwise the
    // identity lookup is only paid on a subject's first delivery.
    leased = input.target ? await upsertLeased(d, input, input.target, token)
      : ((await leaseExisting(d, input, token)) ?? (await insertLeased(d, input, token)));
  } catch (e: unknown) {
    // The database may have dropped the connection after the lease committed, its answer lost: give back what this
    // token holds, or every retry would find the card busy until CARD_LEASE_MS ran out.
    if (isDatabaseUnavailable(e)) await d.db.updateTable('card_messages').set({ lease_until: null, lease_token: null }).where('lease_token', '=', token).execute().catch(() => undefined);
    throw e;
  }
  if (!leased) throw new RetryLater(await leaseWaitMs(d, input), `card ${input.subject} is being delivered or held by a click`);
  const held = d.db.updateTable('card_messages').where('id', '=', leased.id).where('lease_token', '=', token);
  const started = Date.now();
  const renewal = setInterval(() => {
    if (Date.now() - started > MAX_HOLD_MS) return;
    held.set({ lease_until: leaseUntil() }).execute().catch((e: unknown) => d.logger.warn({ err: e, subject: input.subject }, 'card lease renewal failed'));
  }, CARD_LEASE_MS / 3);
  renewal.unref();
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
      if (!(e instanceof ExternalServiceError && (e.code === 'card.too_old' || e.code === 'card.gone'))) throw e;
      // The platform no longer takes updates to that message (Feishu: 14 days old, or recalled). Send the
      // current state as a new card, which later renders update.
      d.logger.info({ subject: input.subject, reason: e.code }, 'card cannot be updated; sending a fresh one');
      done = { ref: await messenger.sendCard(to, rendered.card, { idempotencyKey: `${input.subject}:v${rendered.version}` }), version: rendered.version, sent: true };
    }
  } finally {
    clearInterval(renewal);
    // Record what was delivered and release the lease in one statement, if this delivery still holds it;
    // a newer render already recorded is kept.
    const delivered = done;
    const release = () => held.set({
      lease_until: null, lease_token: null,
      ...(delivered ? {
        ref: sql<string>`case when rendered_version < ${delivered.version} then ${JSON.stringify(delivered.ref)}::jsonb else ref end`,
        rendered_version: sql<number>`greatest(rendered_version, ${delivered.version})`,
        updated_at: sql`now()`, ...(delivered.sent ? { sent_at: sql`now()` } : {}),
      } : {}),
    }).executeTakeFirst();
    // A connection dropped under the release: once more on a fresh one, rather than leave the card held for CARD_LEASE_MS.
    const r = await release().catch((e: unknown) => { if (isDatabaseUnavailable(e)) return release(); throw e; });
    if (r.numUpdatedRows === 0n && done) {
      // Another worker took the card while this call ran (a stall past the lease): this older render may
      // have landed after theirs. Mark the card as needing a render and run again to show the latest.
      await d.db.updateTable('card_messages').set({ rendered_version: sql<number>`least(rendered_version, ${done.version - 1})` }).where('id', '=', leased.id).execute();
      d.logger.warn({ subject: input.subject, version: done.version }, 'card lease lost during delivery; re-rendering the latest state');
      throw new RetryLater(100, `card ${input.subject}: lease lost during delivery, re-rendering`);
    }
  }
}

const leaseUntil = () => sql<Date>`now() + ${CARD_LEASE_MS} * interval '1 millisecond'`;

/**
 * When to try a busy card again: 100 ms while someone holds it (a delivery ends its lease as soon as it is done);
 * a card left held without a holder (the grace after a click's answer, inbox/clicked-card-hold.ts) when that ends.
 */
async function leaseWaitMs(d: CardDeliveryDeps, input: DeliverInput): Promise<number> {
  const row = await d.db.selectFrom('card_messages')
    .select(sql<number>`case when lease_token is null and lease_until > now() then greatest(100, least(${CARD_LEASE_MS}, ceil(extract(epoch from (lease_until - now())) * 1000)))::int else 100 end`.as('ms'))
    .where('tenant_id', '=', input.tenantId).where('subject', '=', input.subject).executeTakeFirst();
  return row?.ms ?? 100;
}

/** Takes the lease on a subject's existing card row, if the row exists and nobody holds it. */
function leaseExisting(d: CardDeliveryDeps, input: DeliverInput, token: string) {
  return d.db.updateTable('card_messages').set({ lease_until: leaseUntil(), lease_token: token })
    .where('tenant_id', '=', input.tenantId).where('subject', '=', input.subject)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`)]))
    .returningAll().executeTakeFirst();
}

/** First delivery of a subject: finds where the user is reached and creates the row already leased. */
async function insertLeased(d: CardDeliveryDeps, input: DeliverInput, token: string) {
  const target = await d.messengers.targetFor(d.db, input.tenantId, input.userId);
  if (!target) throw new AppError('card.no_target', `user ${input.userId} has no identity on a running bot`);
  return newRow(d, input, target, token).onConflict((oc) => oc.columns(['tenant_id', 'subject']).doNothing()).returningAll().executeTakeFirst();
}

/** Creates the subject's row leased, or leases the existing one if nobody holds it (its target and ref are kept). */
function upsertLeased(d: CardDeliveryDeps, input: DeliverInput, target: ChatTarget, token: string) {
  return newRow(d, input, target, token)
    .onConflict((oc) => oc.columns(['tenant_id', 'subject']).doUpdateSet({ lease_until: leaseUntil(), lease_token: token })
      .where((eb) => eb.or([eb('card_messages.lease_until', 'is', null), eb('card_messages.lease_until', '<', sql<Date>`now()`)])))
    .returningAll().executeTakeFirst();
}

function newRow(d: CardDeliveryDeps, input: DeliverInput, target: ChatTarget, token: string) {
  return d.db.insertInto('card_messages').values({
    id: d.ids.uuid(), tenant_id: input.tenantId, subject: input.subject, user_id: input.userId, request_id: input.requestId ?? null,
    platform: target.platform, bot_id: target.botId, target: JSON.stringify(target), lease_until: leaseUntil(), lease_token: token,
  });
}
