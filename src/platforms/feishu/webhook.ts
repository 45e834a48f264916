import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Clock } from '../../core/clock.ts';
import { readBodyText } from '../../http/body.ts';
import type { PlatformLogger, Receiver } from '../platform.ts';
import type { AcceptEvent } from '../../core/inbound-event.ts';
import { clickFailureResponse, toFeishuCallbackResponse } from './callback-response.ts';
import { normalizeFeishuEvent } from './normalize.ts';
import { headerSchema } from './types.ts';
import { openWebhook, type WebhookSecurity } from './verify.ts';

/**
 * HTTP webhook for events and card callbacks (mounted at `/webhooks/feishu/<botId>`). Verify → normalize →
 * accept → answer; no business logic. Rejections get 401 `{error:{code,message}}` and reach `onRejected`.
 */
export interface FeishuWebhookDeps {
  botId: string;
  tenantId: string;
  security: WebhookSecurity;
  clock: Clock;
  logger: PlatformLogger;
  /** Awaited before the 401 goes out, so a refused request is on record when the sender sees the refusal. */
  onRejected?: ((reason: string, meta: Record<string, unknown>) => unknown) | undefined;
  botOpenId: () => string | undefined;
  /** The bot's language: what a click the receiver could not hand on is answered in. */
  locale: 'zh' | 'en';
}

export function createFeishuWebhook(deps: FeishuWebhookDeps): { app: Hono; receiver: Receiver } {
  let accept: AcceptEvent | undefined;
  const app = new Hono();

  app.post('/', async (c) => {
    const raw = await readBodyText(c);
    const now = deps.clock.now();
    const opened = openWebhook(raw, {
      timestamp: c.req.header('x-lark-request-timestamp'),
      nonce: c.req.header('x-lark-request-nonce'),
      signature: c.req.header('x-lark-signature'),
    }, deps.security, now);
    if (!opened.ok) {
      const meta = { botId: deps.botId, platform: 'feishu', ip: c.req.header('x-forwarded-for'), bytes: raw.length };
      deps.logger.warn({ ...meta, reason: opened.reason }, 'feishu webhook rejected');
      try { await deps.onRejected?.(opened.reason, meta); } catch { /* the hook logs its own failures; stay refused */ }
      return c.json({ error: { code: opened.reason, message: 'request verification failed' } }, 401);
    }
    if (opened.value.kind === 'challenge') return c.json({ challenge: opened.value.challenge });
    const body = opened.value.body;
    const header = headerSchema.safeParse(body['header']);
    if (!header.success) return c.json({}); // 1.0 events and unknown shapes: acknowledged, not handled
    const norm = normalizeFeishuEvent({ header: header.data, event: body['event'] }, {
      botId: deps.botId, tenantId: deps.tenantId, botOpenId: deps.botOpenId(), receivedAt: now,
    });
    if (norm.kind === 'ignored') {
      deps.logger.info({ botId: deps.botId, eventId: header.data.event_id, reason: norm.reason }, 'feishu event ignored');
      return c.json({});
    }
    const click = norm.event.kind === 'card_action';
    // A click is always answered 200 with a toast the user can read: any other status makes the client show a
    // bare error code (callback-response.ts). An event gets 503/500, so Feishu pushes it again.
    if (!accept) {
      return click ? c.json(clickFailureResponse('starting', deps.locale)) : c.json({ error: { code: 'feishu.not_ready', message: 'receiver not started' } }, 503);
    }
    try {
      const ack = await accept(norm.event);
      if (click) return c.json(ack.error && !ack.toast ? clickFailureResponse('failed', deps.locale) : toFeishuCallbackResponse(ack));
      if (ack.error) return c.json({ error: ack.error }, (ack.status ?? 500) as ContentfulStatusCode);
      return c.json({});
    } catch (e: unknown) {
      deps.logger.error({ botId: deps.botId, eventId: norm.event.eventId, err: e instanceof Error ? e.message : String(e) }, 'feishu accept failed');
      return click ? c.json(clickFailureResponse('failed', deps.locale)) : c.json({ error: { code: 'internal.error', message: 'accept failed' } }, 500);
    }
  });

  const receiver: Receiver = {
    id: `${deps.botId}:webhook`,
    async start(fn) { accept = fn; },
    async stop() { accept = undefined; },
  };
  return { app, receiver };
}
