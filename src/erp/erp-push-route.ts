import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import { readBodyText } from '../http/body.ts';
import { assertSafeText } from '../http/text-guard.ts';
import { PushRefused, verifyPush, type ErpPushes, type PushInstance } from './erp-push.ts';

/** What a refused push leaves behind: the audit row (instance, code; the body may be hostile). */
export type OnPushRefused = (r: { instance: string; tenant: string | null; status: number; code: string }) => Promise<void>;

/**
 * `POST /webhooks/erp/:instance` (erp-push.ts has the scheme). Answers 202 once the push is stored, before any
 * work; every refusal is JSON `{error:{code,message}}` and changes nothing.
 */
export function erpPushRoutes(d: { instances: Map<string, PushInstance>; pushes: ErpPushes; clock: Clock; logger: Logger; onRefused?: OnPushRefused; onAccepted?: (instance: string) => void }): Hono {
  const app = new Hono();
  app.post('/:instance', async (c) => {
    const name = c.req.param('instance');
    const inst = d.instances.get(name);
    const refuse = async (e: AppError): Promise<Response> => {
      await d.onRefused?.({ instance: name, tenant: inst?.tenant ?? null, status: e.httpStatus, code: e.code })
        .catch((err: unknown) => d.logger.warn({ err }, 'audit of a refused ERP push failed'));
      return c.json({ error: { code: e.code, message: e.message } }, e.httpStatus as 400);
    };
    try {
      if (!inst) throw new PushRefused('erp.push_unknown_instance', `no ERP instance "${name}" takes pushes here`, 404);
      if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) throw new PushRefused('erp.push_bad_request', 'the body must be application/json', 415);
      const raw = await readBodyText(c);
      const eventId = verifyPush(inst, {
        eventId: c.req.header('x-erp-event-id'), timestamp: c.req.header('x-erp-timestamp'), signature: c.req.header('x-erp-signature'),
      }, raw, d.clock.now());
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        throw new PushRefused('erp.push_invalid', 'the body is not JSON', 400);
      }
      // Ids and texts the database could not store are refused here, before the push is recorded.
      assertSafeText(body, 'body');
      const res = await d.pushes.accept(inst, eventId, body);
      d.onAccepted?.(inst.id);
      return c.json({ accepted: true, event_id: eventId, documents: res.documents }, 202);
    } catch (e: unknown) {
      if (e instanceof AppError && e.httpStatus < 500) return refuse(e);
      throw e;
    }
  });
  return app;
}
