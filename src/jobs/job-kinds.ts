import type { CardView } from '../core/card-view.ts';
import type { ChatTarget } from '../core/inbound-event.ts';

/** Job kinds and their payloads. Every side effect of a state change is one of these. */
export const JOB = {
  /** Render a request's card for one participant from current state; send it or update it in place. */
  cardSync: 'card.sync',
  /** Put a prebuilt card (dialog, help, status list) under a subject; update in place when the subject exists. */
  cardPut: 'card.put',
  /** A text message to a user (notifications, dialog questions). */
  messageSend: 'message.send',
  /** Create the ERP document of an approved request (idempotent by external key). */
  erpCreate: 'erp.create',
  /** POST an event to an external HTTP endpoint with an Idempotency-Key (integrations). */
  webhookPost: 'webhook.post',
} as const;

export interface CardSyncPayload { requestId: string; userId: string; role: 'requester' | 'approver' }
export interface CardPutPayload { subject: string; userId: string; target?: ChatTarget; card: CardView; version: number }
/** What a notification says; the text is written at send time, in the recipient's chat language. */
export type NotifyMessage =
  | { kind: 'approved' } | { kind: 'rejected'; reason: string } | { kind: 'withdrawn' }
  | { kind: 'comment'; by: string; text: string } | { kind: 'transferred'; by: string }
  | { kind: 'reminder'; by: string };

export interface MessageSendPayload { userId: string; target?: ChatTarget; text?: string; notify?: { requestId: string; message: NotifyMessage } }
export interface ErpCreatePayload { requestId: string }
export interface WebhookPostPayload { url: string; body: unknown }
