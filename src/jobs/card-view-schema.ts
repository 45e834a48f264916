import { z } from 'zod';
import type { CardView } from '../core/card-view.ts';
import type { ChatTarget } from '../core/inbound-event.ts';

/**
 * Schemas of the neutral types a job payload carries (src/core): a card built at enqueue time and a chat to
 * deliver to. Typed as the core types, so a required field added there is a compile error here. Objects are
 * loose: a key the schema does not name is passed through to the handler, never dropped from a card.
 */
export const chatTargetSchema: z.ZodType<ChatTarget> = z.looseObject({
  platform: z.enum(['console', 'feishu', 'dingtalk']),
  botId: z.string(),
  chatId: z.string().optional(),
  userExternalId: z.string().optional(),
});

const button = z.looseObject({
  actionId: z.string(),
  label: z.string(),
  style: z.enum(['primary', 'danger', 'default']),
  value: z.record(z.string(), z.string()),
  confirm: z.looseObject({ title: z.string(), text: z.string() }).optional(),
  sendsForm: z.boolean().optional(),
});

const input = z.looseObject({
  name: z.string(),
  label: z.string(),
  type: z.enum(['text', 'textarea', 'number', 'money', 'date', 'month', 'select', 'user']),
  value: z.string().optional(),
  required: z.boolean(),
  placeholder: z.string().optional(),
  options: z.array(z.looseObject({ value: z.string(), label: z.string(), externalId: z.string().optional() })).optional(),
});

const block = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text'), text: z.string() }),
  z.looseObject({ type: z.literal('fields'), fields: z.array(z.looseObject({ label: z.string(), value: z.string() })) }),
  z.looseObject({ type: z.literal('form'), formId: z.string(), inputs: z.array(input), buttons: z.array(button) }),
  z.looseObject({ type: z.literal('actions'), buttons: z.array(button) }),
  z.looseObject({
    type: z.literal('timeline'),
    items: z.array(z.looseObject({ label: z.string(), status: z.enum(['done', 'current', 'pending', 'rejected', 'skipped']), detail: z.string().optional() })),
  }),
  z.looseObject({ type: z.literal('note'), text: z.string() }),
  z.looseObject({ type: z.literal('link'), label: z.string(), url: z.string() }),
  z.looseObject({ type: z.literal('divider') }),
]);

export const cardViewSchema: z.ZodType<CardView> = z.looseObject({
  title: z.string(),
  tone: z.enum(['blue', 'green', 'red', 'orange', 'grey', 'purple']),
  subtitle: z.string().optional(),
  blocks: z.array(block),
  key: z.string().optional(),
});
