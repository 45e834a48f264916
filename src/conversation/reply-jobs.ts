import type { Kysely, Transaction } from 'kysely';
import { buildConfirmCard, buildHelpCard } from '../cards/dialog-cards.ts';
import { routePeople } from '../cards/route-separation.ts';
import type { CardView } from '../core/card-view.ts';
import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { ChatTarget } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import { getUsers } from '../directory/directory-repo.ts';
import type { DirectoryViews } from '../directory/directory-view.ts';
import type { CardPutPayload, MessageSendPayload } from '../jobs/job-kinds.ts';
import type { NewJob } from '../jobs/enqueue.ts';
import { resolveRoute } from '../workflow/route-resolver.ts';
import type { DialogState } from './dialog-state.ts';
import type { Reply } from './form-filler.ts';
import { cardOptions, type MasterChoice } from './master-fields.ts';
import { statusCard } from './status-reply.ts';
import type { FieldDefinition, IntentDefinition } from '../config/intent-schema.ts';
import type { Locale } from '../core/locale.ts';
import { t } from '../i18n/catalog.ts';

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
  /** The tenant's time zone: the days and times a status answer shows. */
  timeZone?: string;
  /** The records a master-sourced field offers (the user's tenant and bot); absent: such fields stay text inputs. */
  master?: (intent: IntentDefinition, field: FieldDefinition, opts?: { limit?: number }) => Promise<readonly MasterChoice[]>;
}

/** Records a master-sourced field offers on the card (the current value comes first; chat matches among all). */
const CARD_OPTIONS = 100;

/** Builds the confirmation card for a draft, with the route preview for its current values. */
export async function confirmCard(c: ReplyContext, s: DialogState, extra: { errors?: string[]; submittedAs?: string; cancelled?: boolean; expired?: boolean } = {}): Promise<CardView | null> {
  const intent = c.catalog.get(s.intent);
  if (!intent) return null;
  const route = resolveRoute(intent, s.fields, c.userId, await c.directory.get(c.tenantId, c.db));
  // The preview names the approvers and whoever separation of duties took off a step (cards/route-separation.ts).
  const ids = route.ok ? routePeople(route.steps) : [];
  const users = await getUsers(c.db, c.tenantId, ids);
  // A card that no longer takes input (submitted, cancelled, expired) needs no options.
  const open = !extra.submittedAs && !extra.cancelled && !extra.expired;
  const choices: Record<string, string[]> = {};
  for (const f of open && c.master ? intent.fields.filter((x) => x.source) : []) {
    const records = await c.master!(intent, f, { limit: CARD_OPTIONS });
    if (records.length) choices[f.name] = cardOptions(records, s.fields[f.name], CARD_OPTIONS);
  }
  return buildConfirmCard({ state: s, intent, route, names: new Map([...users].map(([id, u]) => [id, u.name])), locale: c.locale, choices, ...extra });
}

export function cardPutJob(c: ReplyContext, subject: string, card: CardView, version: number): NewJob {
  const payload: CardPutPayload = { subject, userId: c.userId, target: c.target, card, version };
  return { tenantId: c.tenantId, kind: 'card.put', payload, idempotencyKey: `card.put:${subject}:v${version}`, queueKey: chatQueue(c) };
}

/** Turns form-filler replies into outbox jobs (texts and cards) for the user's chat. */
export async function replyJobs(c: ReplyContext, replies: Reply[], state: DialogState | null): Promise<NewJob[]> {
  const jobs: NewJob[] = [];
  for (const [i, r] of replies.entries()) {
    switch (r.type) {
      case 'text':
        jobs.push(textJob(c, r.text[c.locale], String(i)));
        break;
      case 'confirm_card': {
        const card = state && (await confirmCard(c, state));
        if (card && state) jobs.push(cardPutJob(c, `dialog:${state.id}`, card, state.cardVersion));
        break;
      }
      case 'help_card':
        jobs.push(cardPutJob(c, `help:${c.eventKey}`, buildHelpCard(c.catalog.chatIntents, c.locale), 1));
        break;
      case 'status_card':
        jobs.push(cardPutJob(c, `status:${c.eventKey}`, await statusCard(c, r.filters), 1));
        break;
    }
  }
  return jobs;
}

function textJob(c: ReplyContext, text: string, key: string): NewJob {
  const payload: MessageSendPayload = { userId: c.userId, target: c.target, text };
  return { tenantId: c.tenantId, kind: 'message.send', payload, idempotencyKey: `reply:${c.eventKey}:${key}`, queueKey: chatQueue(c) };
}

/** The draft became a request: its confirmation card turns into a receipt in place; a chat turn also says the number. */
export async function submittedJobs(c: ReplyContext, s: DialogState, number: string, announce: boolean): Promise<NewJob[]> {
  const card = await confirmCard(c, s, { submittedAs: number });
  const jobs = card ? [cardPutJob(c, `dialog:${s.id}`, card, s.cardVersion + 1)] : [];
  if (announce) jobs.push(textJob(c, t(c.locale, 'chat.submitted', { number }), 'submitted'));
  return jobs;
}

/** Submit refused (bad input, no approver): the card shows why, in place; a chat turn also says it. */
export async function errorJobs(c: ReplyContext, s: DialogState, errors: string[], announce: boolean): Promise<NewJob[]> {
  const card = await confirmCard(c, s, { errors });
  const jobs = card ? [cardPutJob(c, `dialog:${s.id}`, card, s.cardVersion)] : [];
  if (announce) jobs.push(textJob(c, t(c.locale, 'chat.notSubmitted', { errors: errors.join('; ') }), 'not-submitted'));
  return jobs;
}

/** A draft that was cancelled, replaced or expired: its confirmation card (if one was shown) loses its buttons. */
export async function closedCardJobs(c: ReplyContext, s: DialogState | null | undefined, how: 'cancelled' | 'expired'): Promise<NewJob[]> {
  if (!s || s.cardVersion === 0) return [];
  const card = await confirmCard({ ...c, locale: s.locale ?? c.locale }, s, how === 'cancelled' ? { cancelled: true } : { expired: true });
  return card ? [cardPutJob(c, `dialog:${s.id}`, card, s.cardVersion + 1)] : [];
}

/** The bot's replies in one chat are delivered in the order they were written. */
function chatQueue(c: ReplyContext): string {
  return `chat:${c.target.platform}:${c.target.botId}:${c.target.chatId ?? c.target.userExternalId ?? c.userId}`;
}
