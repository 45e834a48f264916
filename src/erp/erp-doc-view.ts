import type { Kysely } from 'kysely';
import type { ErpDocView } from '../cards/request-timeline.ts';
import type { Database } from '../db/database.ts';

/** The latest ERP document linked to a request, as the cards show it. */
export async function erpDocForRequest(db: Kysely<Database>, requestId: string): Promise<ErpDocView | undefined> {
  const d = await db.selectFrom('erp_documents').selectAll().where('request_id', '=', requestId).orderBy('created_at', 'desc').executeTakeFirst();
  return d && { number: d.number, status: d.status, amount: d.amount, paidAmount: d.paid_amount, postedAt: d.posted_at, paidAt: d.paid_at, bankRef: d.bank_ref, connector: d.connector };
}
