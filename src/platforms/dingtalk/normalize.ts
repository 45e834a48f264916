import type { InboundCardAction, InboundEvent, InboundMessage } from '../../core/inbound-event.ts';
import { cardCallbackContentSchema, cardCallbackSchema, robotMessageSchema, type RobotMessage, type StreamFrame } from './types.ts';

/** Stream frames → neutral events. Pure: ids, tenant and time come from `ctx`. */
export interface DingtalkNormalizeContext {
  botId: string;
  tenantId: string;
  receivedAt: Date;
}

export type NormalizeResult = { kind: 'event'; event: InboundEvent } | { kind: 'ignored'; reason: string };

function parseJson(s: string): unknown {
  try { return JSON.parse(s); } catch { return undefined; }
}

function richText(content: unknown): string {
  const parts = (content as { richText?: unknown } | undefined)?.richText;
  if (!Array.isArray(parts)) return '';
  return parts.map((p) => (typeof p === 'object' && p !== null && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('').trim();
}

function messageText(m: RobotMessage): string | undefined {
  if (m.msgtype === 'text') return (m.text?.content ?? '').trim();
  if (m.msgtype === 'richText') return richText(m.content);
  return undefined;
}

export function normalizeRobotMessage(frame: StreamFrame, ctx: DingtalkNormalizeContext): NormalizeResult {
  const parsed = robotMessageSchema.safeParse(parseJson(frame.data));
  if (!parsed.success) return { kind: 'ignored', reason: 'dingtalk.bad_robot_message' };
  const m = parsed.data;
  if (!m.senderStaffId) return { kind: 'ignored', reason: 'no_sender_staff_id' };
  const text = messageText(m);
  if (text === undefined) return { kind: 'ignored', reason: `unsupported_message_type:${m.msgtype}` };
  // Groups deliver only @-bot messages (DingTalk doc '机器人接收消息'); isInAtList guards against a console setting that widens that.
  const chatType = m.conversationType === '1' ? 'p2p' : 'group';
  if (chatType === 'group' && m.isInAtList === false) return { kind: 'ignored', reason: 'group_without_bot_mention' };
  const event: InboundMessage = {
    source: `dingtalk:${ctx.botId}`,
    eventId: m.msgId ?? frame.headers.messageId,
    platform: 'dingtalk', botId: ctx.botId, tenantId: ctx.tenantId, receivedAt: ctx.receivedAt,
    sender: { platform: 'dingtalk', botId: ctx.botId, externalId: m.senderStaffId, ...(m.senderNick ? { name: m.senderNick } : {}) },
    kind: 'message',
    chat: chatType === 'p2p'
      ? { platform: 'dingtalk', botId: ctx.botId, userExternalId: m.senderStaffId }
      : { platform: 'dingtalk', botId: ctx.botId, chatId: m.conversationId },
    chatType,
    text,
  };
  return { kind: 'event', event };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * A form submit's value (DingTalk doc '表单变量', open.dingtalk.com/document/development/form-variables, the callback
 * example): selects arrive as `{index, value}` and multi-selects as `{index:[…], value:[…]}`, keep the values; a
 * NUMBER input arrives as a JSON number and a CHECKBOX / SWITCH as a boolean: strings, like every other platform's.
 */
function formValue(v: unknown): unknown {
  const inner = typeof v === 'object' && v !== null && !Array.isArray(v) && 'value' in v ? (v as { value: unknown }).value : v;
  return typeof inner === 'number' || typeof inner === 'boolean' ? String(inner) : inner;
}

function buttonValue(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = params['value'];
  const parsed = typeof raw === 'string' ? parseJson(raw) : raw;
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    for (const [k, v] of Object.entries(parsed)) out[k] = str(v);
  } else if (raw !== undefined) {
    out['value'] = str(raw);
  }
  for (const [k, v] of Object.entries(params)) if (!['value', 'actionId', 'form'].includes(k)) out[k] = str(v);
  return out;
}

export function normalizeCardCallback(frame: StreamFrame, ctx: DingtalkNormalizeContext): NormalizeResult {
  const parsed = cardCallbackSchema.safeParse(parseJson(frame.data));
  if (!parsed.success) return { kind: 'ignored', reason: 'dingtalk.bad_card_callback' };
  const cb = parsed.data;
  const content = cardCallbackContentSchema.safeParse(parseJson(cb.content));
  if (!content.success) return { kind: 'ignored', reason: 'dingtalk.bad_card_callback_content' };
  const params = content.data.cardPrivateData.params ?? {};
  const actionId = typeof params['actionId'] === 'string' ? params['actionId'] : content.data.cardPrivateData.actionIds?.[0];
  if (!actionId) return { kind: 'ignored', reason: 'card_action_without_action_id' };
  const rawForm = params['form'];
  const form: Record<string, unknown> = {};
  if (typeof rawForm === 'object' && rawForm !== null) for (const [k, v] of Object.entries(rawForm)) form[k] = formValue(v);
  const isGroup = (cb.spaceType ?? '').toUpperCase() === 'IM_GROUP' && cb.spaceId;
  const event: InboundCardAction = {
    source: `dingtalk:${ctx.botId}`,
    eventId: frame.headers.messageId,
    platform: 'dingtalk', botId: ctx.botId, tenantId: ctx.tenantId, receivedAt: ctx.receivedAt,
    sender: { platform: 'dingtalk', botId: ctx.botId, externalId: cb.userId },
    kind: 'card_action',
    message: { platform: 'dingtalk', botId: ctx.botId, messageId: cb.outTrackId, extra: { outTrackId: cb.outTrackId, mode: 'card' } },
    chat: isGroup ? { platform: 'dingtalk', botId: ctx.botId, chatId: cb.spaceId as string } : { platform: 'dingtalk', botId: ctx.botId, userExternalId: cb.userId },
    actionId,
    value: buttonValue(params),
    form,
  };
  return { kind: 'event', event };
}
