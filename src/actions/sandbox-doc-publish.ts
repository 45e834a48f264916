import type { Kysely } from 'kysely';
import type { CardView } from '../core/card-view.ts';
import { formatMoney } from '../core/money.ts';
import type { Database } from '../db/database.ts';
import type { DirectoryViews } from '../directory/directory-view.ts';
import type { CardPutPayload } from '../jobs/job-kinds.ts';
import { enqueue } from '../jobs/enqueue.ts';

/** Card versions follow the document's progress so a late job never shows an older state. */
const STATUS_ORDER: Record<string, number> = { saved: 1, submitted: 1, approved: 1, posted: 2, paid: 3 };

interface DocRow { id: string; number: string | null; status: string; amount: string | null; request_id: string; bank_ref: string | null }

/** The card a sandbox operator uses to move a document: Post, then Pay with a bank reference. */
export function sandboxDocCard(doc: DocRow, requestNumber: string): CardView {
  const open = doc.status !== 'paid';
  return {
    title: `Sandbox ERP · ${doc.number ?? ''}`, subtitle: `${requestNumber} · ${doc.status}`, tone: doc.status === 'paid' ? 'purple' : 'grey', key: `erpdoc:${doc.id}`,
    blocks: [
      { type: 'note', text: 'SANDBOX: a pretend ERP for demos. Real connectors post and pay in the ERP itself.' },
      { type: 'fields', fields: [{ label: 'Request', value: requestNumber }, { label: 'Amount', value: `¥${formatMoney(doc.amount ?? '0.00')}` }, { label: 'Status', value: doc.status }, ...(doc.bank_ref ? [{ label: 'Bank ref', value: doc.bank_ref }] : [])] },
      ...(open ? [{
        type: 'form' as const, formId: `erpdoc-${doc.id}`,
        inputs: [{ name: 'bank_ref', label: 'Bank reference (for Pay)', type: 'text' as const, required: false }],
        buttons: [
          ...(doc.status === 'approved' ? [{ actionId: 'erp.post', label: 'Post', style: 'default' as const, value: { op: 'erp.post', docId: doc.id }, sendsForm: false }] : []),
          { actionId: 'erp.pay', label: 'Pay', style: 'primary' as const, value: { op: 'erp.pay', docId: doc.id } },
        ],
      }] : []),
    ],
  };
}

/** Sends (or updates) the operator card of a sandbox document to every operator (every user with one of `operatorRoles`). */
export async function publishSandboxDoc(db: Kysely<Database>, directory: DirectoryViews, operatorRoles: readonly string[], tenantId: string, docId: string, maxAttempts: number): Promise<void> {
  const doc = await db.selectFrom('erp_documents as d').innerJoin('requests as r', 'r.id', 'd.request_id')
    .select(['d.id', 'd.number', 'd.status', 'd.amount', 'd.request_id', 'd.bank_ref', 'r.number as request_number'])
    .where('d.id', '=', docId).executeTakeFirst();
  if (!doc) return;
  const view = await directory.get(tenantId, db); // db may be a transaction: on PGlite (one connection) the root handle would wait for it forever
  const operators = [...new Set(operatorRoles.flatMap((r) => view.usersWithRole(r)))];
  const version = STATUS_ORDER[doc.status] ?? 1;
  await enqueue(db, operators.map((userId) => {
    const payload: CardPutPayload = { subject: `erpdoc:${doc.id}:${userId}`, userId, card: sandboxDocCard(doc, doc.request_number), version };
    return { tenantId, kind: 'card.put', payload, idempotencyKey: `card.put:erpdoc:${doc.id}:${userId}:${doc.status}` };
  }), maxAttempts);
}
