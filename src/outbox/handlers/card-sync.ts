import type { Kysely } from 'kysely';
import { deliverCard, type CardDeliveryDeps } from '../../cards/card-delivery.ts';
import { buildRequestCard } from '../../cards/request-card.ts';
import type { IntentVersions } from '../../config/intent-versions.ts';
import type { Locale } from '../../conversation/resolver.ts';
import type { Database } from '../../db/database.ts';
import { getUsers } from '../../directory/directory-repo.ts';
import type { DirectoryViews } from '../../directory/directory-view.ts';
import * as requestRepo from '../../workflow/request-repo.ts';
import type { CardSyncPayload } from '../job-kinds.ts';
import type { JobHandler } from '../outbox-worker.ts';

export interface CardSyncDeps extends CardDeliveryDeps {
  db: Kysely<Database>;
  intents: IntentVersions;
  directory: DirectoryViews;
  localeOf: (botId: string) => Locale;
  timeZone: string;
}

/** A transfer picker lists at most this many people (Feishu and DingTalk have their own person pickers). */
const MAX_TRANSFER_OPTIONS = 200;

/**
 * card.sync: renders a request's card for one participant and sends or patches it. The state is read
 * once, before the subject's lease: deliverCard applies a render only if its version is newer than the
 * one on the card, and every later change enqueues its own card.sync, so a late job never shows an
 * older state and the newest state always arrives.
 */
export function cardSyncHandler(d: CardSyncDeps): JobHandler {
  return async (job) => {
    const p = job.payload as CardSyncPayload;
    const found = await requestRepo.findRequestForCard(d.db, job.tenantId, p.requestId);
    if (!found) return;
    const { request: req, tasks, erp } = found;
    const intent = await d.intents.definition(job.tenantId, req.intentKey, req.intentVersion);
    if (!intent) return;
    const people = await d.directory.people(job.tenantId);
    const colleagues = p.role === 'approver' ? people.active.slice(0, MAX_TRANSFER_OPTIONS) : [];
    // People who left the directory still have a name on old requests.
    const gone = [req.requesterId, ...tasks.map((t) => t.approverId)].filter((id) => people.name(id) === undefined);
    const former = gone.length > 0 ? await getUsers(d.db, job.tenantId, gone) : undefined;
    await deliverCard(d, {
      tenantId: job.tenantId, subject: `request:${req.id}:${p.role}:${p.userId}`, userId: p.userId, requestId: req.id,
      ...(p.role === 'requester' ? { target: req.origin } : {}),
      render: async (to) => {
        const card = buildRequestCard({
          request: req, tasks, intent, erp, viewer: p.userId, role: p.role,
          nameOf: (id) => people.name(id) ?? former?.get(id)?.name, colleagues,
          locale: d.localeOf(to.botId), timeZone: d.timeZone,
        });
        return { card, version: req.version };
      },
    });
  };
}
