import { z } from 'zod';

/** Raw Feishu payload shapes (schema 2.0 envelopes), parsed at the edge. Only fields we use; the rest pass through. */

export const userIdsSchema = z.object({
  open_id: z.string().optional(),
  union_id: z.string().optional(),
  user_id: z.string().optional(),
}).loose();
export type FeishuUserIds = z.infer<typeof userIdsSchema>;

export const headerSchema = z.object({
  event_id: z.string().min(1).optional(),
  event_type: z.string(),
  create_time: z.string().optional(),
  token: z.string().optional(),
  app_id: z.string().optional(),
  tenant_key: z.string().optional(),
}).loose();

export const mentionSchema = z.object({
  key: z.string(),
  id: userIdsSchema.optional(),
  name: z.string().optional(),
}).loose();

export const messageEventSchema = z.object({
  sender: z.object({ sender_id: userIdsSchema, sender_type: z.string().optional() }).loose(),
  message: z.object({
    message_id: z.string(),
    chat_id: z.string(),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string(),
    create_time: z.string().optional(),
    mentions: z.array(mentionSchema).optional(),
  }).loose(),
}).loose();

export const cardActionEventSchema = z.object({
  operator: userIdsSchema,
  token: z.string().optional(),
  context: z.object({ open_message_id: z.string(), open_chat_id: z.string().optional() }).loose(),
  action: z.object({
    tag: z.string().optional(),
    name: z.string().optional(),
    value: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
    form_value: z.record(z.string(), z.unknown()).optional(),
    input_value: z.string().optional(),
    option: z.string().optional(),
    options: z.array(z.string()).optional(),
    checked: z.boolean().optional(),
  }).loose(),
}).loose();

/** The envelope as our receivers hand it to `normalize`: header fields and the event body. */
export interface FeishuEnvelope {
  header: z.infer<typeof headerSchema>;
  event: unknown;
}
