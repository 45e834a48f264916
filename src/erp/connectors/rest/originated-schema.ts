import { z } from 'zod';
import { MASTER_KINDS, type MasterKind } from '../../../core/master-kinds.ts';
import { normalizeMoney } from '../../../core/money.ts';
import type { MasterRecord } from '../../master-data-port.ts';
import type { OriginatedDoc } from '../../originated-port.ts';
import { REST_DOC_KINDS } from './settings.ts';
import { currency, money, text, timestamp } from './status.ts';

/**
 * The adapter's answers about documents made in the ERP and about master data, checked against the contract
 * (docs/erp-rest-contract.openapi.yaml: OriginatedDocument, OriginatedPage, MasterKinds, MasterRecord, MasterPage;
 * test/unit/erp/rest-openapi.test.ts keeps both in step). A mismatch is erp.rpc_error naming the field.
 */
export const ORIGINATED_STATES = ['draft', 'waiting', 'approved', 'rejected', 'cancelled', 'deleted'] as const;

const quantity = z.string().regex(/^[0-9]{1,12}(\.[0-9]{1,6})?$/, 'a decimal number');
const id = z.string().min(1).max(100);

export const personSchema = z.object({
  id,
  name: z.string().min(1).max(200),
  email: text(320).regex(/^[^@\s]+@[^@\s]+$/, 'an email address').nullable().optional(),
});

export const originatedLineSchema = z.object({
  item: z.string().min(1).max(500),
  quantity,
  amount: money,
  unit: text(50).nullable().optional(),
});

export const originatedDocumentSchema = z.object({
  id,
  number: text(100).nullable().optional(),
  doc_kind: z.enum(REST_DOC_KINDS),
  state: z.enum(ORIGINATED_STATES),
  owner: personSchema,
  title: z.string().min(1).max(500),
  lines: z.array(originatedLineSchema).max(500),
  total: money,
  currency,
  date: z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'a date YYYY-MM-DD').nullable().optional(),
  party: text(500).nullable().optional(),
  link: text(2000).regex(/^[A-Za-z][A-Za-z0-9+.-]*:/, 'a URL with a scheme').nullable().optional(),
  version: z.string().min(1).max(200),
  changed_at: timestamp,
  reject_reason: text(2000).nullable().optional(),
});

export type RestOriginated = z.infer<typeof originatedDocumentSchema>;

export const originatedPageSchema = z.object({
  documents: z.array(originatedDocumentSchema).max(500),
  next_cursor: z.string().min(1).max(500),
  has_more: z.boolean(),
});

export const masterKindsSchema = z.object({ kinds: z.array(z.enum(MASTER_KINDS)).max(MASTER_KINDS.length) });

export const masterRecordSchema = z.object({
  id,
  code: text(100).nullable().optional(),
  name: z.string().min(1).max(500),
  aliases: z.array(z.string().min(1).max(500)).max(50).optional(),
  active: z.boolean(),
  attrs: z.record(z.string(), text(2000)).optional(),
  version: z.string().min(1).max(200),
});

export const masterPageSchema = z.object({
  records: z.array(masterRecordSchema).max(500),
  next_cursor: z.string().min(1).max(500),
  has_more: z.boolean(),
});

const two = (m: string): string => normalizeMoney(m) ?? m;

/** The port's document; its key is `origin:<formId>:<id>` (the ERP's own, not one of ours). */
export function toOriginated(d: RestOriginated, erp: string): OriginatedDoc {
  return {
    ref: { erp, docKind: d.doc_kind, formId: d.doc_kind, id: d.id, ...(d.number ? { number: d.number } : {}), externalKey: `origin:${d.doc_kind}:${d.id}` },
    state: d.state,
    owner: { erpId: d.owner.id, name: d.owner.name, ...(d.owner.email ? { email: d.owner.email } : {}) },
    title: d.title,
    lines: d.lines.map((l) => ({ item: l.item, quantity: l.quantity, amount: two(l.amount), ...(l.unit ? { unit: l.unit } : {}) })),
    total: two(d.total),
    currency: d.currency,
    ...(d.date ? { date: d.date } : {}),
    ...(d.party ? { party: d.party } : {}),
    ...(d.link ? { link: d.link } : {}),
    versionStamp: d.version,
    changedAt: new Date(d.changed_at).toISOString(),
    ...(d.reject_reason ? { rejectReason: d.reject_reason } : {}),
    raw: { id: d.id, state: d.state, version: d.version, changed_at: d.changed_at },
  };
}

export function toMasterRecord(kind: MasterKind, r: z.infer<typeof masterRecordSchema>): MasterRecord {
  return {
    kind, erpId: r.id, name: r.name, active: r.active, versionStamp: r.version,
    ...(r.code ? { code: r.code } : {}),
    ...(r.aliases?.length ? { aliases: r.aliases } : {}),
    ...(r.attrs && Object.keys(r.attrs).length ? { attrs: r.attrs } : {}),
  };
}
