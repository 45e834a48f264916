import type { Kysely } from 'kysely';
import { sandboxDocCard } from '../cards/sandbox-doc-card.ts';
import type { Locale } from '../core/locale.ts';
import type { Database } from '../db/database.ts';
import { deliveryLocales } from '../directory/chat-locales.ts';
import type { DirectoryViews } from '../directory/directory-view.ts';
import type { CardPutPayload } from '../jobs/job-kinds.ts';
import { enqueue } from '../jobs/enqueue.ts';

/** Card versions follow the document's progress so a late job never shows an older state. */
const STATUS_ORDER: Record<string, number> = { saved: 1, submitted: 1, approved: 1, posted: 2, paid: 3 };

/**
 * Sends (or updates) the operator card of a sandbox document to every operator (every user with one of `operatorRoles`),
 * in the language of their chat with the bot it goes to, or that bot's (`localeOf`) before they wrote in one.
 */
export async function publishSandboxDoc(db: Kysely<Database>, directory: DirectoryViews, operatorRoles: readonly string[], tenantId: string, docId: string, maxAttempts: number, localeOf: (botId: string) => Locale): Promise<void> {
  const doc = await db.selectFrom('erp_documents as d').innerJoin('requests as r', 'r.id', 'd.request_id')
    .select(['d.id', 'd.number', 'd.status', 'd.amount', 'd.request_id', 'd.bank_ref', 'r.number as request_number'])
    .where('d.id', '=', docId).executeTakeFirst();
  if (!doc) return;
  const view = await directory.get(tenantId, db); // db may be a transaction: on PGlite (one connection) the root handle would wait for it forever
  const operators = [...new Set(operatorRoles.flatMap((r) => view.usersWithRole(r)))];
  const version = STATUS_ORDER[doc.status] ?? 1;
  const locales = await deliveryLocales(db, tenantId, operators, localeOf);
  await enqueue(db, operators.map((userId) => {
    const payload: CardPutPayload = { subject: `erpdoc:${doc.id}:${userId}`, userId, card: sandboxDocCard(doc, doc.request_number, locales.get(userId) ?? localeOf('')), version };
    return { tenantId, kind: 'card.put', payload, idempotencyKey: `card.put:erpdoc:${doc.id}:${userId}:${doc.status}` };
  }), maxAttempts);
}
