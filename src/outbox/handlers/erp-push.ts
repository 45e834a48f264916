import type { ErpPushes } from '../../erp/erp-push.ts';
import type { ErpPushPayload } from '../../jobs/job-kinds.ts';
import type { JobHandler } from '../outbox-worker.ts';

/** erp.push: read the documents a verified push named back from their ERP and apply what they say now. */
export function erpPushHandler(pushes: ErpPushes): JobHandler<ErpPushPayload> {
  return async (p, job) => {
    await pushes.apply(job.tenantId, p);
  };
}
