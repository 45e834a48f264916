import type { Kysely, Transaction } from 'kysely';
import { appendAudit } from '../audit/audit-log.ts';
import type { ConversationService, Turn } from '../conversation/conversation-service.ts';
import type { Locale } from '../core/locale.ts';
import { t, type Localized, type PlainKey } from '../i18n/catalog.ts';
import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import type { InboundCardAction } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import type { DirectoryUser } from '../directory/directory-repo.ts';
import type { DirectoryViews } from '../directory/directory-view.ts';
import type { AckReply } from '../core/inbound-event.ts';
import type { ApprovalService } from '../workflow/approval-service.ts';
import * as requestRepo from '../workflow/request-repo.ts';
import { ChatLocales } from '../directory/chat-locales.ts';
import { EventRecordedMeanwhile, eventSeen, recordHandled } from '../inbox/inbox-repo.ts';
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

type Msg = PlainKey;
/** What a click is answered with (src/i18n holds the texts). */
const M = {
  done: 'toast.done', approved: 'toast.approved', rejected: 'toast.rejected', transferred: 'toast.transferred', reminded: 'toast.reminded',
  withdrawn: 'toast.withdrawn', duplicate: 'error.alreadyHandled', unknownUser: 'toast.unknownUser', transferTo: 'toast.transferTo',
  editing: 'toast.editing', unknownAction: 'toast.unknownAction', commented: 'toast.commented', commentText: 'toast.commentText',
  noRequest: 'error.requestNotFound', noSuchPerson: 'toast.noSuchPerson', notRequester: 'toast.notRequester',
} as const satisfies Record<string, Msg>;

/** Actions on a request: their commit (commit_request_change) records the event and finds a redelivery. */
const REQUEST_ACTIONS = new Set(['approve', 'reject', 'transfer', 'comment', 'remind', 'withdraw']);

const STATUS_OF_ERROR: Record<string, number> = {
  'workflow.not_approver': 403, 'workflow.not_requester': 403, 'workflow.not_participant': 403, 'workflow.already_handled': 409,
  'workflow.reason_required': 400, 'workflow.invalid_transfer': 400, 'workflow.remind_cooldown': 429, 'workflow.illegal_transition': 409,
};

/**
 * Card clicks, answered synchronously (Feishu 3 s, DingTalk 2 s). Never goes through the resolver: the
 * button value says what to do, and the approval engine checks that the clicker may do it. Answers are in
 * the chat's language: the one the person last wrote in to this bot, else the bot's (a click carries none).
 *
 * All or nothing: a click is recorded as handled in the same transaction as its effect (request actions in
 * commit_request_change, dialog actions in the dialog's commit, ledger moves in theirs), so a click whose
 * effect failed is not marked handled and its redelivery acts, while a redelivery of one that went through
 * is answered "already handled" and does nothing.
 */
export function cardActionHandler(d: CardActionDeps) {
  const chatLocales = new ChatLocales(d.db);
  return async (ev: InboundCardAction): Promise<AckReply> => {
    const ids = [ev.sender.externalId, ...(ev.sender.aliases ?? [])];
    const locale = (await chatLocales.of(ev.platform, ev.botId, ids)) ?? d.localeOf(ev.botId);
    const say = (m: Msg, type: 'success' | 'info' | 'warning' | 'error' = 'success', status = 200): AckReply => ({ toast: { type, text: t(locale, m) }, status });
    const user = await d.directory.userByIdentity(ev.platform, ev.botId, ids);
    if (!user) {
      await appendAudit(d.db, { tenantId: ev.tenantId, at: d.clock.now(), actor: `${ev.platform}:${ev.sender.externalId}`, action: 'card.denied', source: 'card',
        subjectType: 'bot', subjectId: ev.botId, meta: { reason: 'unknown_user', actionId: ev.actionId } });
      return { ...say(M.unknownUser, 'error', 403), error: { code: 'directory.unknown_user', message: 'the sender is not in the directory' } };
    }
    // A redelivery of a click that went through: answered at once (the insert in the effect's transaction
    // is what decides when two deliveries race). Request actions need no look: their commit finds it.
    const duplicate = (): AckReply => ({ ...say(M.duplicate, 'info', 409), error: { code: 'workflow.already_handled', message: 'this event was already handled' } });
    if (!REQUEST_ACTIONS.has(ev.value.op ?? '') && (await eventSeen(d.db, ev))) return duplicate();
    let recordedHere = false;
    const record = async (trx: Transaction<Database>): Promise<void> => {
      await recordHandled(trx, ev);
      recordedHere = true;
    };
    const turn: Turn = { tenantId: user.tenantId, user, target: ev.chat, locale, eventKey: `${ev.source}:${ev.eventId}`, finish: record };
    try {
      const ack = await route(d, ev, user, turn, say, record);
      // Refused without acting ("this form is no longer active"): if another delivery of this same click went
      // through meanwhile, that is what happened to it.
      if ((ack.status ?? 200) >= 400 && !recordedHere && (await eventSeen(d.db, ev))) return duplicate();
      return ack;
    } catch (e: unknown) {
      if (e instanceof EventRecordedMeanwhile) return duplicate();
      // Expected refusals the services raise (no such request, too many people at once) are answered, not thrown.
      const localized = e instanceof AppError && e.httpStatus < 500 ? (e.details?.['localized'] as Localized | undefined) : undefined;
      if (e instanceof AppError && localized) return { toast: { type: e.httpStatus === 409 ? 'info' : 'error', text: localized[locale] }, status: e.httpStatus, error: { code: e.code, message: e.message } };
      throw e;
    }
  };
}

type Say = (m: Msg, t?: 'success' | 'info' | 'warning' | 'error', s?: number) => AckReply;

async function route(d: CardActionDeps, ev: InboundCardAction, user: DirectoryUser, turn: Turn, say: Say, record: (trx: Transaction<Database>) => Promise<void>): Promise<AckReply> {
  const v = ev.value;
  const text = (k: string): string => (typeof ev.form[k] === 'string' ? (ev.form[k] as string).trim() : '');
  const act = async (e: Parameters<ApprovalService['act']>[2], ok: Msg): Promise<AckReply> => {
    const out = await d.approvals.act(user.tenantId, v.requestId ?? '', e, 'card', ev);
    if (out.ok) return say(ok);
    const status = STATUS_OF_ERROR[out.error.code] ?? 400;
    return { toast: { type: status === 409 ? 'info' : 'error', text: out.error.localized[turn.locale] }, status, error: { code: out.error.code, message: out.error.message } };
  };
  const done = (res: { locale: Locale }): AckReply => ({ toast: { type: 'info', text: t(res.locale, M.done) }, status: 200 });
  switch (v.op) {
    case 'approve': return act({ type: 'approve', actor: user.id, taskId: v.taskId ?? '', ...(text('comment') ? { comment: text('comment') } : {}) }, M.approved);
    case 'reject': return act({ type: 'reject', actor: user.id, taskId: v.taskId ?? '', reason: text('comment') || text('reason') }, M.rejected);
    case 'transfer': {
      const picked = text('transfer_to');
      if (!picked) return { ...say(M.transferTo, 'warning', 400), error: { code: 'workflow.invalid_transfer', message: 'transfer_to is required' } };
      const to = await transferTarget(d, ev, user.tenantId, picked);
      if (!to) return { ...say(M.noSuchPerson, 'error', 400), error: { code: 'workflow.invalid_transfer', message: `"${picked}" is not an active person in the directory` } };
      return act({ type: 'transfer', actor: user.id, taskId: v.taskId ?? '', to, ...(text('comment') ? { comment: text('comment') } : {}) }, M.transferred);
    }
    case 'comment': {
      const body = text('comment');
      if (!body) return { ...say(M.commentText, 'warning', 400), error: { code: 'workflow.reason_required', message: 'a comment needs text' } };
      return act({ type: 'comment', actor: user.id, text: body }, M.commented);
    }
    case 'remind': return act({ type: 'remind', actor: user.id, cooldownMs: await cooldownMs(d, user.tenantId, v.requestId ?? '') }, M.reminded);
    case 'withdraw': return act({ type: 'withdraw', actor: user.id }, M.withdrawn);
    case 'resubmit': {
      const req = await requestRepo.findRequest(d.db, user.tenantId, v.requestId ?? '');
      if (!req) return { ...say(M.noRequest, 'error', 404), error: { code: 'request.not_found', message: 'no such request' } };
      if (req.requesterId !== user.id) return { ...say(M.notRequester, 'error', 403), error: { code: 'workflow.not_requester', message: 'only the requester can resubmit' } };
      await d.conversation.editForResubmit(turn, req);
      return say(M.editing, 'info');
    }
    case 'dialog.submit': {
      // Answered in the draft's language (an English draft on a Chinese bot gets an English toast).
      const res = await d.conversation.applyCommands(turn, [{ type: 'confirm' }], ev.form, v.dialogId);
      if (!res.ok) return { toast: { type: 'error', text: res.errors.join('; ') || t(res.locale, M.unknownAction) }, status: 400, error: { code: 'dialog.invalid', message: res.errors.join('; ') } };
      return { toast: { type: 'success', text: t(res.locale, 'toast.submitted', { number: res.number ?? '' }).trim() }, status: 200 };
    }
    case 'dialog.cancel': return done(await d.conversation.applyCommands(turn, [{ type: 'cancel' }], undefined, v.dialogId));
    case 'dialog.start': return done(await d.conversation.applyCommands(turn, [{ type: 'start_intent', intent: v.intent ?? '' }]));
    case 'status': return done(await d.conversation.applyCommands(turn, [{ type: 'status_query' }]));
    case 'erp.post': case 'erp.pay': return d.sandbox.handle(user, v.op, v.docId ?? '', text('bank_ref'), turn.locale, record);
    default: return { ...say(M.unknownAction, 'error', 400), error: { code: 'card.unknown_action', message: `unknown action ${v.op ?? ev.actionId}` } };
  }
}

/**
 * Who a transfer goes to: a directory id (console picker, DingTalk), or the picked person's identity on
 * the platform (Feishu's person picker answers with an open_id). Only active people of the tenant.
 */
async function transferTarget(d: CardActionDeps, ev: InboundCardAction, tenantId: string, picked: string): Promise<string | undefined> {
  if ((await d.directory.get(tenantId)).user(picked)) return picked;
  const byIdentity = await d.directory.userByIdentity(ev.platform, ev.botId, [picked]);
  return byIdentity?.tenantId === tenantId ? byIdentity.id : undefined;
}

async function cooldownMs(d: CardActionDeps, tenantId: string, requestId: string): Promise<number> {
  const req = await requestRepo.findRequest(d.db, tenantId, requestId);
  const minutes = req ? (d.conversation.intentDefinition(req.intentKey)?.remind_cooldown_minutes ?? 30) : 30;
  return minutes * 60_000;
}
