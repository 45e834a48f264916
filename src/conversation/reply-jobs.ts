import type { Kysely, Transaction } from 'kysely';
import { buildConfirmCard, buildHelpCard } from '../cards/dialog-cards.ts';
import { buildStatusListCard } from '../cards/status-list-card.ts';
import type { CardView } from '../cards/card-view.ts';
import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { ChatTarget } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import { getUsers } from '../directory/directory-repo.ts';
import type { DirectoryViews } from '../directory/directory-view.ts';
import { JOB, type CardPutPayload, type MessageSendPayload } from '../outbox/job-kinds.ts';
import type { NewJob } from '../outbox/outbox-repo.ts';
import * as requestRepo from '../workflow/request-repo.ts';
import { resolveRoute } from '../workflow/route-resolver.ts';
import type { DialogState } from './dialog-state.ts';
import type { Reply } from './form-filler.ts';
import type { Locale } from './resolver.ts';

export interface ReplyContext {
  db: Kysely<Database> | Transaction<Database>;
  catalog: IntentCatalog;
  directory: DirectoryViews;
  tenantId: string;
  userId: string;
  target: ChatTarget;
  locale: Locale;
  /** Unique per inbound event: makes reply jobs idempotent. */
  eventKey: string;
}

/** Builds the confirmation card for a draft, with the route preview for its current values. */
export async function confirmCard(c: ReplyContext, s: DialogState, extra: { errors?: string[]; submittedAs?: string; cancelled?: boolean } = {}): Promise<CardView | null> {
  const intent = c.catalog.get(s.intent);
  if (!intent) return null;
  const route = resolveRoute(intent, s.fields, c.userId, await c.directory.get(c.tenantId, c.db));
  const ids = route.ok ? route.steps.flatMap((st) => st.approvers) : [];
  const users = await getUsers(c.db, c.tenantId, ids);
  return buildConfirmCard({ state: s, intent, route, names: new Map([...users].map(([id, u]) => [id, u.name])), locale: c.locale, ...extra });
}

export function cardPutJob(c: ReplyContext, subject: string, card: CardView, version: number): NewJob {
  const payload: CardPutPayload = { subject, userId: c.userId, target: c.target, card, version };
  return { tenantId: c.tenantId, kind: JOB.cardPut, payload, idempotencyKey: `card.put:${subject}:v${version}` };
}

/** Turns form-filler replies into outbox jobs (texts and cards) for the user's chat. */
export async function replyJobs(c: ReplyContext, replies: Reply[], state: DialogState | null): Promise<NewJob[]> {
  const jobs: NewJob[] = [];
  for (const [i, r] of replies.entries()) {
    switch (r.type) {
      case 'text': {
        const payload: MessageSendPayload = { userId: c.userId, target: c.target, text: r.text[c.locale] };
        jobs.push({ tenantId: c.tenantId, kind: JOB.messageSend, payload, idempotencyKey: `reply:${c.eventKey}:${i}` });
        break;
      }
      case 'confirm_card': {
        const card = state && (await confirmCard(c, state));
        if (card && state) jobs.push(cardPutJob(c, `dialog:${state.id}`, card, state.cardVersion));
        break;
      }
      case 'help_card':
        jobs.push(cardPutJob(c, `help:${c.eventKey}`, buildHelpCard(c.catalog.intents, c.locale), 1));
        break;
      case 'status_card': {
        const mine = await requestRepo.listByRequester(c.db, c.tenantId, c.userId, 10);
        const filtered = mine.filter((m) => (!r.filters.intent || m.intentKey === r.filters.intent) && (r.filters.status !== 'open' || m.status === 'pending' || (m.status === 'approved' && m.erpStatus !== 'paid')));
        jobs.push(cardPutJob(c, `status:${c.eventKey}`, buildStatusListCard(filtered, c.catalog, c.locale), 1));
        break;
      }
    }
  }
  return jobs;
}
