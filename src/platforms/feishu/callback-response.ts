import type { AckReply } from '../platform.ts';
import { renderFeishuCard } from './render-card.ts';

/**
 * AckReply → the synchronous body of a `card.action.trigger` answer (im-platforms.md A2.3): `{ toast?, card? }`,
 * `{}` = acknowledged with no visible change. Must be returned within 3 s.
 */
export function toFeishuCallbackResponse(ack: AckReply): Record<string, unknown> {
  return {
    ...(ack.toast ? { toast: { type: ack.toast.type, content: ack.toast.text } } : {}),
    ...(ack.card ? { card: { type: 'raw', data: renderFeishuCard(ack.card) } } : {}),
  };
}
