import { z } from 'zod';
import { cardViewSchema, chatTargetSchema } from './card-view-schema.ts';
import type { JobOf, JobSchemas } from './job-schema.ts';

/** What a notification says; the text is written at send time, in the recipient's chat language. */
const notifyMessage = z.discriminatedUnion('kind', [
  /** `complete`: the intent needs no ERP document, so approval is the end of it. */
  z.object({ kind: z.literal('approved'), complete: z.boolean().optional() }),
  z.object({ kind: z.literal('rejected'), reason: z.string() }),
  z.object({ kind: z.literal('withdrawn') }),
  z.object({ kind: z.literal('comment'), by: z.string(), text: z.string() }),
  z.object({ kind: z.literal('transferred'), by: z.string() }),
  z.object({ kind: z.literal('reminder'), by: z.string() }),
  // ERP progress, once per change (times ISO 8601, money decimal strings): what the ERP reported.
  z.object({ kind: z.literal('erp_created'), number: z.string().optional() }),
  z.object({ kind: z.literal('erp_failed'), reason: z.string() }),
  z.object({ kind: z.literal('erp_not_required') }),
  /** An ERP-originated request closed from the ERP side (back to draft, deleted, cancelled, decided there). */
  z.object({ kind: z.literal('erp_closed'), why: z.enum(['draft', 'deleted', 'cancelled', 'approved_in_erp', 'rejected_in_erp']) }),
  z.object({ kind: z.literal('erp_posted'), at: z.string().optional(), voucher: z.string().optional() }),
  z.object({
    kind: z.literal('erp_paid'), partial: z.boolean().optional(), amount: z.string().optional(), currency: z.string().optional(),
    at: z.string().optional(), bankRef: z.string().optional(),
  }),
]);

/**
 * The job kinds and the schema of each one's payload. Every side effect of a state change is one of these. A
 * payload is checked against its schema when a worker claims the job (outbox-worker.ts): one that does not
 * match is dead-lettered at once. Adding a kind here without a handler in the app's map is a compile error.
 */
export const JOB_SCHEMAS = {
  /** Render a request's card for one participant from current state; send it or update it in place. */
  'card.sync': z.object({ requestId: z.string(), userId: z.string(), role: z.enum(['requester', 'approver']) }),
  /** Put a prebuilt card (dialog, help, status list) under a subject; update in place when the subject exists. */
  'card.put': z.object({ subject: z.string(), userId: z.string(), target: chatTargetSchema.optional(), card: cardViewSchema, version: z.number().int() }),
  /** A text message to a user (dialog replies), or a request notification whose text is written at send time. */
  'message.send': z.object({
    userId: z.string(),
    target: chatTargetSchema.optional(),
    text: z.string().optional(),
    notify: z.object({ requestId: z.string(), message: notifyMessage }).optional(),
  }),
  /** Create the ERP document of an approved request (idempotent by external key). */
  'erp.create': z.object({ requestId: z.string() }),
  /** Send an ERP-originated request's decision back to its document (approve / reject with the reason) for that revision. */
  'erp.decide': z.object({ requestId: z.string(), revision: z.number().int().positive(), decision: z.enum(['approve', 'reject']), reason: z.string().optional() }),
  /** Apply a verified ERP push: read each named document back from that instance and apply its status. */
  'erp.push': z.object({
    instance: z.string(),
    eventId: z.string(),
    documents: z.array(z.object({ id: z.string().optional(), externalKey: z.string().optional(), docKind: z.string().optional() })).max(500),
  }),
} satisfies JobSchemas;

export type AppJobSchemas = typeof JOB_SCHEMAS;
export type JobKind = keyof AppJobSchemas;
export type PayloadOf<K extends JobKind> = z.output<AppJobSchemas[K]>;
/** One of the app's jobs: `{ kind: 'card.sync'; payload: CardSyncPayload } | …`. */
export type Job = JobOf<AppJobSchemas>;

export type NotifyMessage = z.output<typeof notifyMessage>;
export type CardSyncPayload = PayloadOf<'card.sync'>;
export type CardPutPayload = PayloadOf<'card.put'>;
export type MessageSendPayload = PayloadOf<'message.send'>;
export type ErpCreatePayload = PayloadOf<'erp.create'>;
export type ErpPushPayload = PayloadOf<'erp.push'>;
export type ErpDecidePayload = PayloadOf<'erp.decide'>;
