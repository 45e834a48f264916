import { z } from 'zod';
import { normalizeMoney } from '../../../core/money.ts';
import type { CanonicalStatus, ErpDocRef, StatusChange, StatusSnapshot } from '../../erp-connector.ts';
import { rpcError, type CallInfo } from './errors.ts';
import { REST_DOC_KINDS } from './settings.ts';

/**
 * The adapter's answers, checked against the contract (docs/erp-rest-contract.openapi.yaml, components.schemas;
 * test/unit/erp/rest-openapi.test.ts keeps these schemas and that file in step). An answer that does not match is
 * `erp.rpc_error` naming the field: a document the service cannot trust must not move a card.
 */
export const REST_STATUSES = ['submitted', 'approved', 'rejected', 'posted', 'partially_paid', 'paid', 'cancelled'] as const satisfies readonly CanonicalStatus[];

export const money = z.string().regex(/^[0-9]{1,15}(\.[0-9]{1,2})?$/, 'a decimal string with at most two places');
export const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code');
export const timestamp = z.iso.datetime({ offset: true });
export const text = (max: number) => z.string().max(max);

export const documentSchema = z.object({
  id: z.string().min(1).max(100),
  number: text(100).nullable().optional(),
  external_key: text(200).nullable(),
  doc_kind: z.enum(REST_DOC_KINDS),
  status: z.enum(REST_STATUSES),
  erp_status: text(100).nullable().optional(),
  amount: z.object({ total: money, paid: money.nullable().optional(), currency }),
  posted_at: timestamp.nullable().optional(),
  paid_at: timestamp.nullable().optional(),
  bank_ref: text(200).nullable().optional(),
  voucher: text(100).nullable().optional(),
  version: z.string().min(1).max(200),
  updated_at: timestamp,
}).superRefine((d, ctx) => {
  // "paid implies posted": the contract's Document description.
  if (['posted', 'partially_paid', 'paid'].includes(d.status) && !d.posted_at) {
    ctx.addIssue({ code: 'custom', path: ['posted_at'], message: `required when status is ${d.status}` });
  }
  if (d.status === 'partially_paid' || d.status === 'paid') {
    if (!d.paid_at) ctx.addIssue({ code: 'custom', path: ['paid_at'], message: `required when status is ${d.status}` });
    if (!d.amount.paid) ctx.addIssue({ code: 'custom', path: ['amount', 'paid'], message: `required when status is ${d.status}` });
  }
});

export type RestDocument = z.infer<typeof documentSchema>;

export const createResponseSchema = z.object({ created: z.boolean(), document: documentSchema });

export const changePageSchema = z.object({
  changes: z.array(documentSchema).max(500),
  next_cursor: z.string().min(1).max(500),
  has_more: z.boolean(),
});

/** What the connector sends to PUT: checked before sending, so bad data fails here with nothing sent. */
export const createRequestSchema = z.object({
  doc_kind: z.enum(REST_DOC_KINDS),
  payload: z.object({
    amount: money,
    currency: currency.optional(),
    description: text(2000).optional(),
    party: text(500).optional(),
    date: z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'a date YYYY-MM-DD').optional(),
    item: text(500).optional(),
    quantity: z.string().regex(/^[0-9]{1,12}(\.[0-9]{1,6})?$/, 'a decimal number').optional(),
  }).catchall(text(2000)),
  auto_approve: z.boolean(),
}).strict();

export const decideRequestSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  reason: text(2000).optional(),
  /** Who decided in chat (approvals of originated documents): their ERP id when mapped, their name always. */
  approver: z.object({ id: z.string().min(1).max(100).optional(), name: z.string().min(1).max(200) }).strict().optional(),
}).strict();

/** `a.b[2].c: message` for the first few issues. */
export function describeIssues(error: z.ZodError, max = 3): string {
  return error.issues.slice(0, max).map((i) => {
    const path = i.path.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : p ? `${p}.${String(k)}` : String(k)), '');
    return `${path || '(body)'}: ${i.message}`;
  }).join('; ');
}

/** Parses an answer with a schema; a mismatch is erp.rpc_error naming the fields. */
export function parseAnswer<T>(schema: z.ZodType<T>, json: unknown, call: CallInfo): T {
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  return fail(call, r.error);
}

function fail(call: CallInfo, error: z.ZodError): never {
  throw rpcError(call, `the answer does not match the contract: ${describeIssues(error)}`, { fields: error.issues.map((i) => i.path.join('.')) });
}

const iso = (t: string): string => new Date(t).toISOString();

/** The port's reference to an adapter document; `formId` is the document kind (the adapter has one endpoint per key). */
export function restRef(d: RestDocument, erp: string): ErpDocRef {
  return { erp, docKind: d.doc_kind, formId: d.doc_kind, id: d.id, ...(d.number ? { number: d.number } : {}), externalKey: d.external_key ?? '' };
}

export function toSnapshot(d: RestDocument, erp: string): StatusSnapshot {
  const total = normalizeMoney(d.amount.total) ?? d.amount.total;
  const paid = d.amount.paid ? normalizeMoney(d.amount.paid) ?? d.amount.paid : undefined;
  return {
    ref: restRef(d, erp),
    status: d.status,
    raw: { status: d.status, version: d.version, ...(d.erp_status ? { erp_status: d.erp_status } : {}) },
    amounts: { total, currency: d.amount.currency, ...(paid ? { paid } : {}) },
    changedAt: iso(d.updated_at),
    ...(d.posted_at ? { postedAt: iso(d.posted_at) } : {}),
    ...(d.paid_at ? { payment: { at: iso(d.paid_at), ...(d.bank_ref ? { bankRef: d.bank_ref } : {}) } } : {}),
    ...(d.voucher ? { voucher: d.voucher } : {}),
    versionStamp: d.version,
  };
}

export function toChange(d: RestDocument, erp: string): StatusChange {
  const snapshot = toSnapshot(d, erp);
  return { ref: snapshot.ref, to: snapshot.status, at: snapshot.changedAt ?? iso(d.updated_at), source: 'poll', snapshot };
}
