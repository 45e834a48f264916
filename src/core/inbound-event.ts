import type { CardView } from './card-view.ts';
/**
 * Platform-neutral inbound events. Receivers (Feishu webhook/WS, DingTalk stream, console API)
 * normalize raw payloads into these and hand them to the inbox.
 */
export type PlatformName = 'console' | 'feishu' | 'dingtalk';

/** A person as one platform knows them. `externalId` is the id messages are addressed to. */
export interface PlatformUserRef {
  platform: PlatformName;
  botId: string;
  externalId: string;
  /** Other ids of the same person on the same platform (Feishu union_id / user_id, DingTalk unionId / staffId). */
  aliases?: string[];
  name?: string;
}

/** Where to send: a p2p chat with a user, or a group chat. */
export interface ChatTarget {
  platform: PlatformName;
  botId: string;
  /** Platform chat id; absent for p2p-by-user delivery. */
  chatId?: string;
  /** Recipient's platform user id (open_id, staffId, console user). */
  userExternalId?: string;
}

/** A sent message that can be updated in place. `extra` carries platform specifics (DingTalk outTrackId). */
export interface MessageRef {
  platform: PlatformName;
  botId: string;
  messageId: string;
  extra?: Record<string, string>;
}

interface InboundBase {
  /** Dedupe key part 1: "console", "feishu:<botId>", "dingtalk:<botId>". */
  source: string;
  /** Dedupe key part 2: the platform's event / message / callback id. */
  eventId: string;
  platform: PlatformName;
  botId: string;
  tenantId: string;
  sender: PlatformUserRef;
  receivedAt: Date;
}

export interface InboundMessage extends InboundBase {
  kind: 'message';
  chat: ChatTarget;
  chatType: 'p2p' | 'group';
  text: string;
}

export interface InboundCardAction extends InboundBase {
  kind: 'card_action';
  message: MessageRef;
  chat: ChatTarget;
  actionId: string;
  /** The button's value as the platform delivered it (signed) or as stored with the card (console). */
  value: Record<string, string>;
  form: Record<string, unknown>;
}

export type InboundEvent = InboundMessage | InboundCardAction;

/** The synchronous answer to an inbound event: a toast and/or a replacement card for clicks. */
export interface AckReply {
  toast?: { type: 'info' | 'success' | 'warning' | 'error'; text: string };
  card?: CardView;
  /** HTTP-style status for transports that have one (console API, webhooks). */
  status?: number;
  error?: { code: string; message: string };
}

export type AcceptEvent = (e: InboundEvent) => Promise<AckReply>;
