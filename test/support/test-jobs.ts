import { z } from 'zod';

/**
 * Job kinds of tests of the worker's mechanics (retries, leases, queues, crashes), each with an empty payload:
 * registered by the test itself (`new OutboxWorker({ schemas, handlers })`, `enqueue<typeof schemas>(…)`), so
 * the app's kinds (src/jobs/job-kinds.ts) stay the only ones the app can enqueue.
 */
export function emptyKinds<K extends string>(...kinds: K[]): Record<K, typeof empty> {
  return Object.fromEntries(kinds.map((k) => [k, empty])) as Record<K, typeof empty>;
}

const empty = z.object({});
