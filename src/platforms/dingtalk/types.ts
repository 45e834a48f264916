import { z } from 'zod';

/** Raw DingTalk Stream payloads (Stream frames: 'Stream Mode 协议文档'; robot messages: '消息发送与接收类型', 机器人接收消息; card callbacks: '事件回调'), parsed at the edge. */

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

export const cardCallbackContentSchema = z.object({
  cardPrivateData: z.object({
    actionIds: z.array(z.string()).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
  }).loose(),
}).loose();
