import type { AckReply } from '../../core/inbound-event.ts';
import { renderDingtalkCard } from './render-card.ts';

/**
 * AckReply → the `response` of a card-callback ACK. DingTalk doc '事件回调' (open.dingtalk.com/document/
 * development/event-callback-card, "事件回调响应"): `cardData` is the card's public data; `userPrivateData` is
 * the private data of the user who clicked ("触发回调用户的私有数据，不需要以用户的 userId 为 key");
 * `cardUpdateOptions` says whether each is updated by key or replaced. Answer within 2 s.
 *
 * DingTalk has no toast. The AckReply's toast (done, refused, "write the comment first", "not your step"…)
 * becomes a note in the clicker's private data, `notice` / `notice_tone`, which the templates show under the
 * body: the person who clicked sees why on their own copy of the card, and nobody else's copy changes. A refused
 * click carries no card, so without this the clicker saw nothing at all.
 */
export function toDingtalkCallbackResponse(ack: AckReply): Record<string, unknown> {
  const cardData = ack.card ? { cardParamMap: renderDingtalkCard(ack.card).cardParamMap } : undefined;
  const userPrivateData = ack.toast ? { cardParamMap: { notice: ack.toast.text, notice_tone: ack.toast.type } } : undefined;
  if (!cardData && !userPrivateData) return {};
  return {
    ...(cardData ? { cardData } : {}),
    ...(userPrivateData ? { userPrivateData } : {}),
    cardUpdateOptions: { ...(cardData ? { updateCardDataByKey: true } : {}), ...(userPrivateData ? { updatePrivateDataByKey: true } : {}) },
  };
}
