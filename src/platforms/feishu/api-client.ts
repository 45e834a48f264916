import { createHash } from 'node:crypto';
import type { CardView } from '../../core/card-view.ts';
import { ExternalServiceError } from '../../core/errors.ts';
import type { ChatTarget, MessageRef } from '../../core/inbound-event.ts';
import type { Messenger } from '../platform.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import { callFeishu, type CallOptions, type FeishuRequester } from './api-call.ts';
import { renderFeishuCard } from './render-card.ts';

/** Sends and PATCHes Feishu messages as the app bot (tenant token handled by the SDK client). */

/**
 * Message send / PATCH: "1000 次/分钟、50 次/秒" per app (Feishu API pages '发送消息' and '更新已发送的消息卡片',
 * open.feishu.cn/document/ukTMukTMukTM/uUzN04SN3QjL1cDN '频控策略'). Documented limits: the limiter keeps a margin.
 */
export const APP_PER_SECOND = 50;
export const APP_PER_MINUTE = 1000;
/** 5 QPS per recipient user and per group, shared by all bots in the group (docs/platforms/feishu.md §4.1). */
export const CHAT_PER_SECOND = 5;
/** PATCH is limited to 5 QPS per message (docs/platforms/feishu.md §4.2). */
export const MESSAGE_PER_SECOND = 5;
/** "Message can only be updated within fourteen days" (HTTP 400, seen in deepcoldy/botmux#1441). */
export const CARD_TOO_OLD_CODE = 230031;
/** PATCH of a message that was recalled. */
export const CARD_RECALLED_CODE = 230011;
/** The send API's `uuid` dedup field is at most 50 characters (docs/platforms/feishu.md §4.1). */
const UUID_MAX = 50;

export interface FeishuMessengerDeps {
  botId: string;
  appId: string;
  client: FeishuRequester;
  limiter: RateLimiter;
  sleep: (ms: number) => Promise<void>;
  onTokenInvalid?: () => void;
}

interface CreateMessageResponse { code?: number; msg?: string; data?: { message_id?: string; chat_id?: string } }

/** A stable ≤50-char `uuid` from the caller's idempotency key: retries of one send hit Feishu's dedupe. */
export function messageUuid(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, Math.min(UUID_MAX, 48));
}

function receiver(to: ChatTarget): { type: 'chat_id' | 'open_id'; id: string } {
  if (to.chatId) return { type: 'chat_id', id: to.chatId };
  if (to.userExternalId) return { type: 'open_id', id: to.userExternalId };
  throw new ExternalServiceError('feishu', 'feishu.no_recipient', 'ChatTarget has neither chatId nor userExternalId', { retryable: false });
}

function classifyPatch(code: number, msg: string): ExternalServiceError | undefined {
  if (code === CARD_TOO_OLD_CODE || /fourteen days|14 days/i.test(msg)) {
    return new ExternalServiceError('feishu', 'card.too_old', msg, { retryable: false, details: { code } });
  }
  // Recalled (by a group admin, say) or deleted: that message is gone, a fresh card takes its place.
  if (code === CARD_RECALLED_CODE || /recalled|withdrawn/i.test(msg)) {
    return new ExternalServiceError('feishu', 'card.gone', msg, { retryable: false, details: { code } });
  }
  return undefined;
}

export function createFeishuMessenger(deps: FeishuMessengerDeps): Messenger {
  const appKey = `feishu:${deps.appId}:app`;
  const opts = (permits: CallOptions['permits'], classify?: CallOptions['classify']): CallOptions => ({
    limiter: deps.limiter, sleep: deps.sleep, permits, ...(classify ? { classify } : {}),
  });

  async function send(to: ChatTarget, msgType: 'interactive' | 'text', content: string, idempotencyKey: string): Promise<MessageRef> {
    const r = receiver(to);
    const res = await callFeishu<CreateMessageResponse>(deps.client, {
      method: 'POST',
      url: '/open-apis/im/v1/messages',
      params: { receive_id_type: r.type },
      data: { receive_id: r.id, msg_type: msgType, content, uuid: messageUuid(idempotencyKey) },
    }, opts([{ key: appKey, perSecond: APP_PER_SECOND, perMinute: APP_PER_MINUTE }, { key: `feishu:${deps.appId}:chat:${r.id}`, perSecond: CHAT_PER_SECOND }]), deps.onTokenInvalid);
    const messageId = res.data?.message_id;
    if (!messageId) throw new ExternalServiceError('feishu', 'feishu.bad_response', 'message create returned no message_id', { retryable: true });
    return { platform: 'feishu', botId: deps.botId, messageId, ...(res.data?.chat_id ? { extra: { chatId: res.data.chat_id } } : {}) };
  }

  return {
    platform: 'feishu',
    botId: deps.botId,
    sendCard: (to: ChatTarget, card: CardView, o: { idempotencyKey: string }) => send(to, 'interactive', JSON.stringify(renderFeishuCard(card)), o.idempotencyKey),
    sendText: (to: ChatTarget, text: string, o: { idempotencyKey: string }) => send(to, 'text', JSON.stringify({ text }), o.idempotencyKey),
    async updateCard(ref: MessageRef, card: CardView): Promise<void> {
      await callFeishu(deps.client, {
        method: 'PATCH',
        url: `/open-apis/im/v1/messages/${encodeURIComponent(ref.messageId)}`,
        data: { content: JSON.stringify(renderFeishuCard(card)) },
      }, opts([{ key: appKey, perSecond: APP_PER_SECOND, perMinute: APP_PER_MINUTE }, { key: `feishu:${deps.appId}:msg:${ref.messageId}`, perSecond: MESSAGE_PER_SECOND }], classifyPatch), deps.onTokenInvalid);
    },
  };
}
