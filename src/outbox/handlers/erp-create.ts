import type { ErpService } from '../../erp/erp-service.ts';
import type { ErpCreatePayload } from '../../jobs/job-kinds.ts';
import type { JobHandler } from '../outbox-worker.ts';

/** erp.create: create the approved request's ERP document (exactly once, see ErpService). */
export function erpCreateHandler(erp: ErpService): JobHandler<ErpCreatePayload> {
  return async (p, job) => {
    await erp.createForRequest(job.tenantId, p.requestId);
  };
}
