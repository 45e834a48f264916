import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { RequestErpDoc } from './request-repo.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The latest ERP document of each request (what a status answer says about posting and payment), in one query. */
export async function latestErpDocs(db: Db, requestIds: readonly string[]): Promise<Map<string, RequestErpDoc>> {
  const ids = [...new Set(requestIds.filter((id) => /^[0-9a-f-]{36}$/i.test(id)))];
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('erp_documents as e')
    .select(['e.request_id', 'e.number', 'e.status', 'e.posted_at', 'e.paid_at', 'e.bank_ref', 'e.connector', 'e.voucher', 'e.last_error', 'e.created_at'])
    // Money as text: "2000.00" stays exact.
    .select([sql<string | null>`e.amount::text`.as('amount'), sql<string | null>`e.paid_amount::text`.as('paid_amount')])
    .where('e.request_id', 'in', ids)
    .orderBy('e.created_at', 'asc')
    .execute();
  const out = new Map<string, RequestErpDoc>();
  for (const r of rows) {
    if (!r.request_id) continue;
    out.set(r.request_id, {
      number: r.number, status: r.status, amount: r.amount, paidAmount: r.paid_amount, postedAt: r.posted_at, paidAt: r.paid_at,
      bankRef: r.bank_ref, connector: r.connector, voucher: r.voucher, lastError: r.last_error,
    });
  }
  return out;
}
