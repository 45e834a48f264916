import { fenToMoney, moneyToFen, normalizeMoney } from '../../../core/money.ts';
import type { CanonicalStatus, ErpDocRef, StatusSnapshot } from '../../erp-connector.ts';
import { text } from './model.ts';
import type { KingdeeForm, KingdeeSettings } from './settings.ts';

/**
 * K3 bill fields → the canonical status and a StatusSnapshot.
 *
 * - FDocumentStatus (Z 暂存, A 创建, B 审核中, C 已审核, D 重新审核) maps through `status_codes.document`; the cancel
 *   flag (FCancelStatus B) makes it `cancelled`. Evidence for the letters: "只有暂存、创建和重新审核的数据才允许提交"
 *   (only Z, A and D may be submitted) and integrations reading A/B/C/D; D's exact meaning differs by deployment.
 * - An approved bill is `posted` when the configured posted field says so (a voucher number, a generated flag).
 * - Paid: what the bill shows as paid (`paid_amount_field`, e.g. ER_ExpReimbursement.FPayedAmount) confirmed by the
 *   payment bills (AP_PAYBILL) whose bank status is one of `status_codes.bank_paid` (an integration reading
 *   FBankStatus 'C' 银行交易成功 with FREALPAYAMOUNTFOR_H, FSourceBillNumber and FQQLSH; a K3 schedule plug-in
 *   treats 'F' as paid instead: the codes are per deployment). The paid amount is the
 *   smaller of the two when both are read; paid in full → `paid`, in part → `partially_paid`. Paid implies posted.
 * - K3 dates carry no zone: they are read in `settings.timezone`.
 * - versionStamp: FModifyDate + FDocumentStatus + the canonical status + the paid amount, so a payment confirmed by
 *   the bank (which need not touch the bill) is a new version and a repeat read of the same state is not.
 */
export interface BillState {
  id: string; number: string; documentStatus: string; key: string; amount: unknown; currency: string;
  modify: string; create: string; paid: unknown; cancel: string | null; posted: unknown; postedDate: string | null;
}

export interface PaymentRow { sourceNumber: string; bankStatus: string; amount: unknown; date: string; bankRef: string; billNo: string }

/** "2026-03-02T08:00:01.123" / "2026-03-02 08:00:01" in the server's zone → ISO 8601 UTC; '' when unreadable. */
export function k3TimeToIso(value: string, offset: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?/.exec(value.trim());
  if (!m) return '';
  const time = m[2] ? (m[2].length === 5 ? `${m[2]}:00` : m[2]) : '00:00:00';
  const ms = m[3] ? m[3].slice(0, 4).padEnd(4, '0') : '.000';
  const d = new Date(`${m[1]}T${time}${ms}${offset}`);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** An instant in the server's zone as a K3 filter literal body: "YYYY-MM-DD HH:mm:ss". */
export function isoToK3Time(iso: string, offset: string): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h = '0', mi = '0'] = offset.slice(1).split(':');
  const local = new Date(new Date(iso).getTime() + sign * (Number(h) * 60 + Number(mi)) * 60_000);
  return local.toISOString().slice(0, 19).replace('T', ' ');
}

function money(v: unknown): string | null {
  if (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '')) return normalizeMoney(v);
  return null;
}

function isPosted(value: unknown, values: string[] | undefined): boolean {
  const t = text(value);
  if (values) return values.includes(t);
  return t !== '' && t !== '0' && t.toLowerCase() !== 'false';
}

export function snapshotOf(
  s: KingdeeSettings, form: KingdeeForm, ref: ErpDocRef, bill: BillState, payments: PaymentRow[] | null,
): StatusSnapshot {
  const tz = s.timezone;
  const changedAt = k3TimeToIso(bill.modify || bill.create, tz);
  const total = money(bill.amount) ?? '0.00';
  const iso = Object.entries(s.currencies).find(([, n]) => n.toLowerCase() === bill.currency.toLowerCase())?.[0];
  let status: CanonicalStatus = s.status_codes.document[bill.documentStatus] ?? 'unknown';
  if (bill.cancel !== null && s.status_codes.cancelled.includes(bill.cancel)) status = 'cancelled';
  const posted = status === 'approved' && form.posted !== null && isPosted(bill.posted, form.posted.values);
  const postedAt = posted ? (k3TimeToIso(bill.postedDate ?? '', tz) || changedAt) : undefined;

  const banked = (payments ?? []).filter((p) => s.status_codes.bank_paid.includes(p.bankStatus));
  const bankFen = banked.reduce((sum, p) => sum + moneyToFen(money(p.amount) ?? '0'), 0n);
  const billPaid = form.paidAmountField ? money(bill.paid) : null;
  let paidFen = payments === null ? moneyToFen(billPaid ?? '0') : billPaid === null ? bankFen : (moneyToFen(billPaid) < bankFen ? moneyToFen(billPaid) : bankFen);
  if (paidFen < 0n) paidFen = 0n;
  const last = [...banked].sort((a, b) => a.date.localeCompare(b.date)).at(-1);
  if (status === 'approved' && paidFen > 0n) status = paidFen >= moneyToFen(total) ? 'paid' : 'partially_paid';
  else if (posted) status = 'posted';
  const paid = fenToMoney(paidFen);
  const payAt = last ? k3TimeToIso(last.date, tz) || changedAt : changedAt;

  return {
    ref: { ...ref, number: bill.number || ref.number, externalKey: bill.key || ref.externalKey },
    status,
    raw: {
      FDocumentStatus: bill.documentStatus, ...(bill.cancel !== null ? { cancel: bill.cancel } : {}),
      ...(form.posted ? { posted: text(bill.posted) } : {}), ...(billPaid !== null ? { billPaid } : {}),
      ...(payments ? { payments: payments.map((p) => ({ billNo: p.billNo, bankStatus: p.bankStatus, amount: money(p.amount) })) } : {}),
      modify: bill.modify,
    },
    amounts: { total, paid, ...(iso ? { currency: iso } : {}) },
    ...(changedAt ? { changedAt } : {}),
    ...(postedAt ? { postedAt, ...(text(bill.posted) && !form.posted?.values ? { voucher: text(bill.posted) } : {}) } : {}),
    ...(status === 'paid' || status === 'partially_paid' ? { payment: { at: payAt, ...(last ? { bankRef: last.bankRef || last.billNo } : {}) } } : {}),
    versionStamp: `${bill.modify || bill.create}|${bill.documentStatus}|${status}|${paid}`,
  };
}
