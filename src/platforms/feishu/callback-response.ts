import type { AckReply } from '../../core/inbound-event.ts';
import { t } from '../../i18n/catalog.ts';
import { renderFeishuCard } from './render-card.ts';

/**
 * AckReply → the synchronous answer to a `card.action.trigger` callback ("卡片回传交互",
 * open.feishu.cn/document/uAjLw4CM/ukzMukzMukzM/feishu-cards/card-callback-communication): `{ toast?, card? }` with
 * `toast: { type: info|success|warning|error, content }` and `card: { type: "raw", data: <card JSON> }`; `{}` means
 * acknowledged with no visible change. It must come within 3 s and with HTTP 200: any other answer makes the client
 * show a bare error code instead of our words.
 */
export function toFeishuCallbackResponse(ack: AckReply): Record<string, unknown> {
  return {
    ...(ack.toast ? { toast: { type: ack.toast.type, content: ack.toast.text } } : {}),
    ...(ack.card ? { card: { type: 'raw', data: renderFeishuCard(ack.card) } } : {}),
  };
}


/**
 * The answer to a click the receiver could not hand on (not started yet, or it failed), in the bot's language:
 * an error toast the user can read, where a non-200 would surface as a bare client error code.
 */
export function clickFailureResponse(reason: 'failed' | 'starting', locale: 'zh' | 'en'): Record<string, unknown> {
  return { toast: { type: 'error', content: t(locale, reason === 'starting' ? 'toast.starting' : 'toast.clickFailed') } };
}
