import { z } from 'zod';
import { ExternalServiceError } from '../../src/core/errors.ts';
import type { JobHandlers } from '../../src/outbox/outbox-worker.ts';

/**
 * A test-only job kind for the crash test: POST JSON to an endpoint with `Idempotency-Key` = the job key, so a
 * receiver that dedupes (test/fakes/webhook-receiver.ts) sees one effect when a killed worker's job runs again.
 */
export const webhookKinds = { 'test.webhook': z.object({ url: z.string(), body: z.unknown() }) };

const TIMEOUT_MS = 10_000;

export function webhookHandlers(): JobHandlers<typeof webhookKinds> {
  return {
    'test.webhook': async (p, job) => {
      let res: Response;
      try {
        res = await fetch(p.url, {
          method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': job.idempotencyKey },
          body: JSON.stringify(p.body), signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (e: unknown) {
        throw new ExternalServiceError('webhook', 'webhook.unreachable', e instanceof Error ? e.message : String(e), { retryable: true, cause: e });
      }
      if (!res.ok) throw new ExternalServiceError('webhook', `webhook.http_${res.status}`, `webhook answered ${res.status}`, { retryable: true });
    },
  };
}
