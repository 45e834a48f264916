import * as lark from '@larksuiteoapi/node-sdk';
import type { Clock } from '../../core/clock.ts';
import type { PlatformLogger, Receiver } from '../platform.ts';
import type { AcceptEvent } from '../../core/inbound-event.ts';
import { clickFailureResponse, toFeishuCallbackResponse } from './callback-response.ts';
import { sdkLogger } from './logger.ts';
import { CARD_ACTION_EVENT, MESSAGE_EVENT, normalizeFeishuEvent } from './normalize.ts';

/**
 * Long-connection receiver (the SDK's WSClient, docs/platforms/feishu.md §5). The transport is authenticated, so no
 * signature/token checks. The SDK awaits our handler before acking and Feishu re-pushes after 3 s, so the
 * handler only normalizes and calls `accept` (which is an inbox insert).
 */
export interface FeishuWsDeps {
  botId: string;
  tenantId: string;
  appId: string;
  appSecret: string;
  domain: string | lark.Domain;
  clock: Clock;
  logger: PlatformLogger;
  botOpenId: () => string | undefined;
  /** The bot's language: what a click that could not be handed on is answered in. */
  locale: 'zh' | 'en';
}

/** Liveness watchdog (seconds without any frame after a ping); the SDK leaves it off by default (docs/platforms/feishu.md §5.2). */
const PING_TIMEOUT_SEC = 30;
/** Bounds a stuck handshake so the SDK's retry loop moves on (node-sdk#197). */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** The dispatcher flattens `{schema, header, event}` into one object; header fields sit beside the event's. */
function envelopeFrom(eventType: string, data: unknown) {
  const rec = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const str = (k: string) => (typeof rec[k] === 'string' ? (rec[k] as string) : undefined);
  return { header: { event_id: str('event_id'), event_type: str('event_type') ?? eventType, create_time: str('create_time') }, event: rec };
}

export function createFeishuWsReceiver(deps: FeishuWsDeps): Receiver {
  let ws: lark.WSClient | undefined;

  const handle = async (eventType: string, data: unknown, accept: AcceptEvent): Promise<Record<string, unknown> | undefined> => {
    const norm = normalizeFeishuEvent(envelopeFrom(eventType, data), {
      botId: deps.botId, tenantId: deps.tenantId, botOpenId: deps.botOpenId(), receivedAt: deps.clock.now(),
    });
    if (norm.kind === 'ignored') {
      deps.logger.info({ botId: deps.botId, reason: norm.reason }, 'feishu event ignored');
      return undefined;
    }
    if (norm.event.kind !== 'card_action') {
      await accept(norm.event);
      return undefined;
    }
    // A click is answered with a readable toast even when it could not be handled (callback-response.ts).
    try {
      const ack = await accept(norm.event);
      return ack.error && !ack.toast ? clickFailureResponse('failed', deps.locale) : toFeishuCallbackResponse(ack);
    } catch (e: unknown) {
      deps.logger.error({ botId: deps.botId, eventId: norm.event.eventId, err: e instanceof Error ? e.message : String(e) }, 'feishu click failed');
      return clickFailureResponse('failed', deps.locale);
    }
  };

  return {
    id: `${deps.botId}:websocket`,
    async start(accept) {
      const dispatcher = new lark.EventDispatcher({ logger: sdkLogger(deps.logger, 'feishu-dispatcher') }).register<{
        [CARD_ACTION_EVENT]: (d: unknown) => Promise<Record<string, unknown> | undefined>;
      }>({
        [MESSAGE_EVENT]: (d: unknown) => handle(MESSAGE_EVENT, d, accept),
        [CARD_ACTION_EVENT]: (d: unknown) => handle(CARD_ACTION_EVENT, d, accept),
      });
      ws = new lark.WSClient({
        appId: deps.appId,
        appSecret: deps.appSecret,
        domain: deps.domain,
        logger: sdkLogger(deps.logger, 'feishu-ws'),
        handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
        wsConfig: { pingTimeout: PING_TIMEOUT_SEC },
        onError: (err: Error) => deps.logger.error({ botId: deps.botId, err: err.message }, 'feishu long connection failed'),
      });
      await ws.start({ eventDispatcher: dispatcher });
    },
    async stop() {
      ws?.close({ force: true });
      ws = undefined;
    },
  };
}
