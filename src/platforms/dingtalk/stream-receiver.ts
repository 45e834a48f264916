import { TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import type { Clock } from '../../core/clock.ts';
import type { PlatformLogger, Receiver } from '../platform.ts';
import type { AcceptEvent, AckReply } from '../../core/inbound-event.ts';
import { toDingtalkCallbackResponse } from './callback-response.ts';
import { normalizeCardCallback, normalizeRobotMessage, type NormalizeResult } from './normalize.ts';
import type { StreamSource } from './stream-client.ts';
import type { StreamFrame } from './types.ts';

/**
 * Stream-mode receiver for robot messages (TOPIC_ROBOT) and card callbacks (TOPIC_CARD). Normalize → accept
 * (an inbox insert) → ACK. Robot messages are pushed again when not ACKed (the SDK's own note on
 * `socketCallBackResponse`: "如果消息长时间未响应会在一定时间内(60s)重试推消息"), so a failed accept is NOT acked
 * and the platform delivers it again; card callbacks always get an answer within the 2 s deadline.
 */
export interface StreamReceiverDeps {
  botId: string;
  tenantId: string;
  source: StreamSource;
  clock: Clock;
  logger: PlatformLogger;
}

/**
 * Card callbacks must be answered within 2 s (DingTalk doc '事件回调', open.dingtalk.com/document/development/
 * event-callback-card: "请在 2 秒内完成业务处理并响应"); leave headroom for the socket write.
 */
const CARD_CALLBACK_BUDGET_MS = 1_500;

function withinBudget(p: Promise<AckReply>, ms: number): Promise<AckReply | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function createDingtalkStreamReceiver(deps: StreamReceiverDeps): Receiver {
  let accept: AcceptEvent | undefined;
  let registered = false;
  const ctx = () => ({ botId: deps.botId, tenantId: deps.tenantId, receivedAt: deps.clock.now() });
  const ignored = (frame: StreamFrame, r: Extract<NormalizeResult, { kind: 'ignored' }>) =>
    deps.logger.info({ botId: deps.botId, messageId: frame.headers.messageId, reason: r.reason }, 'dingtalk frame ignored');

  async function onRobot(frame: StreamFrame): Promise<void> {
    const norm = normalizeRobotMessage(frame, ctx());
    if (norm.kind === 'ignored' || !accept) {
      if (norm.kind === 'ignored') ignored(frame, norm);
      deps.source.respond(frame.headers.messageId, null);
      return;
    }
    try {
      await accept(norm.event);
      deps.source.respond(frame.headers.messageId, null);
    } catch (e: unknown) {
      deps.logger.error({ botId: deps.botId, eventId: norm.event.eventId, err: e instanceof Error ? e.message : String(e) }, 'dingtalk accept failed; leaving unacked for re-push');
    }
  }

  async function onCard(frame: StreamFrame): Promise<void> {
    const norm = normalizeCardCallback(frame, ctx());
    if (norm.kind === 'ignored' || !accept) {
      if (norm.kind === 'ignored') ignored(frame, norm);
      deps.source.respond(frame.headers.messageId, {});
      return;
    }
    let response: Record<string, unknown> = {};
    try {
      const ack = await withinBudget(accept(norm.event), CARD_CALLBACK_BUDGET_MS);
      if (ack === 'timeout') deps.logger.warn({ botId: deps.botId, eventId: norm.event.eventId }, 'dingtalk card callback over budget; answered empty');
      else response = toDingtalkCallbackResponse(ack);
    } catch (e: unknown) {
      deps.logger.error({ botId: deps.botId, eventId: norm.event.eventId, err: e instanceof Error ? e.message : String(e) }, 'dingtalk card accept failed');
    }
    deps.source.respond(frame.headers.messageId, response);
  }

  return {
    id: `${deps.botId}:stream`,
    async start(fn) {
      accept = fn;
      if (!registered) {
        // A rejection here would be unhandled, and Node ends the process on those: log it instead.
        const guard = (what: string) => (e: unknown) => deps.logger.error({ botId: deps.botId, err: e instanceof Error ? e.message : String(e) }, `dingtalk ${what} handler failed`);
        deps.source.onCallback(TOPIC_ROBOT, (f) => { onRobot(f).catch(guard('robot message')); });
        deps.source.onCallback(TOPIC_CARD, (f) => { onCard(f).catch(guard('card callback')); });
        registered = true;
      }
      await deps.source.start();
    },
    async stop() {
      await deps.source.stop();
      accept = undefined;
    },
  };
}
