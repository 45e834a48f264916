import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/audit-log.ts';
import type { Locale } from '../core/locale.ts';
import type { ConversationService } from '../conversation/conversation-service.ts';
import type { Clock } from '../core/clock.ts';
import type { InboundMessage } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import { findUserByIdentity, touchIdentity } from '../directory/directory-repo.ts';
import { isValueRejected } from '../db/db-errors.ts';
import type { MessageSendPayload } from '../jobs/job-kinds.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { markDone, type InboxRow } from '../inbox/inbox-repo.ts';
import { writtenLocale } from '../core/locale.ts';
import { t } from '../i18n/catalog.ts';

export interface MessageHandlerDeps {
  db: Kysely<Database>;
  conversation: ConversationService;
  clock: Clock;
  localeOf: (botId: string) => Locale;
  maxAttempts: number;
}

/** Inbox handler for chat messages: who is talking, then one conversation turn. */
export function messageHandler(d: MessageHandlerDeps) {
  return async (row: InboxRow): Promise<void> => {
    if (row.event.kind !== 'message') {
      await markDone(d.db, row.id);
      return;
    }
    const ev: InboundMessage = row.event;
    const written = writtenLocale(ev.text);
    const locale = written ?? d.localeOf(ev.botId);
    const user = await findUserByIdentity(d.db, ev.platform, ev.botId, [ev.sender.externalId, ...(ev.sender.aliases ?? [])]);
    if (!user) {
      await d.db.transaction().execute(async (trx) => {
        const payload: MessageSendPayload = { userId: `unknown:${ev.sender.externalId}`, target: ev.chat, text: t(locale, 'chat.unknownUser') };
        await enqueue(trx, [{ tenantId: ev.tenantId, kind: 'message.send', payload, idempotencyKey: `reply:${ev.source}:${ev.eventId}:unknown` }], d.maxAttempts);
        await appendAudit(trx, { tenantId: ev.tenantId, at: d.clock.now(), actor: `${ev.platform}:${ev.sender.externalId}`, action: 'inbound.unknown_user',
          source: 'chat', subjectType: 'bot', subjectId: ev.botId, meta: { eventId: ev.eventId } });
        await markDone(trx, row.id);
      });
      return;
    }
    // Remembered per chat: clicks carry no language, and their answers follow the one the person writes in.
    await touchIdentity(d.db, ev.platform, ev.botId, ev.sender.externalId, d.clock.now(), written);
    try {
      await d.conversation.handleMessage({
        tenantId: user.tenantId, user, target: ev.chat, locale, localeFromText: written !== null, eventKey: `${ev.source}:${ev.eventId}`,
        finish: (trx) => markDone(trx, row.id),
      }, ev.text);
    } catch (e: unknown) {
      if (!isValueRejected(e)) throw e;
      // The turn's transaction rolled back (the draft is as it was); running it again would fail the same way, so the
      // person is told once and the event is done.
      await d.db.transaction().execute(async (trx) => {
        const payload: MessageSendPayload = { userId: user.id, target: ev.chat, text: t(locale, 'chat.valueRejected') };
        await enqueue(trx, [{ tenantId: user.tenantId, kind: 'message.send', payload, idempotencyKey: `reply:${ev.source}:${ev.eventId}:rejected` }], d.maxAttempts);
        await markDone(trx, row.id);
      });
    }
  };
}
