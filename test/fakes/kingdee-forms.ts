import { FieldMissing, type Value } from './kingdee-filter.ts';

/**
 * The fake K3 Cloud's forms and bills. A form knows its header fields, base-data references (resolved by number against
 * the fake's master data), its entry (单据体) fields, the fields Save requires and the header total it sums from its
 * lines. Field keys are matched case-insensitively, as K3 does. FormIds and bill types:
 * https://github.com/null-characters/kingdee_webapi_sdk (docs/reference/formids_list.tsv); the field names follow the
 * Save models of working integrations (the connector's defaults: src/erp/connectors/kingdee/settings-defaults.ts).
 */
export interface FakeFormSchema {
  formId: string;
  prefix: string;
  entry: string | null;
  /** Plain header fields (besides FID, FBillNo, FDocumentStatus, FCancelStatus, FCreateDate, FModifyDate). */
  fields: string[];
  /** Reference field (header `FProposerID`, or line `FEntity.FExpID`) → master-data table. */
  refs: Record<string, string>;
  entryFields: string[];
  /** Paths Save refuses to do without (header field, reference, or `<entry>.<field>`). */
  required: string[];
  /** Header total = sum of a line field. */
  total?: { field: string; from: string };
  paidField?: string;
  labels: Record<string, string>;
}

export const FAKE_FORMS: FakeFormSchema[] = [
  {
    formId: 'ER_ExpReimbursement', prefix: 'FYBX', entry: 'FEntity',
    fields: ['FDate', 'FCausa', 'FCONTACTUNITTYPE', 'FRequestType', 'FRemarks'],
    refs: { FProposerID: 'employee', FCONTACTUNIT: 'employee', FCurrencyID: 'currency', FBillTypeID: 'billtype', 'FEntity.FExpID': 'expense_item' },
    entryFields: ['FTaxSubmitAmt', 'FRemark'],
    required: ['FDate', 'FProposerID', 'FCONTACTUNIT', 'FCurrencyID', 'FBillTypeID', 'FEntity.FTaxSubmitAmt'],
    total: { field: 'FExpAmountSum', from: 'FTaxSubmitAmt' }, paidField: 'FPayedAmount',
    labels: { FDate: '申请日期', FProposerID: '申请人', FCONTACTUNIT: '往来单位', FCurrencyID: '币别', FBillTypeID: '单据类型', 'FEntity.FTaxSubmitAmt': '申请报销金额' },
  },
  {
    formId: 'CN_PAYAPPLY', prefix: 'FKSQ', entry: 'FPAYAPPLYENTRY',
    fields: ['FDATE', 'FCONTACTUNITTYPE', 'FRECTUNITTYPE', 'FRemarks'],
    refs: { FCONTACTUNIT: 'supplier', FRECTUNIT: 'supplier', FCURRENCYID: 'currency', FBillTypeID: 'billtype' },
    entryFields: ['FAPPLYAMOUNTFOR', 'FDescription'],
    required: ['FDATE', 'FCONTACTUNIT', 'FRECTUNIT', 'FCURRENCYID', 'FPAYAPPLYENTRY.FAPPLYAMOUNTFOR'],
    total: { field: 'FAPPLYAMOUNTFOR_H', from: 'FAPPLYAMOUNTFOR' },
    labels: { FDATE: '申请日期', FCONTACTUNIT: '往来单位', FRECTUNIT: '收款单位', FCURRENCYID: '币别', 'FPAYAPPLYENTRY.FAPPLYAMOUNTFOR': '申请付款金额' },
  },
  {
    formId: 'PUR_Requisition', prefix: 'CGSQ', entry: 'FEntity',
    fields: ['FApplicationDate', 'FNote'],
    refs: { FCurrencyId: 'currency', FBillTypeID: 'billtype', FApplicantId: 'employee', 'FEntity.FSuggestSupplierId': 'supplier', 'FEntity.FMaterialId': 'material' },
    entryFields: ['FReqQty', 'FReqAmount'],
    required: ['FApplicationDate', 'FEntity.FMaterialId', 'FEntity.FReqQty'],
    total: { field: 'FTotalAmount', from: 'FReqAmount' },
    labels: { FApplicationDate: '申请日期', 'FEntity.FMaterialId': '物料编码', 'FEntity.FReqQty': '申请数量' },
  },
  {
    formId: 'PUR_PurchaseOrder', prefix: 'CGDD', entry: 'FPOOrderEntry',
    fields: ['FDate', 'FNote'],
    refs: { FSupplierId: 'supplier', FSettleCurrId: 'currency', FBillTypeID: 'billtype', FPurchaserId: 'employee', 'FPOOrderEntry.FMaterialId': 'material' },
    entryFields: ['FQty', 'FAllAmount', 'FEntryNote'],
    required: ['FDate', 'FSupplierId', 'FPOOrderEntry.FMaterialId', 'FPOOrderEntry.FQty'],
    total: { field: 'FBillAllAmount', from: 'FAllAmount' },
    labels: { FDate: '采购日期', FSupplierId: '供应商', 'FPOOrderEntry.FMaterialId': '物料编码', 'FPOOrderEntry.FQty': '采购数量' },
  },
  {
    // 付款单: written by the finance side only (the fake's pay()); one line per bill here, its bank status on the header.
    formId: 'AP_PAYBILL', prefix: 'FKD', entry: null,
    fields: ['FSourceBillNumber', 'FBankStatus', 'FREALPAYAMOUNTFOR_H', 'FDATE', 'FQQLSH'],
    refs: {}, entryFields: [], required: [], labels: {},
  },
];

/**
 * A base-data record (基础资料). `id`, dates and the forbid status are filled in by the fake's master data
 * (kingdee-master.ts) for rows given without them; `attrs` holds the extra fields its form serves, by field key.
 */
export interface MasterRow {
  number: string; name: string;
  id?: number; created?: string; modified?: string; forbid?: 'A' | 'B'; forbidDate?: string; attrs?: Record<string, string>;
}
export type DocStatus = 'Z' | 'A' | 'B' | 'C' | 'D';

export interface FakeBill {
  formId: string;
  id: number;
  no: string;
  status: DocStatus;
  cancel: 'A' | 'B';
  /** lower-case field key → value; a reference holds its MasterRow. */
  header: Map<string, Value | MasterRow>;
  lines: Map<string, Value | MasterRow>[];
  created: string;
  modified: string;
  /** The K3 user who made the bill (FCreatorId): the API user for bills saved through the WebAPI. */
  creator?: { id: number; name: string };
}

const lc = (s: string): string => s.toLowerCase();

export function findSchema(forms: FakeFormSchema[], formId: string): FakeFormSchema | undefined {
  return forms.find((f) => lc(f.formId) === lc(formId));
}

/** Sum of a line field in fen (amounts are kept exact). */
function sumLines(bill: FakeBill, field: string): number {
  const fen = bill.lines.reduce((s, l) => s + BigInt(Math.round(Number(l.get(lc(field)) ?? 0) * 100)), 0n);
  return Number(fen) / 100;
}

/** One field key of a bill, as ExecuteBillQuery reads it (`FProposerID.FNumber` reads a reference's number). */
export function readField(schema: FakeFormSchema, custom: string[], bill: FakeBill, key: string): Value {
  const k = lc(key);
  const fixed: Record<string, Value> = { fid: bill.id, fbillno: bill.no, fdocumentstatus: bill.status, fcancelstatus: bill.cancel, fcreatedate: bill.created, fmodifydate: bill.modified,
    // 创建人 (FCreatorId, a K3 user): its id, and its name through the reference (https://www.qeasy.cloud/api/a5652e30-9f06-38a9-81b8-55693ff13ab2).
    fcreatorid: bill.creator?.id ?? 0, 'fcreatorid.fname': bill.creator?.name ?? null };
  if (k in fixed) return fixed[k] ?? null;
  if (schema.total && k === lc(schema.total.field)) return sumLines(bill, schema.total.from);
  if (schema.paidField && k === lc(schema.paidField)) return Number(bill.header.get(k) ?? 0);
  const [head = '', sub] = k.split('.');
  const ref = Object.keys(schema.refs).find((r) => lc(r) === head);
  if (ref && sub === undefined) return (bill.header.get(head) as MasterRow | undefined)?.id ?? 0; // a reference's bare key reads its internal id
  if (ref && sub !== undefined) {
    const row = bill.header.get(head) as MasterRow | undefined;
    if (sub.endsWith('number')) return row?.number ?? null;
    if (sub === 'fname') return row?.name ?? null;
    throw new FieldMissing(key);
  }
  if (sub === undefined && [...schema.fields, ...custom].some((f) => lc(f) === k)) {
    const v = bill.header.get(k);
    return v === undefined ? '' : (v as Value);
  }
  throw new FieldMissing(key);
}
