import type { ErpOriginated } from '../../erp/erp-originated.ts';
import type { ErpDecidePayload } from '../../jobs/job-kinds.ts';
import type { JobHandler } from '../outbox-worker.ts';

/** erp.decide: send an ERP-originated request's decision back to its document (see ErpOriginated.decide). */
export function erpDecideHandler(originated: ErpOriginated): JobHandler<ErpDecidePayload> {
  return async (p, job) => {
    await originated.decide(job.tenantId, p);
  };
}
