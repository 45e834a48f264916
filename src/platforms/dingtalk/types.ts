import { z } from 'zod';

/** Raw DingTalk Stream payloads (im-platforms.md B1.2, B2, B3.3), parsed at the edge. */

/** A downstream frame as DWClient hands it to callback listeners. `data` is a JSON string. */
export interface StreamFrame {
  type: string;
  headers: { messageId: string; topic: string; [k: string]: string | undefined };
  data: string;
}

export const robotMessageSchema = z.object({
  msgId: z.string().optional(),
  msgtype: z.string(),
  conversationId: z.string(),
  conversationType: z.string(),
  senderStaffId: z.string().optional(),
  senderId: z.string().optional(),
  senderNick: z.string().optional(),
  isInAtList: z.boolean().optional(),
  robotCode: z.string().optional(),
  text: z.object({ content: z.string() }).loose().optional(),
  content: z.unknown().optional(),
  createAt: z.number().optional(),
}).loose();
export type RobotMessage = z.infer<typeof robotMessageSchema>;

export const cardCallbackSchema = z.object({
  type: z.string().optional(),
  outTrackId: z.string(),
  userId: z.string(),
  corpId: z.string().optional(),
  spaceType: z.string().optional(),
  spaceId: z.string().optional(),
  content: z.string(),
}).loose();
export type CardCallback = z.infer<typeof cardCallbackSchema>;

export const cardCallbackContentSchema = z.object({
  cardPrivateData: z.object({
    actionIds: z.array(z.string()).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
  }).loose(),
}).loose();
