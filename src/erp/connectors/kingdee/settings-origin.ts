import { z } from 'zod';
import { ConfigError } from '../../../core/errors.ts';
import { MASTER_KINDS, type MasterKind } from '../../../core/master-kinds.ts';
import type { DocKind } from '../../erp-connector.ts';

/**
 * The `originated:` and `master_data:` parts of a Kingdee instance's settings (settings.ts includes them).
 *
 * Field keys here are ExecuteBillQuery keys: a header field (`FCausa`), a base-data reference's property
 * (`FProposerID.FName`), or an entry (单据体) field by its own key without the entry's (`FTaxSubmitAmt`,
 * `FMaterialId.FName`): K3 field keys are unique within a form, and a query naming entry fields answers one row per
 * entry line (the entry's id is `<EntryKey>_FEntryId`). Source: query field lists such as
 * https://www.qeasy.cloud/api/30b9d777-1314-3fcd-a070-0ce4cfecaf99 (FInStockEntry_FEntryId, FMaterialId_FNumber
 * beside the header's FBillNo, FDocumentStatus "暂存:Z 创建:A 审核中:B 已审核:C", FCreateDate) and
 * https://www.qeasy.cloud/api/a5652e30-9f06-38a9-81b8-55693ff13ab2 (FCreatorId 创建人, FModifyDate 最后修改日期).
 * Keys marked (check) are the usual ones but were not confirmed in Kingdee's documentation: confirm them with
 * QueryBusinessInfo on your server and override them here.
 */
const fieldKey = z.string().regex(/^F[A-Za-z0-9_]*(\.[A-Za-z0-9_]+){0,2}$/, 'a K3 field key such as FBillNo, FQty or FProposerID.FName');
const DOC_KINDS = ['expense_reimbursement', 'payment_request', 'purchase_requisition', 'purchase_order', 'payable', 'journal_voucher', 'material_requisition', 'contract'] as const;

/** One bill form whose ERP-made bills come to chat. */
const originFormSchema = z.object({
  form_id: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/).optional(),
  /** The entry key (its line id is `<entry>_FEntryId`). */
  entry: z.string().regex(/^F?[A-Za-z0-9_]+$/).optional(),
  /** The applicant (a base-data reference: its `FNumber` and `FName` are read), used when `owner: applicant`. */
  applicant_field: fieldKey.nullable().optional(),
  /** The bill's subject; null: the first line's item, else the bill number. */
  title_field: fieldKey.nullable().optional(),
  /** Where a rejection's reason is written (a header text field the owner sees). */
  remark_field: fieldKey.optional(),
  total_field: fieldKey.optional(),
  /** A currency reference's number, mapped to ISO with `currencies`. */
  currency_field: fieldKey.optional(),
  date_field: fieldKey.nullable().optional(),
  /** The supplier or counterparty's name (a header reference, or an entry one: the first line's). */
  party_field: fieldKey.nullable().optional(),
  line: z.object({
    item: fieldKey.optional(),
    /** null: each line counts 1. */
    quantity: fieldKey.nullable().optional(),
    amount: fieldKey.optional(),
    unit: fieldKey.nullable().optional(),
  }).strict().optional(),
}).strict();
type OriginForm = z.infer<typeof originFormSchema>;

/**
 * Defaults per document kind (the FormIds of settings-defaults.ts). Verified: ER_ExpReimbursement's FProposerID,
 * FCausa, FExpAmountSum and FEntity (the connector's own Save mapping); PUR_Requisition's applicant FApplicantId and
 * note FNote; FDocumentStatus/FCreatorId/FModifyDate on every bill (above).
 */
export const DEFAULT_ORIGIN_FORMS: Partial<Record<DocKind, OriginForm>> = {
  expense_reimbursement: {
    form_id: 'ER_ExpReimbursement', entry: 'FEntity', applicant_field: 'FProposerID', title_field: 'FCausa',
    remark_field: 'FRemarks', // (check): the header remark of 费用报销单
    total_field: 'FExpAmountSum', currency_field: 'FCurrencyID.FNumber', date_field: 'FDate', party_field: null,
    line: { item: 'FExpID.FName', quantity: null, amount: 'FTaxSubmitAmt', unit: null },
  },
  payment_request: {
    form_id: 'CN_PAYAPPLY', entry: 'FPAYAPPLYENTRY', applicant_field: null, title_field: null,
    remark_field: 'FRemarks', // (check)
    total_field: 'FAPPLYAMOUNTFOR_H', currency_field: 'FCURRENCYID.FNumber', date_field: 'FDATE', party_field: 'FRECTUNIT.FName',
    line: { item: 'FDescription', quantity: null, amount: 'FAPPLYAMOUNTFOR', unit: null }, // (check) the line's purpose
  },
  purchase_requisition: {
    form_id: 'PUR_Requisition', entry: 'FEntity', applicant_field: 'FApplicantId', title_field: null, remark_field: 'FNote',
    total_field: 'FTotalAmount', currency_field: 'FCurrencyId.FNumber', date_field: 'FApplicationDate', party_field: 'FSuggestSupplierId.FName',
    line: { item: 'FMaterialId.FName', quantity: 'FReqQty', amount: 'FReqAmount', unit: null }, // (check) the amount field
  },
  purchase_order: {
    form_id: 'PUR_PurchaseOrder', entry: 'FPOOrderEntry', applicant_field: 'FPurchaserId', // (check)
    title_field: null, remark_field: 'FNote', // (check)
    total_field: 'FBillAllAmount', currency_field: 'FSettleCurrId.FNumber', date_field: 'FDate', party_field: 'FSupplierId.FName',
    line: { item: 'FMaterialId.FName', quantity: 'FQty', amount: 'FAllAmount', unit: null },
  },
};

const DOC_STATES = z.enum(['draft', 'waiting', 'approved', 'rejected']);

export const originatedSchema = z.object({
  /** The kinds whose ERP-made bills come to chat (merged over DEFAULT_ORIGIN_FORMS); absent: all four defaults. */
  forms: z.partialRecord(z.enum(DOC_KINDS), originFormSchema).optional(),
  /** Whose bill it is: its creator (FCreatorId, a K3 user) or the form's applicant field (an employee). */
  owner: z.enum(['creator', 'applicant']).default('creator'),
  creator_field: fieldKey.default('FCreatorId'),
  /**
   * FDocumentStatus → state: B 审核中 waits for approval, C 已审核 is approved; Z 暂存, A 创建 and D 重新审核 are
   * with their owner. Letters: https://qliang.cloud/api/cce5a25d-172e-3801-84f8-266d490fe308 ("暂存:Z 创建:A 审核中:B 已审核:C 重新审核:D").
   */
  states: z.record(z.string().min(1), DOC_STATES).default({ Z: 'draft', A: 'draft', B: 'waiting', C: 'approved', D: 'draft' }),
  /** Where a person opens the bill: `{formId}`, `{id}` and `{number}` are filled in; null: no link. */
  link_template: z.string().regex(/^[a-z][a-z0-9+.-]*:/i, 'an absolute URL (http(s) or the client scheme)').nullable().default(null),
  /** Bills carrying our external key are the service's own (created from chat requests), never brought back. */
  skip_own: z.boolean().default(true),
}).strict();

/** One kind of base data (基础资料) and its fields. */
const masterFormSchema = z.object({
  form_id: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/),
  /** The record's internal id (stable across renames). */
  id_field: fieldKey,
  code_field: fieldKey.default('FNumber'),
  name_field: fieldKey.default('FName'),
  alias_fields: z.array(fieldKey).default([]),
  /** attrs name → field key (employee email/mobile, material model/unit, supplier tax_id…). */
  attrs: z.record(z.string().regex(/^[a-z_]+$/), fieldKey).default({}),
}).strict();
type MasterForm = z.input<typeof masterFormSchema>;

/**
 * Base-data FormIds and keys. FormIds BD_Supplier, BD_Customer, BD_Empinfo, BD_Department, BD_MATERIAL, BD_STOCK,
 * BD_Expense and BD_Account with FNumber/FName are the ones integrations query (e.g. the master-data list of
 * https://github.com/MuJianxuan/msk3cloud-webapi src/main/java/com/msk3cloud/constant/formid/BaseManagerConstants.java
 * for BD_Supplier/BD_MATERIAL); material's 规格型号 is FSpecification and its id FMATERIALID. No standard project
 * FormId was found (BD_Project exists only where a deployment adds it): project is left out unless configured here.
 */
export const DEFAULT_MASTER_FORMS: Partial<Record<MasterKind, MasterForm>> = {
  supplier: { form_id: 'BD_Supplier', id_field: 'FSupplierId', alias_fields: ['FShortName'] }, // (check) FShortName
  customer: { form_id: 'BD_Customer', id_field: 'FCUSTID', alias_fields: ['FShortName'] }, // (check) FShortName
  employee: { form_id: 'BD_Empinfo', id_field: 'FID', attrs: { email: 'FEmail', mobile: 'FMobile' } }, // (check) FEmail, FMobile
  department: { form_id: 'BD_Department', id_field: 'FDEPTID' },
  material: { form_id: 'BD_MATERIAL', id_field: 'FMATERIALID', attrs: { model: 'FSpecification', unit: 'FBaseUnitId.FName' } }, // (check) FBaseUnitId
  warehouse: { form_id: 'BD_STOCK', id_field: 'FStockId' },
  expense_category: { form_id: 'BD_Expense', id_field: 'FEXPID' }, // (check) FEXPID
  account: { form_id: 'BD_Account', id_field: 'FACCTID' }, // (check) FACCTID
};

export const masterDataSchema = z.object({
  /** Per kind: merged over DEFAULT_MASTER_FORMS (a kind without a default, such as project, needs form_id and id_field). */
  forms: z.partialRecord(z.enum(MASTER_KINDS), masterFormSchema.partial()).optional(),
  /**
   * 禁用状态: 'A' usable, 'B' forbidden (integrations read usable records with FForbidStatus='A'). Forbidding is an
   * operation (ExcuteOperation "Forbid"), which stamps FForbidDate: both dates are read so a forbid is news.
   */
  forbid_field: fieldKey.default('FForbidStatus'),
  forbidden: z.array(z.string()).default(['B']),
  forbid_date_field: fieldKey.nullable().default('FForbidDate'),
  modify_date_field: fieldKey.default('FModifyDate'),
  /** How far before the last change each pass re-reads. */
  overlap_seconds: z.number().int().min(0).max(86_400).default(120),
}).strict();

export type OriginatedSettings = z.infer<typeof originatedSchema>;
export type MasterDataSettings = z.infer<typeof masterDataSchema>;

/** A form's originated mapping with every default filled in. */
export interface ResolvedOriginForm {
  docKind: DocKind; formId: string; entry: string; applicantField: string | null; titleField: string | null; remarkField: string;
  totalField: string; currencyField: string; dateField: string | null; partyField: string | null;
  line: { item: string; quantity: string | null; amount: string; unit: string | null };
}

export function resolveOriginForms(o: OriginatedSettings): ResolvedOriginForm[] {
  const listed = Object.entries(o.forms ?? DEFAULT_ORIGIN_FORMS) as [DocKind, OriginForm][];
  return listed.map(([docKind, own]) => {
    const base = DEFAULT_ORIGIN_FORMS[docKind] ?? {};
    const m = { ...base, ...own, line: { ...base.line, ...own.line } };
    const missing = (['form_id', 'entry', 'remark_field', 'total_field', 'currency_field'] as const).filter((k) => !m[k]);
    if (!m.line.item || !m.line.amount) missing.push('line' as never);
    if (missing.length) throw new ConfigError(`settings.originated.forms.${docKind}: ${missing.join(', ')} required (no built-in default for ${docKind})`);
    return {
      docKind, formId: m.form_id as string, entry: m.entry as string, applicantField: m.applicant_field ?? null, titleField: m.title_field ?? null,
      remarkField: m.remark_field as string, totalField: m.total_field as string, currencyField: m.currency_field as string,
      dateField: m.date_field ?? null, partyField: m.party_field ?? null,
      line: { item: m.line.item as string, quantity: m.line.quantity ?? null, amount: m.line.amount as string, unit: m.line.unit ?? null },
    };
  });
}

export interface ResolvedMasterForm { kind: MasterKind; formId: string; id: string; code: string; name: string; aliases: string[]; attrs: Record<string, string> }

export function resolveMasterForms(m: MasterDataSettings): ResolvedMasterForm[] {
  const kinds = new Set<MasterKind>([...Object.keys(DEFAULT_MASTER_FORMS), ...Object.keys(m.forms ?? {})] as MasterKind[]);
  return MASTER_KINDS.filter((k) => kinds.has(k)).map((kind) => {
    const merged = { ...DEFAULT_MASTER_FORMS[kind], ...m.forms?.[kind] };
    if (!merged.form_id || !merged.id_field) throw new ConfigError(`settings.master_data.forms.${kind}: form_id and id_field are required (no built-in default for ${kind})`);
    return {
      kind, formId: merged.form_id, id: merged.id_field, code: merged.code_field ?? 'FNumber', name: merged.name_field ?? 'FName',
      aliases: merged.alias_fields ?? [], attrs: { ...DEFAULT_MASTER_FORMS[kind]?.attrs, ...m.forms?.[kind]?.attrs },
    };
  });
}
