import type { Kysely } from 'kysely';
import { deliverCard, type CardDeliveryDeps } from '../card-delivery.ts';
import { buildRequestCard } from '../../cards/request-card.ts';
import type { IntentVersions } from '../../workflow/intent-versions.ts';
import type { Locale } from '../../core/locale.ts';
import type { ChatTarget } from '../../core/inbound-event.ts';
import type { Database } from '../../db/database.ts';
import { recipientChatLocale } from '../../directory/chat-locales.ts';
import { activePeopleOnBot, getUsers } from '../../directory/directory-repo.ts';
import type { DirectoryViews } from '../../directory/directory-view.ts';
import * as requestRepo from '../../workflow/request-repo.ts';
import type { CardSyncPayload } from '../../jobs/job-kinds.ts';
import type { JobHandler } from '../outbox-worker.ts';

export interface CardSyncDeps extends CardDeliveryDeps {
  db: Kysely<Database>;
  intents: IntentVersions;
  directory: DirectoryViews;
  /** A bot's language: the card's until its recipient has written in one to that bot. */
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
export function cardSyncHandler(d: CardSyncDeps): JobHandler<CardSyncPayload> {
  return async (p, job) => {
    const found = await requestRepo.findRequestForCard(d.db, job.tenantId, p.requestId);
    if (!found) return;
    const { request: req, tasks, erp } = found;
    const intent = await d.intents.definition(job.tenantId, req.intentKey, req.intentVersion);
    if (!intent) return;
    const people = await d.directory.people(job.tenantId);
    // The transfer picker is shown only while the viewer's task is pending (buildRequestCard).
    const picking = p.role === 'approver' && req.status === 'pending'
      && tasks.some((t) => t.revision === req.revision && t.approverId === p.userId && t.status === 'pending');
    // People who left the directory still have a name on old requests.
    const gone = [req.requesterId, ...tasks.map((t) => t.approverId)].filter((id) => people.name(id) === undefined);
    const former = gone.length > 0 ? await getUsers(d.db, job.tenantId, gone) : undefined;
    await deliverCard(d, {
      tenantId: job.tenantId, subject: `request:${req.id}:${p.role}:${p.userId}`, userId: p.userId, requestId: req.id,
      ...(p.role === 'requester' ? { target: req.origin } : {}),
      render: async (to) => {
        const locale = (await recipientChatLocale(d.db, job.tenantId, p.userId, to)) ?? d.localeOf(to.botId);
        const colleagues = picking ? await transferCandidates(d, job.tenantId, to, people.active, [p.userId, req.requesterId]) : [];
        const card = buildRequestCard({
          request: req, tasks, intent, erp, viewer: p.userId, role: p.role,
          nameOf: (id) => people.name(id) ?? former?.get(id)?.name, colleagues,
          locale, timeZone: d.timeZone,
        });
        return { card, version: req.version };
      },
    });
  };
}

/**
 * Who a transfer picker offers: the people reachable through the card's bot, with the id that bot knows them by
 * (Feishu's person picker takes open_ids, and without candidates offers only the chat's members: in a one-to-one
 * chat, the approver). A bot that knows nobody (console) offers the directory by id.
 */
async function transferCandidates(d: CardSyncDeps, tenantId: string, to: ChatTarget, active: { id: string; name: string }[], exclude: string[]): Promise<{ id: string; name: string; externalId?: string }[]> {
  const onBot = await activePeopleOnBot(d.db, tenantId, to.platform, to.botId, MAX_TRANSFER_OPTIONS + exclude.length);
  return (onBot.length > 0 ? onBot : active).filter((c) => !exclude.includes(c.id)).slice(0, MAX_TRANSFER_OPTIONS);
}
