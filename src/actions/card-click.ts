import type { Kysely, Transaction } from 'kysely';
import type { CardActionOf, CardOp } from '../cards/card-actions.ts';
import type { ConversationService, Turn } from '../conversation/conversation-service.ts';
import type { Clock } from '../core/clock.ts';
import type { AckReply, InboundCardAction } from '../core/inbound-event.ts';
import type { Locale } from '../core/locale.ts';
import type { Database } from '../db/database.ts';
import type { DirectoryUser } from '../directory/directory-repo.ts';
import type { DirectoryViews } from '../directory/directory-view.ts';
import type { PlainKey } from '../i18n/catalog.ts';
import type { ApprovalService } from '../workflow/approval-service.ts';
import type { SandboxActions } from './sandbox-actions.ts';

export interface CardActionDeps {
  db: Kysely<Database>;
  approvals: ApprovalService;
  conversation: ConversationService;
  sandbox: SandboxActions;
  directory: DirectoryViews;
  clock: Clock;
  /** The bot's locale: the language of a chat whose person has not written in one yet. */
  localeOf: (botId: string) => Locale;
}

export type Msg = PlainKey;
/** What a click is answered with (src/i18n holds the texts). */
export const M = {
  done: 'toast.done', approved: 'toast.approved', rejected: 'toast.rejected', transferred: 'toast.transferred', reminded: 'toast.reminded',
  withdrawn: 'toast.withdrawn', duplicate: 'error.alreadyHandled', unknownUser: 'toast.unknownUser', transferTo: 'toast.transferTo',
  editing: 'toast.editing', unknownAction: 'toast.unknownAction', commented: 'toast.commented', commentText: 'toast.commentText',
  noRequest: 'error.requestNotFound', noSuchPerson: 'toast.noSuchPerson', notRequester: 'toast.notRequester',
} as const satisfies Record<string, Msg>;

export type Say = (m: Msg, type?: 'success' | 'info' | 'warning' | 'error', status?: number) => AckReply;

/** One click being handled: who clicked, in which chat and language, and how its handler answers and records it. */
export interface Click {
  d: CardActionDeps;
  ev: InboundCardAction;
  user: DirectoryUser;
  turn: Turn;
  say: Say;
  /** Records the click as handled, in the transaction of its effect. */
  record: (trx: Transaction<Database>) => Promise<void>;
  /** A form input of the click, trimmed ('' when absent). */
  text: (name: string) => string;
}

/** One handler per op, given the action that op carries: an op without a handler does not compile. */
export type CardActionHandlers = { [Op in CardOp]: (c: Click, action: CardActionOf<Op>) => Promise<AckReply> };
