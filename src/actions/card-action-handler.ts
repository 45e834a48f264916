import type { Transaction } from 'kysely';
import { appendAudit } from '../audit/audit-log.ts';
import { parseCardAction, type CardAction, type ParsedCardAction } from '../cards/card-actions.ts';
import type { Turn } from '../conversation/conversation-service.ts';
import { AppError } from '../core/errors.ts';
import type { AckReply, InboundCardAction } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import { ChatLocales } from '../directory/chat-locales.ts';
import { t, type Localized } from '../i18n/catalog.ts';
import { EventRecordedMeanwhile, eventSeen, recordHandled } from '../inbox/inbox-repo.ts';
import { M, type CardActionDeps, type CardActionHandlers, type Click, type Msg } from './card-click.ts';
import { DIALOG_CARD_ACTIONS } from './dialog-card-actions.ts';
import { REQUEST_CARD_ACTIONS, REQUEST_OPS } from './request-card-actions.ts';

/** Every op's handler: the table is typed per op (card-click.ts), so an op without one does not compile. */
const HANDLERS: CardActionHandlers = {
  ...REQUEST_CARD_ACTIONS,
  ...DIALOG_CARD_ACTIONS,
  // The buttons of a sandbox ERP document's operator card (cards/sandbox-doc-card.ts).
  'erp.post': (c, a) => c.d.sandbox.handle(c.user, a.op, a.docId, c.text('bank_ref'), c.turn.locale, c.record),
  'erp.pay': (c, a) => c.d.sandbox.handle(c.user, a.op, a.docId, c.text('bank_ref'), c.turn.locale, c.record),
};

/** Runs the op's handler with its action (the table pairs each op with its own action type). */
function dispatch(c: Click, action: CardAction): Promise<AckReply> {
  const handler = HANDLERS[action.op] as (c: Click, a: CardAction) => Promise<AckReply>;
  return handler(c, action);
}

/**
 * Card clicks, answered synchronously (Feishu 3 s, DingTalk 2 s). Never goes through the resolver: the
 * button value says what to do (parsed into a CardAction: an unknown op or a missing id is refused), and the
 * approval engine checks that the clicker may do it. Answers are in the chat's language: the one the person
 * last wrote in to this bot, else the bot's (a click carries none).
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
    const parsed = parseCardAction(ev.value);
    // A redelivery of a click that went through: answered at once (the insert in the effect's transaction
    // is what decides when two deliveries race). Request actions need no look: their commit finds it.
    const duplicate = (): AckReply => ({ ...say(M.duplicate, 'info', 409), error: { code: 'workflow.already_handled', message: 'this event was already handled' } });
    if (!(parsed.ok && REQUEST_OPS.has(parsed.action.op)) && (await eventSeen(d.db, ev))) return duplicate();
    let recordedHere = false;
    const record = async (trx: Transaction<Database>): Promise<void> => {
      await recordHandled(trx, ev);
      recordedHere = true;
    };
    const turn: Turn = { tenantId: user.tenantId, user, target: ev.chat, locale, eventKey: `${ev.source}:${ev.eventId}`, finish: record };
    const text = (k: string): string => (typeof ev.form[k] === 'string' ? (ev.form[k] as string).trim() : '');
    try {
      const ack = parsed.ok ? await dispatch({ d, ev, user, turn, say, record, text }, parsed.action) : refuse(ev, parsed, say);
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

/** A value that is no action: an op no button has, or one without the id it acts on. */
function refuse(ev: InboundCardAction, parsed: Exclude<ParsedCardAction, { ok: true }>, say: Click['say']): AckReply {
  const message = parsed.reason === 'unknown_op' ? `unknown action ${ev.value['op'] ?? ev.actionId}` : parsed.error;
  return { ...say(M.unknownAction, 'error', 400), error: { code: 'card.unknown_action', message } };
}
