import type { Kysely } from 'kysely';
import { notifyText } from '../../cards/notify-text.ts';
import type { IntentVersions } from '../../workflow/intent-versions.ts';
import type { Locale } from '../../core/locale.ts';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../db/database.ts';
import { recipientChatLocale } from '../../directory/chat-locales.ts';
import { getUsers } from '../../directory/directory-repo.ts';
import type { MessengerRegistry } from '../../platforms/messenger-registry.ts';
import * as requestRepo from '../../workflow/request-repo.ts';
import type { MessageSendPayload } from '../../jobs/job-kinds.ts';
import type { JobHandler } from '../outbox-worker.ts';

export interface MessageSendDeps {
  db: Kysely<Database>; messengers: MessengerRegistry; intents: IntentVersions; localeOf: (botId: string) => Locale;
  /** Where ERP times in notifications are shown (the service's time zone); without it they are left to the card. */
  timeZone?: string;
}

/** message.send: a text (dialog replies) or a request notification, to a user's chat. Idempotent by job key. */
export function messageSendHandler(d: MessageSendDeps): JobHandler<MessageSendPayload> {
  return async (p, job) => {
    const target = p.target ?? (await d.messengers.targetFor(d.db, job.tenantId, p.userId));
    if (!target) throw new AppError('message.no_target', `user ${p.userId} has no identity on a running bot`);
    let text = p.text;
    if (p.notify) {
      const req = await requestRepo.findRequest(d.db, job.tenantId, p.notify.requestId);
      if (!req) return;
      const intent = await d.intents.definition(job.tenantId, req.intentKey, req.intentVersion);
      const by = 'by' in p.notify.message ? [p.notify.message.by] : [];
      const names = await getUsers(d.db, job.tenantId, by);
      // The recipient's chat language with this bot; the bot's before they wrote in one.
      const locale = (await recipientChatLocale(d.db, job.tenantId, p.userId, target)) ?? d.localeOf(target.botId);
      text = notifyText(p.notify.message, req.number, intent?.name[locale] ?? req.intentKey, (id) => names.get(id)?.name ?? id, locale, d.timeZone, req.erpOrigin);
    }
    if (!text) return;
    await d.messengers.get(target.botId).sendText(target, text, { idempotencyKey: job.idempotencyKey });
  };
}
