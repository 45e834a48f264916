import { ExternalServiceError } from '../../core/errors.ts';
import type { WebhookPostPayload } from '../../jobs/job-kinds.ts';
import type { JobHandler } from '../outbox-worker.ts';

/** Timeout of one outbound webhook call; a slow receiver is retried, not waited on forever. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * webhook.post: POSTs JSON to an integration endpoint with `Idempotency-Key` = the job key, so a receiver
 * that dedupes sees one effect even when a crashed worker's job runs again.
 */
export function webhookPostHandler(fetchImpl: typeof fetch = fetch): JobHandler {
  return async (job) => {
    const p = job.payload as WebhookPostPayload;
    let res: Response;
    try {
      res = await fetchImpl(p.url, {
        method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': job.idempotencyKey },
        body: JSON.stringify(p.body), signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
    } catch (e: unknown) {
      throw new ExternalServiceError('webhook', 'webhook.unreachable', e instanceof Error ? e.message : String(e), { retryable: true, cause: e });
    }
    if (res.ok) return;
    const retryable = res.status >= 500 || res.status === 429;
    const after = Number(res.headers.get('retry-after'));
    throw new ExternalServiceError('webhook', `webhook.http_${res.status}`, `webhook answered ${res.status}`, {
      retryable, ...(Number.isFinite(after) && after > 0 ? { retryAfterMs: after * 1000 } : {}),
    });
  };
}
