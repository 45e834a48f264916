import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { erpInstanceSchema } from '../../../src/config/erp-instances.ts';
import { REST_OPERATIONS } from '../../../src/erp/connectors/rest/client.ts';
import { pushBodySchema } from '../../../src/erp/connectors/rest/push.ts';
import { REST_DOC_KINDS, restSettingsSchema } from '../../../src/erp/connectors/rest/settings.ts';
import {
  changePageSchema, createRequestSchema, createResponseSchema, decideRequestSchema, documentSchema, REST_STATUSES,
} from '../../../src/erp/connectors/rest/status.ts';
import { MASTER_KINDS } from '../../../src/core/master-kinds.ts';
import {
  masterKindsSchema, masterPageSchema, masterRecordSchema, ORIGINATED_STATES, originatedDocumentSchema, originatedLineSchema, originatedPageSchema,
  personSchema,
} from '../../../src/erp/connectors/rest/originated-schema.ts';
import { loadOpenApi, resolveRef, validate, type Operation, type Schema } from '../../fakes/openapi-check.ts';

/**
 * docs/erp-rest-contract.openapi.yaml and the connector cannot drift: every path and schema the client uses is in
 * the file, every path of the file is used, and the zod schemas that check the adapter's answers have the file's
 * properties, required lists, enums and patterns (the same sample values pass or fail both).
 */
const doc = loadOpenApi();
const schemas = doc.components.schemas;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const props = (name: string): Schema => resolveRef<Schema>(doc, ref(name));

function keys(s: z.ZodObject): { all: string[]; required: string[] } {
  const all = Object.keys(s.shape).sort();
  return { all, required: all.filter((k) => !(s.shape[k] as z.ZodType).safeParse(undefined).success).sort() };
}

function fileKeys(name: string): { all: string[]; required: string[] } {
  const s = props(name);
  return { all: Object.keys(s.properties as object).sort(), required: [...((s.required as string[] | undefined) ?? [])].sort() };
}

function allRefs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => allRefs(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (k === '$ref' && typeof x === 'string') out.push(x); else allRefs(x, out);
  }
  return out;
}

const baseDoc = {
  id: '1000000000000000001', number: 'RA-000001', external_key: 'approval:default:EXP-1:r1', doc_kind: 'payable', status: 'approved',
  amount: { total: '1234.56', paid: null, currency: 'CNY' }, posted_at: null, paid_at: null, bank_ref: null, voucher: null,
  version: 'v1', updated_at: '2026-03-02T09:30:00+08:00',
};

describe('the REST adapter contract file', () => {
  it('is OpenAPI 3.1 with the adapter paths, the push webhook and resolvable references', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.webhooks?.documentsChanged?.post?.requestBody?.content['application/json']?.schema).toEqual(ref('PushBody'));
    for (const r of allRefs(doc)) expect(() => resolveRef(doc, { $ref: r }), r).not.toThrow();
    expect(resolveRef<{ scheme: string }>(doc, { $ref: '#/components/securitySchemes/bearer' }).scheme).toBe('bearer');
  });

  it('has every operation the client calls, with the request and answer schemas the client uses, and nothing more', () => {
    const used = new Set<string>();
    for (const [name, spec] of Object.entries(REST_OPERATIONS)) {
      const op = doc.paths[spec.path]?.[spec.method.toLowerCase()] as Operation | undefined;
      expect(op, `${name}: ${spec.method} ${spec.path}`).toBeDefined();
      if (!op) continue;
      used.add(`${spec.method.toLowerCase()} ${spec.path}`);
      expect(op.requestBody?.content['application/json']?.schema ?? null, name).toEqual(spec.request ? ref(spec.request) : null);
      const ok = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect(ok.length, name).toBeGreaterThan(0);
      for (const s of ok) expect(resolveRef(doc, op.responses[s] as object), `${name} ${s}`).toMatchObject({ content: { 'application/json': { schema: ref(spec.answer) } } });
      // Each status the file names is one errors.ts maps on purpose.
      for (const s of Object.keys(op.responses)) expect(['200', '201', '400', '401', '403', '404', '409', '422', '429', '5XX'], `${name} ${s}`).toContain(s);
    }
    const inFile = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).filter((m) => m !== 'parameters').map((m) => `${m} ${p}`));
    expect(inFile.sort()).toEqual([...used].sort());
  });

  it('describes the same objects as the zod schemas that check the answers', () => {
    expect(keys(documentSchema)).toEqual(fileKeys('Document'));
    expect(keys(documentSchema.shape.amount)).toEqual(fileKeys('Amount'));
    expect(keys(changePageSchema)).toEqual(fileKeys('ChangePage'));
    expect(keys(createResponseSchema)).toEqual(fileKeys('CreateResponse'));
    expect(keys(createRequestSchema)).toEqual(fileKeys('CreateRequest'));
    expect(keys(createRequestSchema.shape.payload)).toEqual(fileKeys('Payload'));
    expect(keys(decideRequestSchema)).toEqual(fileKeys('DecideRequest'));
    expect(keys(pushBodySchema)).toEqual(fileKeys('PushBody'));
    expect(keys(decideRequestSchema.shape.approver.unwrap())).toEqual({ all: ['id', 'name'], required: ['name'] });
    expect((props('DecideRequest').properties as Record<string, Schema>).approver).toMatchObject({ required: ['name'], properties: { id: {}, name: {} } });
    expect(keys(originatedDocumentSchema)).toEqual(fileKeys('OriginatedDocument'));
    expect(keys(personSchema)).toEqual(fileKeys('Person'));
    expect(keys(originatedLineSchema)).toEqual(fileKeys('OriginatedLine'));
    expect(keys(originatedPageSchema)).toEqual(fileKeys('OriginatedPage'));
    expect(keys(masterKindsSchema)).toEqual(fileKeys('MasterKinds'));
    expect(keys(masterRecordSchema)).toEqual(fileKeys('MasterRecord'));
    expect(keys(masterPageSchema)).toEqual(fileKeys('MasterPage'));
    expect(schemas.OriginatedState?.enum).toEqual([...ORIGINATED_STATES]);
    expect(schemas.MasterKind?.enum).toEqual([...MASTER_KINDS]);
    expect(schemas.DocKind?.enum).toEqual([...REST_DOC_KINDS]);
    expect(schemas.Status?.enum).toEqual([...REST_STATUSES]);
    expect((props('DecideRequest').properties as Record<string, Schema>).decision?.enum).toEqual(decideRequestSchema.shape.decision.options);
  });

  it('accepts and refuses the same documents as the connector', () => {
    const variants: Record<string, unknown>[] = [
      {}, { number: null }, { external_key: null }, { erp_status: 'VALIDATED' }, { extra_field: 1 },
      { amount: { total: '5', currency: 'USD' } }, { amount: { total: '5.1', paid: '0.00', currency: 'USD' } },
      { status: 'posted', posted_at: '2026-03-02T01:00:00Z', voucher: 'V-1' },
      { status: 'paid', posted_at: '2026-03-02T01:00:00Z', paid_at: '2026-03-03T01:00:00.250Z', amount: { total: '9.00', paid: '9.00', currency: 'CNY' }, bank_ref: 'B1' },
      { id: '' }, { id: 7 }, { doc_kind: 'invoice' }, { status: 'done' }, { version: '' }, { version: 3 },
      { amount: { total: 12.5, currency: 'CNY' } }, { amount: { total: '12.345', currency: 'CNY' } }, { amount: { total: '-1.00', currency: 'CNY' } },
      { amount: { total: '1,000.00', currency: 'CNY' } }, { amount: { total: '1.00', currency: 'cny' } }, { amount: { total: '1.00' } },
      { updated_at: '2026-03-02 09:30:00' }, { updated_at: '2026-03-02T09:30:00' }, { posted_at: 'yesterday' },
    ];
    for (const v of variants) {
      const d = { ...baseDoc, ...v };
      const byFile = validate(doc, ref('Document'), d).length === 0;
      expect(documentSchema.safeParse(d).success, JSON.stringify(v)).toBe(byFile);
    }
    const missing = ['id', 'external_key', 'doc_kind', 'status', 'amount', 'version', 'updated_at'];
    for (const k of missing) {
      const d: Record<string, unknown> = { ...baseDoc };
      delete d[k];
      expect([documentSchema.safeParse(d).success, validate(doc, ref('Document'), d).length === 0], k).toEqual([false, false]);
    }
  });

  it('accepts and refuses the same originated documents, decisions and master records as the connector', () => {
    const base = {
      id: '2000000000000000001', number: 'PR-000001', doc_kind: 'purchase_requisition', state: 'waiting',
      owner: { id: 'E-7', name: 'Li Si', email: 'li.si@example.com' }, title: 'Laptops for the new hires',
      lines: [{ item: 'Laptop', quantity: '2', amount: '9000.00', unit: 'pc' }], total: '9000.00', currency: 'CNY', date: '2026-03-10',
      party: 'Acme Supplies', link: 'https://erp.example.com/pr/1', version: 'o1', changed_at: '2026-03-02T09:30:00+08:00', reject_reason: null,
    };
    const variants: Record<string, unknown>[] = [
      {}, { number: null, date: null, party: null, link: null }, { state: 'deleted' }, { reject_reason: 'too expensive' }, { extra: true },
      { owner: { id: 'E-7', name: 'Li Si' } }, { owner: { id: 'E-7', name: 'Li Si', email: null } }, { lines: [] },
      { lines: [{ item: 'Pen', quantity: '0.5', amount: '1' }] }, { link: 'tryton://erp/model/purchase.request/1' },
      { state: 'submitted' }, { owner: { id: 'E-7' } }, { owner: { id: '', name: 'Li Si' } }, { owner: { id: 'E-7', name: 'Li Si', email: 'li si' } },
      { title: '' }, { total: 9000 }, { total: '9000.001' }, { currency: 'cny' }, { date: '2026/03/10' }, { link: '/relative/path' },
      { lines: [{ item: 'Pen', quantity: '-1', amount: '1.00' }] }, { lines: [{ item: 'Pen', amount: '1.00' }] }, { lines: [{ item: 'Pen', quantity: 2, amount: '1.00' }] },
      { changed_at: '2026-03-02 09:30' }, { version: '' }, { doc_kind: 'requisition' },
    ];
    for (const v of variants) {
      const d = { ...base, ...v };
      expect(originatedDocumentSchema.safeParse(d).success, JSON.stringify(v)).toBe(validate(doc, ref('OriginatedDocument'), d).length === 0);
    }
    for (const k of ['id', 'doc_kind', 'state', 'owner', 'title', 'lines', 'total', 'currency', 'version', 'changed_at']) {
      const d: Record<string, unknown> = { ...base };
      delete d[k];
      expect([originatedDocumentSchema.safeParse(d).success, validate(doc, ref('OriginatedDocument'), d).length === 0], k).toEqual([false, false]);
    }
    const decisions = [
      { decision: 'approve' }, { decision: 'reject', reason: 'no budget', approver: { id: 'E-1', name: 'Wang Wu' } }, { decision: 'approve', approver: { name: 'Wang Wu' } },
      { decision: 'approve', approver: { id: 'E-1' } }, { decision: 'approve', approver: { name: '' } }, { decision: 'approve', approver: { name: 'W', role: 'x' } },
      { decision: 'maybe' }, { decision: 'approve', extra: 1 },
    ];
    for (const b of decisions) expect(decideRequestSchema.safeParse(b).success, JSON.stringify(b)).toBe(validate(doc, ref('DecideRequest'), b).length === 0);
    const record = { id: 'S-1', code: 'V001', name: 'Acme Supplies', aliases: ['Acme'], active: true, attrs: { tax_id: '9131' }, version: 'm1' };
    const records: Record<string, unknown>[] = [
      {}, { code: null }, { aliases: [] }, { attrs: {} }, { extra: 1 }, { active: 'yes' }, { name: '' }, { aliases: [''] }, { attrs: { tax_id: 9131 } },
      { version: '' }, { id: 5 },
    ];
    for (const v of records) {
      const r = { ...record, ...v };
      expect(masterRecordSchema.safeParse(r).success, JSON.stringify(v)).toBe(validate(doc, ref('MasterRecord'), r).length === 0);
    }
    for (const b of [{ kinds: ['supplier', 'employee'] }, { kinds: [] }, { kinds: ['planet'] }, {}]) {
      expect(masterKindsSchema.safeParse(b).success, JSON.stringify(b)).toBe(validate(doc, ref('MasterKinds'), b).length === 0);
    }
  });

  it('accepts and refuses the same create bodies and push bodies as the connector', () => {
    const bodies = [
      { doc_kind: 'payable', payload: { amount: '1.00' }, auto_approve: true },
      { doc_kind: 'payable', payload: { amount: '1.00', currency: 'CNY', party: 'A', date: '2026-03-01', quantity: '2.5', cost_center: 'CC-1' }, auto_approve: false },
      { doc_kind: 'payable', payload: { amount: '1.00' } },
      { doc_kind: 'payable', payload: { amount: '1.00' }, auto_approve: true, extra: 1 },
      { doc_kind: 'payable', payload: { currency: 'CNY' }, auto_approve: true },
      { doc_kind: 'payable', payload: { amount: '1.00', date: '2026/03/01' }, auto_approve: true },
      { doc_kind: 'payable', payload: { amount: '1.00', cost_center: 7 }, auto_approve: true },
    ];
    for (const b of bodies) expect(createRequestSchema.safeParse(b).success, JSON.stringify(b)).toBe(validate(doc, ref('CreateRequest'), b).length === 0);
    const pushes = [
      { event_id: 'e1', documents: [{ id: '1' }] }, { event_id: 'e1', documents: [{ external_key: 'k', doc_kind: 'payable' }] },
      { event_id: 'e1', documents: [{ doc_kind: 'payable' }] }, { event_id: 'e1', documents: [] }, { event_id: '', documents: [{ id: '1' }] },
      { event_id: 'e1', documents: [{ id: '1', extra: 'x' }] },
    ];
    for (const b of pushes) expect(pushBodySchema.safeParse(b).success, JSON.stringify(b)).toBe(validate(doc, ref('PushBody'), b).length === 0);
  });

  it('the instance file in docs/erp-rest-adapter.md is valid for the envelope and the rest settings', () => {
    const md = readFileSync(new URL('../../../docs/erp-rest-adapter.md', import.meta.url), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(md)?.[1];
    expect(block).toBeDefined();
    const file = erpInstanceSchema.parse(parse(block ?? ''));
    expect(file.kind).toBe('rest');
    expect(Object.keys(file.credentials)).toEqual(['token']);
    expect(restSettingsSchema.safeParse(file.settings).error).toBeUndefined();
  });
});
