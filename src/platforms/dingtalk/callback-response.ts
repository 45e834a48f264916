import type { AckReply } from '../platform.ts';
import { renderDingtalkCard } from './render-card.ts';

/**
 * AckReply → the `response` object of a card-callback ACK (im-platforms.md B3.4): public card data by key.
 * DingTalk has no toast in this response; a toast-only AckReply yields `{}` (card unchanged).
 * Must be sent within 2 s.
 */
export function toDingtalkCallbackResponse(ack: AckReply): Record<string, unknown> {
  if (!ack.card) return {};
  return {
    cardData: { cardParamMap: renderDingtalkCard(ack.card).cardParamMap },
    cardUpdateOptions: { updateCardDataByKey: true },
  };
}
