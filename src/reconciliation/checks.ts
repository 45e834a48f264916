import { sql } from 'kysely';
import { compareMoney, normalizeMoney } from '../core/money.ts';
import { docKey, iso, settlePass, type CheckContext, type CheckResult } from './check-pass.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 3600_000;

/** Where the ERP side of a request is not yet a document: nothing created, still creating, or the creation failed. */
const NO_DOCUMENT_YET = ['none', 'creating', 'failed'];

/**
 * approved_without_document: approved in chat at least N minutes ago, an ERP document expected (not `not_required`, not
 * ERP-originated) and none linked with an ERP id. Usually a creation that keeps failing or a dead-lettered job.
 */
export async function checkApprovedWithoutDocument(c: CheckContext): Promise<CheckResult> {
  const cutoff = new Date(c.now.getTime() - c.thresholds.approvedWithoutDocumentMinutes * MINUTE_MS);
  const rows = await c.db.selectFrom('requests as r')
    .select(['r.id', 'r.number', 'r.decided_at', 'r.erp_status', 'r.amount'])
    .select((eb) => [
      eb.selectFrom('erp_documents as d').select('d.last_error').whereRef('d.request_id', '=', 'r.id').orderBy('d.updated_at', 'desc').limit(1).as('last_error'),
      eb.selectFrom('erp_documents as d').select('d.connector').whereRef('d.request_id', '=', 'r.id').orderBy('d.updated_at', 'desc').limit(1).as('connector'),
    ])
    .where('r.tenant_id', '=', c.tenantId).where('r.status', '=', 'approved').where('r.erp_status', 'in', NO_DOCUMENT_YET)
    .where('r.erp_origin', 'is', null).where('r.decided_at', '<', cutoff)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('erp_documents as d').select(sql`1`.as('x')).whereRef('d.request_id', '=', 'r.id').where('d.erp_id', 'is not', null))))
    .execute();
  return settlePass(c, 'approved_without_document', rows.map((r) => ({
    key: r.id, requestId: r.id, connector: r.connector,
    details: { requestNumber: r.number, decidedAt: iso(r.decided_at), erpStatus: r.erp_status, amount: r.amount, lastError: r.last_error },
  })));
}

/**
 * amount_mismatch: the ERP's amount differs from the approved one (erp_documents.amount, copied from the request when
 * the document was made). What the ERP says is read from what the status sync kept: the document's total as the ERP
 * last reported it (`erp_amount`, every connector; older rows: Tryton's `total_amount` in `raw`), and the amount
 * paid (a paid document paid another sum, or a part payment already above the approved amount).
 */
export async function checkAmountMismatch(c: CheckContext): Promise<CheckResult> {
  const rows = await c.db.selectFrom('erp_documents as d').innerJoin('requests as r', 'r.id', 'd.request_id')
    .select(['d.connector', 'd.erp_id', 'd.number', 'd.status', 'd.amount', 'd.paid_amount', 'd.request_id', 'r.number as request_number', 'r.amount as request_amount'])
    .select(sql<string | null>`coalesce(d.erp_amount::text, d.raw->>'total_amount')`.as('erp_total'))
    .where('d.tenant_id', '=', c.tenantId).where('d.erp_id', 'is not', null).where('d.status', 'not in', ['creating', 'cancelled', 'rejected'])
    .execute();
  const found = [];
  for (const r of rows) {
    const approved = r.amount ?? r.request_amount;
    if (approved === null || r.erp_id === null) continue;
    const mismatch = amountMismatch(approved, r.status, r.erp_total, r.paid_amount);
    if (!mismatch) continue;
    found.push({
      key: docKey(r.connector, r.erp_id), requestId: r.request_id, connector: r.connector, erpId: r.erp_id,
      details: { requestNumber: r.request_number, documentNumber: r.number, approved: normalizeMoney(approved) ?? approved, erp: mismatch.erp, basis: mismatch.basis, status: r.status },
    });
  }
  return settlePass(c, 'amount_mismatch', found);
}

/** How the ERP's figure differs from the approved amount, or null when it does not (or the ERP's figure is not known). */
export function amountMismatch(approved: string, status: string, erpTotal: string | null, paid: string | null): { erp: string; basis: 'total' | 'paid' } | null {
  const total = erpTotal === null ? null : normalizeMoney(erpTotal);
  if (total !== null && compareMoney(total, approved) !== 0) return { erp: total, basis: 'total' };
  const paidNow = paid === null ? null : normalizeMoney(paid);
  if (paidNow === null) return null;
  if (status === 'paid' && compareMoney(paidNow, approved) !== 0) return { erp: paidNow, basis: 'paid' };
  if (status === 'partially_paid' && compareMoney(paidNow, approved) > 0) return { erp: paidNow, basis: 'paid' };
  return null;
}

/** posted_unpaid: booked in the ERP (posted, or partly paid) at least N days ago and not paid in full since. */
export async function checkPostedUnpaid(c: CheckContext): Promise<CheckResult> {
  const cutoff = new Date(c.now.getTime() - c.thresholds.postedUnpaidDays * DAY_MS);
  const rows = await c.db.selectFrom('erp_documents as d').innerJoin('requests as r', 'r.id', 'd.request_id')
    .select(['d.connector', 'd.erp_id', 'd.number', 'd.status', 'd.amount', 'd.paid_amount', 'd.posted_at', 'd.request_id', 'r.number as request_number'])
    .where('d.tenant_id', '=', c.tenantId).where('d.status', 'in', ['posted', 'partially_paid']).where('d.erp_id', 'is not', null)
    .where('d.posted_at', '<', cutoff)
    .execute();
  return settlePass(c, 'posted_unpaid', rows.filter((r) => r.erp_id !== null).map((r) => ({
    key: docKey(r.connector, r.erp_id!), requestId: r.request_id, connector: r.connector, erpId: r.erp_id,
    details: { requestNumber: r.request_number, documentNumber: r.number, postedAt: iso(r.posted_at), amount: r.amount, paid: r.paid_amount, status: r.status },
  })));
}
