import { z } from 'zod';
import { refineSafeText } from '../../http/text-guard.ts';
import type { InboundCardAction, InboundMessage } from '../../core/inbound-event.ts';

/**
 * Console API bodies. User ids are directory ids (the console identity of every user is their id). `user` is who
 * the client says acts; the signed-in person's session decides (src/identity/console-guard.ts): it may be left out,
 * and naming someone else is refused. Only demo mode and act-as tokens take it as given.
 */
export const messageBodySchema = z.object({
  user: z.string().min(1).max(64).optional(),
  text: z.string().trim().min(1).max(4000),
  /** Optional client-chosen id: a retried POST with the same id is one event. */
  eventId: z.string().min(1).max(128).optional(),
}).strict().superRefine(refineSafeText);

export const actionBodySchema = z.object({
  user: z.string().min(1).max(64).optional(),
  messageId: z.string().min(1).max(64),
  actionId: z.string().min(1).max(128),
  form: z.record(z.string(), z.union([z.string().max(4000), z.number(), z.boolean(), z.null()])).default({}),
  eventId: z.string().min(1).max(128).optional(),
  /**
   * The card revision the user was looking at (the inbox gives it with every message). When given, a
   * click on an older view is refused with 409 card.outdated instead of acting on what the card shows now.
   */
  revision: z.number().int().min(1).optional(),
}).strict().superRefine(refineSafeText);

export type MessageBody = z.infer<typeof messageBodySchema>;
export type ActionBody = z.infer<typeof actionBodySchema>;

interface Ctx { botId: string; tenantId: string; eventId: string; now: Date }

export function normalizeMessage(b: MessageBody & { user: string }, c: Ctx): InboundMessage {
  return {
    kind: 'message', source: `console:${c.botId}`, eventId: c.eventId, platform: 'console', botId: c.botId, tenantId: c.tenantId,
    sender: { platform: 'console', botId: c.botId, externalId: b.user }, receivedAt: c.now,
    chat: { platform: 'console', botId: c.botId, userExternalId: b.user }, chatType: 'p2p', text: b.text,
  };
}

export function normalizeAction(b: ActionBody & { user: string }, value: Record<string, string>, c: Ctx): InboundCardAction {
  return {
    kind: 'card_action', source: `console:${c.botId}`, eventId: c.eventId, platform: 'console', botId: c.botId, tenantId: c.tenantId,
    sender: { platform: 'console', botId: c.botId, externalId: b.user }, receivedAt: c.now,
    message: { platform: 'console', botId: c.botId, messageId: b.messageId },
    chat: { platform: 'console', botId: c.botId, userExternalId: b.user }, actionId: b.actionId, value, form: b.form,
  };
}
