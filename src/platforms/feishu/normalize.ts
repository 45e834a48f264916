import { createHash } from 'node:crypto';
import type { InboundCardAction, InboundEvent, InboundMessage, PlatformUserRef } from '../../core/inbound-event.ts';
import { actionIdOfName } from './component-names.ts';
import { contentToText, resolveMentions, type MentionKey } from './message-text.ts';
import { cardActionEventSchema, messageEventSchema, type FeishuEnvelope, type FeishuUserIds } from './types.ts';

/** Who we are, for ids and for spotting our own @-mention in groups. */
export interface FeishuNormalizeContext {
  botId: string;
  tenantId: string;
  /** The bot's open_id (GET /open-apis/bot/v3/info); without it a `mentioned_type: bot` mention counts. */
  botOpenId?: string | undefined;
  receivedAt: Date;
}

export type NormalizeResult = { kind: 'event'; event: InboundEvent } | { kind: 'ignored'; reason: string };

export const MESSAGE_EVENT = 'im.message.receive_v1';
export const CARD_ACTION_EVENT = 'card.action.trigger';

function userRef(ids: FeishuUserIds, ctx: FeishuNormalizeContext): PlatformUserRef | undefined {
  if (!ids.open_id) return undefined;
  const aliases = [ids.union_id, ids.user_id].filter((x): x is string => typeof x === 'string' && x.length > 0);
  return { platform: 'feishu', botId: ctx.botId, externalId: ids.open_id, ...(aliases.length ? { aliases } : {}) };
}

function base(ctx: FeishuNormalizeContext, eventId: string, sender: PlatformUserRef) {
  return { source: `feishu:${ctx.botId}`, eventId, platform: 'feishu' as const, botId: ctx.botId, tenantId: ctx.tenantId, sender, receivedAt: ctx.receivedAt };
}

function normalizeMessage(env: FeishuEnvelope, ctx: FeishuNormalizeContext): NormalizeResult {
  const parsed = messageEventSchema.safeParse(env.event);
  if (!parsed.success) return { kind: 'ignored', reason: 'feishu.bad_message_event' };
  const { sender, message } = parsed.data;
  if (sender.sender_type && sender.sender_type !== 'user') return { kind: 'ignored', reason: 'not_from_user' };
  const from = userRef(sender.sender_id, ctx);
  if (!from) return { kind: 'ignored', reason: 'no_sender_open_id' };
  const raw = contentToText(message.message_type, message.content);
  if (raw === undefined) return { kind: 'ignored', reason: `unsupported_message_type:${message.message_type}` };
  const mentions: MentionKey[] = (message.mentions ?? []).map((m) => ({ key: m.key, openId: m.id?.open_id, name: m.name }));
  const mentionTypes = new Map((message.mentions ?? []).map((m) => [m.key, m['mentioned_type']]));
  const isBot = (m: MentionKey): boolean => (ctx.botOpenId ? m.openId === ctx.botOpenId : mentionTypes.get(m.key) === 'bot');
  const chatType = message.chat_type === 'p2p' ? 'p2p' : 'group';
  const postMentionsBot = ctx.botOpenId !== undefined && raw.includes(`@_user:${ctx.botOpenId}`);
  if (chatType === 'group' && !mentions.some(isBot) && !postMentionsBot) return { kind: 'ignored', reason: 'group_without_bot_mention' };
  const event: InboundMessage = {
    ...base(ctx, env.header.event_id ?? message.message_id, from),
    kind: 'message',
    chat: { platform: 'feishu', botId: ctx.botId, chatId: message.chat_id, ...(chatType === 'p2p' ? { userExternalId: from.externalId } : {}) },
    chatType,
    text: resolveMentions(raw, mentions, ctx.botOpenId, isBot),
  };
  return { kind: 'event', event };
}

function stringRecord(v: unknown): Record<string, string> {
  if (typeof v === 'string') {
    try { return stringRecord(JSON.parse(v)); } catch { return { value: v }; }
  }
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'string' ? x : JSON.stringify(x);
  return out;
}

/** Card callbacks are not re-pushed (docs/platforms/feishu.md §3.2) but a client can double-submit; without an event_id we hash what identifies the click. */
export function cardCallbackEventId(headerEventId: string | undefined, token: string | undefined, action: unknown): string {
  if (headerEventId) return headerEventId;
  return 'cb_' + createHash('sha256').update(`${token ?? ''}|${JSON.stringify(action)}`).digest('hex').slice(0, 40);
}

function normalizeCardAction(env: FeishuEnvelope, ctx: FeishuNormalizeContext): NormalizeResult {
  const parsed = cardActionEventSchema.safeParse(env.event);
  if (!parsed.success) return { kind: 'ignored', reason: 'feishu.bad_card_action' };
  const { operator, context, action, token } = parsed.data;
  const from = userRef(operator, ctx);
  if (!from) return { kind: 'ignored', reason: 'no_operator_open_id' };
  // The component `name` comes back with every callback (a form submit carries only `name` + `form_value`,
  // card callback doc "卡片回传交互"), so it decides the action; the echoed `value` is a convenience the
  // server replaces with what it stored for the card (inbox/card-action-origin.ts).
  const { actionId: echoedActionId, ...value } = stringRecord(action.value);
  const actionId = (action.name ? actionIdOfName(action.name) : undefined) ?? echoedActionId ?? action.name ?? '';
  if (!actionId) return { kind: 'ignored', reason: 'card_action_without_action_id' };
  const form: Record<string, unknown> = { ...(action.form_value ?? {}) };
  if (action.input_value !== undefined && action.name) form[action.name] = action.input_value;
  if (action.option !== undefined && action.name) form[action.name] = action.option;
  if (action.options !== undefined && action.name) form[action.name] = action.options;
  if (action.checked !== undefined && action.name) form[action.name] = action.checked;
  const event: InboundCardAction = {
    ...base(ctx, cardCallbackEventId(env.header.event_id, token, action), from),
    kind: 'card_action',
    message: { platform: 'feishu', botId: ctx.botId, messageId: context.open_message_id, ...(token ? { extra: { callbackToken: token } } : {}) },
    chat: { platform: 'feishu', botId: ctx.botId, ...(context.open_chat_id ? { chatId: context.open_chat_id } : {}) },
    actionId,
    value,
    form,
  };
  return { kind: 'event', event };
}

/** Raw envelope → neutral event. Pure: ids, tenant and time come from `ctx`. */
export function normalizeFeishuEvent(env: FeishuEnvelope, ctx: FeishuNormalizeContext): NormalizeResult {
  switch (env.header.event_type) {
    case MESSAGE_EVENT: return normalizeMessage(env, ctx);
    case CARD_ACTION_EVENT: return normalizeCardAction(env, ctx);
    default: return { kind: 'ignored', reason: `unhandled_event_type:${env.header.event_type}` };
  }
}
