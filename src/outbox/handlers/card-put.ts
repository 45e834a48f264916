import { deliverCard, type CardDeliveryDeps } from '../card-delivery.ts';
import type { CardPutPayload } from '../../jobs/job-kinds.ts';
import type { JobHandler } from '../outbox-worker.ts';

/** card.put: delivers a card built at enqueue time (dialog, help, status list) under its subject. */
export function cardPutHandler(d: CardDeliveryDeps): JobHandler<CardPutPayload> {
  return async (p, job) => {
    await deliverCard(d, {
      tenantId: job.tenantId, subject: p.subject, userId: p.userId, ...(p.target ? { target: p.target } : {}),
      render: async () => ({ card: p.card, version: p.version }),
    });
  };
}
