import type { Kysely } from 'kysely';
import { deliverCard, type CardDeliveryDeps } from '../../cards/card-delivery.ts';
import { buildRequestCard } from '../../cards/request-card.ts';
import type { IntentVersions } from '../../config/intent-versions.ts';
import type { Locale } from '../../conversation/resolver.ts';
import type { Database } from '../../db/database.ts';
import { getUsers, listActiveUsers } from '../../directory/directory-repo.ts';
import { erpDocForRequest } from '../../erp/erp-doc-view.ts';
import * as requestRepo from '../../workflow/request-repo.ts';
import type { CardSyncPayload } from '../job-kinds.ts';
import type { JobHandler } from '../outbox-worker.ts';

export interface CardSyncDeps extends CardDeliveryDeps {
  db: Kysely<Database>;
  intents: IntentVersions;
  localeOf: (botId: string) => Locale;
  timeZone: string;
}

/** A transfer picker lists at most this many people (Feishu and DingTalk have their own person pickers). */
const MAX_TRANSFER_OPTIONS = 200;

/** card.sync: renders a request's card for one participant from current state and sends or patches it. */
export function cardSyncHandler(d: CardSyncDeps): JobHandler {
  return async (job) => {
    const p = job.payload as CardSyncPayload;
    const req = await requestRepo.findRequest(d.db, job.tenantId, p.requestId);
    if (!req) return;
    const subject = `request:${req.id}:${p.role}:${p.userId}`;
    await deliverCard(d, {
      tenantId: job.tenantId, subject, userId: p.userId, requestId: req.id,
      ...(p.role === 'requester' ? { target: req.origin } : {}),
      render: async (to) => {
        // Rendered under the subject's lease from what is current now, so a late job never shows an older state.
        const found = await requestRepo.findRequestWithTasks(d.db, job.tenantId, p.requestId);
        const fresh = found?.request;
        const intent = fresh && (await d.intents.definition(job.tenantId, fresh.intentKey, fresh.intentVersion));
        if (!found || !fresh || !intent) return null;
        const { tasks } = found;
        const colleagues = p.role === 'approver' ? await listActiveUsers(d.db, job.tenantId, MAX_TRANSFER_OPTIONS) : [];
        const names = await getUsers(d.db, job.tenantId, [fresh.requesterId, ...tasks.map((t) => t.approverId), ...colleagues.map((c) => c.id)]);
        const card = buildRequestCard({
          request: fresh, tasks, intent, erp: await erpDocForRequest(d.db, fresh.id), viewer: p.userId, role: p.role,
          names: new Map([...names].map(([id, u]) => [id, u.name])), colleagues: colleagues.map((c) => ({ id: c.id, name: c.name })),
          locale: d.localeOf(to.botId), timeZone: d.timeZone,
        });
        return { card, version: fresh.version };
      },
    });
  };
}
