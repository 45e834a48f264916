import { fenToMoney, moneyToFen, normalizeMoney } from '../../../core/money.ts';
import type { OriginatedDoc, OriginatedLine, OriginatedState } from '../../originated-port.ts';
import { trytonTimeToIso } from './status.ts';
import { newestOf } from './window-cursor.ts';

/**
 * A purchase requisition (purchase.requisition, module purchase_requisition, Tryton 6.0:
 * trytond/modules/purchase_requisition/purchase.py) as an OriginatedDoc.
 *
 * States and transitions: draft → waiting (button `wait`, needs lines and a supply date) → approved (`approve`) or
 * rejected (`reject`); approved → processing → done as purchase requests and purchases follow (approving queues
 * `process`, which Tryton runs right after the commit when it has no queue worker); `draft` takes a waiting, approved,
 * rejected or cancelled requisition back to draft for editing; `cancel` from draft. Mapped: waiting → waiting;
 * approved, processing, done → approved; rejected → rejected; cancelled → cancelled; draft → draft.
 * `approve` and `reject` record the user's current employee in approved_by / rejected_by (company set_employee).
 *
 * The owner is the requisition's employee (company.employee; name from its party, email from the party's contact
 * mechanisms). Each line: product or description, quantity, unit, amount (Tryton's quantity × unit price, rounded to
 * the currency). A link opens it in the Tryton desktop client, whose URL scheme is
 * tryton://<hostname>[:<port>]/<database>/model/<model name>[/<id>] (tryton(1), Tryton 6.0 client manual page).
 */
export const REQUISITION_MODEL = 'purchase.requisition';
export const REQUISITION_LINE_MODEL = 'purchase.requisition.line';
/** Tryton states that count as approved for the port (the requisition goes on to purchase requests on its own). */
export const APPROVED_REQUISITION_STATES: readonly string[] = ['approved', 'processing', 'done'];

type Related<T> = T | null | undefined;

export interface RequisitionRow {
  id: number;
  number: string | null;
  description: string | null;
  state: string;
  supply_date: string | null;
  total_amount: string | null;
  lines: number[];
  approved_by: number | null;
  rejected_by: number | null;
  write_date: string | null;
  create_date: string;
  'employee.'?: Related<{ id: number; rec_name: string; 'party.'?: Related<{ email: string | null }> }>;
  'currency.'?: Related<{ code: string }>;
}
export const REQUISITION_FIELDS = [
  'id', 'number', 'description', 'state', 'supply_date', 'total_amount', 'lines', 'approved_by', 'rejected_by', 'write_date', 'create_date',
  'employee.rec_name', 'employee.party.email', 'currency.code',
];

export interface RequisitionLineRow {
  id: number;
  description: string | null;
  quantity: number | null;
  amount: string | null;
  write_date: string | null;
  create_date: string;
  'product.'?: Related<{ rec_name: string }>;
  'unit.'?: Related<{ symbol: string | null; rec_name: string }>;
  'supplier.'?: Related<{ rec_name: string }>;
}
export const REQUISITION_LINE_FIELDS = [
  'id', 'description', 'quantity', 'amount', 'write_date', 'create_date', 'product.rec_name', 'unit.symbol', 'unit.rec_name', 'supplier.rec_name',
];

/** The dates whose change means the requisition changed (its own, and its lines'). */
export const REQUISITION_DATES = ['write_date', 'create_date', 'lines.write_date', 'lines.create_date'] as const;

export function originatedState(state: string): OriginatedState {
  if (APPROVED_REQUISITION_STATES.includes(state)) return 'approved';
  if (state === 'waiting' || state === 'rejected' || state === 'cancelled' || state === 'draft') return state;
  // A state some other module adds: shown as not waiting, so nobody approves what Tryton does not offer for approval.
  return 'draft';
}

const money = (v: string | null | undefined): string => fenToMoney(moneyToFen(normalizeMoney(v ?? '0') ?? '0'));

/** A Tryton float quantity as a plain decimal string (no exponent, no trailing zeros). */
export function quantityText(q: number | null): string {
  if (q === null || !Number.isFinite(q)) return '0';
  return q.toFixed(6).replace(/\.?0+$/, '') || '0';
}

const firstLine = (text: string | null | undefined): string => (text ?? '').split('\n').map((l) => l.trim()).find((l) => l) ?? '';

export function originatedLine(l: RequisitionLineRow): OriginatedLine {
  const unit = l['unit.']?.symbol || l['unit.']?.rec_name;
  return {
    item: l['product.']?.rec_name ?? firstLine(l.description),
    quantity: quantityText(l.quantity), amount: money(l.amount), ...(unit ? { unit } : {}),
  };
}

export interface DocContext { erp: string; link: (id: number) => string }

/** The requisition's newest naive timestamp, its lines' included (the cursor's key and the version stamp's). */
export function requisitionChanged(row: RequisitionRow, lines: RequisitionLineRow[]): string {
  return newestOf(row.write_date, row.create_date, ...lines.flatMap((l) => [l.write_date, l.create_date])) ?? row.create_date;
}

/** `lines`: the requisition's own lines, in any order (Tryton's order is `row.lines`). */
export function requisitionDoc(c: DocContext, row: RequisitionRow, lines: RequisitionLineRow[], rejectReason?: string): OriginatedDoc {
  const byId = new Map(lines.map((l) => [l.id, l]));
  const ordered = row.lines.map((id) => byId.get(id)).filter((l): l is RequisitionLineRow => !!l);
  const changed = requisitionChanged(row, ordered);
  const employee = row['employee.'];
  const email = employee?.['party.']?.email?.trim();
  const party = ordered.find((l) => l['supplier.'])?.['supplier.']?.rec_name;
  const currency = row['currency.']?.code;
  return {
    ref: {
      erp: c.erp, docKind: 'purchase_requisition', formId: REQUISITION_MODEL, id: String(row.id),
      ...(row.number ? { number: row.number } : {}), externalKey: `origin:${REQUISITION_MODEL}:${row.id}`,
    },
    state: originatedState(row.state),
    owner: { erpId: employee ? String(employee.id) : '', name: employee?.rec_name ?? '', ...(email ? { email } : {}) },
    title: row.description?.trim() || row.number || String(row.id),
    lines: ordered.map(originatedLine),
    total: money(row.total_amount),
    currency: currency ?? '',
    ...(row.supply_date ? { date: row.supply_date } : {}),
    ...(party ? { party } : {}),
    link: c.link(row.id),
    versionStamp: `${changed}|${row.state}`,
    changedAt: trytonTimeToIso(changed),
    ...(rejectReason ? { rejectReason } : {}),
    raw: {
      model: REQUISITION_MODEL, id: row.id, number: row.number, state: row.state, employee: employee?.id ?? null,
      approved_by: row.approved_by, rejected_by: row.rejected_by, total_amount: row.total_amount, supply_date: row.supply_date,
      write_date: row.write_date, create_date: row.create_date,
    },
  };
}

/** tryton://<host[:port]>/<database>/model/purchase.requisition/<id>, from the instance's base URL. */
export function clientLink(baseUrl: string, database: string): (id: number) => string {
  const host = new URL(baseUrl).host;
  return (id) => `tryton://${host}/${encodeURIComponent(database)}/model/${REQUISITION_MODEL}/${id}`;
}
