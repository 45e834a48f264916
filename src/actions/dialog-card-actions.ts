import type { AckReply } from '../core/inbound-event.ts';
import type { Locale } from '../core/locale.ts';
import { t } from '../i18n/catalog.ts';
import { M, type CardActionHandlers } from './card-click.ts';

const done = (res: { locale: Locale }): AckReply => ({ toast: { type: 'info', text: t(res.locale, M.done) }, status: 200 });

/** The buttons of the confirmation and help cards (cards/dialog-cards.ts): they drive the chat's dialog. */
export const DIALOG_CARD_ACTIONS: Pick<CardActionHandlers, 'dialog.submit' | 'dialog.cancel' | 'dialog.start' | 'status'> = {
  'dialog.submit': async (c, a) => {
    // Answered in the draft's language (an English draft on a Chinese bot gets an English toast).
    const res = await c.d.conversation.applyCommands(c.turn, [{ type: 'confirm' }], c.ev.form, a.dialogId);
    if (!res.ok) return { toast: { type: 'error', text: res.errors.join('; ') || t(res.locale, M.unknownAction) }, status: 400, error: { code: 'dialog.invalid', message: res.errors.join('; ') } };
    return { toast: { type: 'success', text: t(res.locale, 'toast.submitted', { number: res.number ?? '' }).trim() }, status: 200 };
  },
  'dialog.cancel': async (c, a) => done(await c.d.conversation.applyCommands(c.turn, [{ type: 'cancel' }], undefined, a.dialogId)),
  'dialog.start': async (c, a) => done(await c.d.conversation.applyCommands(c.turn, [{ type: 'start_intent', intent: a.intent }])),
  status: async (c) => done(await c.d.conversation.applyCommands(c.turn, [{ type: 'status_query' }])),
};
