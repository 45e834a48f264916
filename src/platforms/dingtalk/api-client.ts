import { createHash } from 'node:crypto';
import type { CardView } from '../../core/card-view.ts';
import { ExternalServiceError } from '../../core/errors.ts';
import type { ChatTarget, MessageRef } from '../../core/inbound-event.ts';
import type { Messenger } from '../platform.ts';
import type { DingtalkHttp } from './open-api.ts';
import { renderDingtalkCard, renderMarkdownFallback, type TemplateKind } from './render-card.ts';

/**
 * DingTalk Messenger: template cards via createAndDeliver / PUT card instances (DingTalk docs '创建并投放卡片' and
 * '更新卡片'), robot messages via oToMessages/batchSend and groupMessages/send (docs '批量发送人与机器人会话中机器人消息',
 * '机器人发送群聊消息'; msgKey/msgParam per '消息发送与接收类型'). Card sends are idempotent through `outTrackId`
 * (derived from the idempotency key; a repeat answers `param.cardAlreadyExist`). Robot sends have no
 * server-side idempotency key, so repeats are caught by a bounded in-process memory only.
 */
export interface DingtalkMessengerDeps {
  botId: string;
  robotCode: string;
  templates: Partial<Record<TemplateKind, string>>;
  locale: 'zh' | 'en';
  http: DingtalkHttp;
}

/** How many recent robot-message idempotency keys we remember (covers outbox retries within one process). */
const RECENT_SENDS = 10_000;

export function outTrackIdFor(idempotencyKey: string): string {
  return 'aa' + createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40);
}

function errorCode(e: unknown): unknown {
  return e instanceof ExternalServiceError ? e.details?.['code'] : undefined;
}

const noRecipient = () => new ExternalServiceError('dingtalk', 'dingtalk.no_recipient', 'ChatTarget has neither chatId nor userExternalId', { retryable: false });

interface DeliverResponse { result?: { deliverResults?: { success?: boolean; errorMsg?: string; spaceId?: string }[] } }

export function createDingtalkMessenger(deps: DingtalkMessengerDeps): Messenger {
  const recent = new Map<string, MessageRef>();
  const remember = (key: string, ref: MessageRef) => {
    recent.set(key, ref);
    if (recent.size > RECENT_SENDS) recent.delete(recent.keys().next().value as string);
  };

  function space(to: ChatTarget) {
    if (to.chatId) {
      return { openSpaceId: `dtv1.card//IM_GROUP.${to.chatId}`, imGroupOpenSpaceModel: { supportForward: false }, imGroupOpenDeliverModel: { robotCode: deps.robotCode } };
    }
    if (to.userExternalId) {
      return { openSpaceId: `dtv1.card//IM_ROBOT.${to.userExternalId}`, imRobotOpenSpaceModel: { supportForward: false }, imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: deps.robotCode } };
    }
    throw noRecipient();
  }

  async function robotSend(to: ChatTarget, msgKey: string, msgParam: unknown, key: string): Promise<MessageRef> {
    const seen = recent.get(key);
    if (seen) return seen;
    let res: { processQueryKey?: string; invalidStaffIdList?: string[]; flowControlledStaffIdList?: string[] };
    if (to.chatId) {
      res = await deps.http.call({ style: 'api', method: 'POST', path: '/v1.0/robot/groupMessages/send', body: { robotCode: deps.robotCode, openConversationId: to.chatId, msgKey, msgParam: JSON.stringify(msgParam) } });
    } else if (to.userExternalId) {
      res = await deps.http.call({ style: 'api', method: 'POST', path: '/v1.0/robot/oToMessages/batchSend', body: { robotCode: deps.robotCode, userIds: [to.userExternalId], msgKey, msgParam: JSON.stringify(msgParam) } });
      if (res.invalidStaffIdList?.length) throw new ExternalServiceError('dingtalk', 'dingtalk.invalid_user', `invalid staff id ${to.userExternalId}`, { retryable: false });
      if (res.flowControlledStaffIdList?.length) throw new ExternalServiceError('dingtalk', 'dingtalk.rate_limited', 'recipient flow-controlled', { retryable: true, retryAfterMs: 1000, throttled: true });
    } else {
      throw noRecipient();
    }
    const ref: MessageRef = { platform: 'dingtalk', botId: deps.botId, messageId: res.processQueryKey ?? key, extra: { mode: 'robot' } };
    remember(key, ref);
    return ref;
  }

  async function deliverCard(to: ChatTarget, card: CardView, templateId: string, key: string): Promise<MessageRef> {
    const { kind, cardParamMap } = renderDingtalkCard(card);
    const outTrackId = outTrackIdFor(key);
    const ref: MessageRef = { platform: 'dingtalk', botId: deps.botId, messageId: outTrackId, extra: { outTrackId, mode: 'card', template: kind } };
    try {
      const res = await deps.http.call<DeliverResponse>({ style: 'api', method: 'POST', path: '/v1.0/card/instances/createAndDeliver', body: {
        cardTemplateId: templateId, outTrackId, callbackType: 'STREAM', cardData: { cardParamMap }, userIdType: 1, ...space(to),
      } });
      const failed = res.result?.deliverResults?.find((d) => d.success === false);
      if (failed) throw new ExternalServiceError('dingtalk', 'dingtalk.deliver_failed', failed.errorMsg ?? 'card delivery failed', { retryable: false, details: { spaceId: failed.spaceId } });
    } catch (e: unknown) {
      if (errorCode(e) !== 'param.cardAlreadyExist') throw e;
    }
    return ref;
  }

  return {
    platform: 'dingtalk',
    botId: deps.botId,
    async sendCard(to, card, o) {
      const templateId = deps.templates[renderDingtalkCard(card).kind];
      if (templateId) return deliverCard(to, card, templateId, o.idempotencyKey);
      return robotSend(to, 'sampleMarkdown', renderMarkdownFallback(card, deps.locale), o.idempotencyKey);
    },
    sendText: (to, text, o) => robotSend(to, 'sampleText', { content: text }, o.idempotencyKey),
    async updateCard(ref, card) {
      const outTrackId = ref.extra?.['outTrackId'];
      if (!outTrackId || ref.extra?.['mode'] !== 'card') {
        // Robot messages cannot be edited: the caller sends a fresh card instead (same contract as an expired card).
        throw new ExternalServiceError('dingtalk', 'card.too_old', 'DingTalk robot messages cannot be updated in place', { retryable: false });
      }
      try {
        await deps.http.call({ style: 'api', method: 'PUT', path: '/v1.0/card/instances', body: {
          outTrackId, cardData: { cardParamMap: renderDingtalkCard(card).cardParamMap }, cardUpdateOptions: { updateCardDataByKey: true }, userIdType: 1,
        } });
      } catch (e: unknown) {
        if (errorCode(e) === 'param.cardNotExist') throw new ExternalServiceError('dingtalk', 'card.too_old', 'card instance no longer exists', { retryable: false, cause: e });
        throw e;
      }
    },
  };
}
