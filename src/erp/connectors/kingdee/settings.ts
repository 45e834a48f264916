import { z } from 'zod';
import { ConfigError } from '../../../core/errors.ts';
import type { CanonicalStatus, DocKind } from '../../erp-connector.ts';
import { DEFAULT_DOCUMENTS } from './settings-defaults.ts';
import { masterDataSchema, originatedSchema } from './settings-origin.ts';

/**
 * The `settings:` block of a Kingdee K3 Cloud (金蝶云星空) instance file (erps/<id>.yaml, kind: kingdee).
 * Credentials (`app_id`, `app_secret`, `username`) are environment variables named under `credentials:`; the
 * account-set id (`acct_id`, 数据中心 ID) is not a secret and sits here. Field names differ between deployments:
 * every K3 field this connector reads or writes is configurable, with the defaults in settings-defaults.ts.
 * Field keys are those of ExecuteBillQuery / Save (`F` prefix), e.g. `FBillNo`, `FProposerID.FSTAFFNUMBER`.
 */
const fieldKey = z.string().regex(/^F[A-Za-z0-9_]*(\.[A-Za-z0-9_]+){0,2}$/, 'a K3 field key such as FBillNo, FEntity.FTaxSubmitAmt or FProposerID.FNumber');
const canonical = z.enum(['draft', 'saved', 'submitted', 'approved', 'rejected', 'posted', 'partially_paid', 'paid', 'cancelled', 'unknown']);

/** How "posted" shows on a bill: a field (a voucher number, a "voucher generated" flag) and, optionally, its posting date. */
const postedSchema = z.object({
  /** Posted when this field is non-empty (and not 0/false), or, with `values`, when it holds one of them. */
  field: fieldKey,
  values: z.array(z.string()).min(1).optional(),
  /** When the posting happened; without it the bill's modify date stands in. */
  date_field: fieldKey.optional(),
}).strict();

/** One document kind: which K3 form it is and how our payload keys land on the form's fields. */
const documentSchema = z.object({
  form_id: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/).optional(),
  /** The entry (单据体) lines live in; a mapped path starting with it writes the first line. */
  entry: z.string().regex(/^F?[A-Za-z0-9_]+$/).optional(),
  /**
   * Payload key → field path(s). `FDate`: a header field; `FProposerID.FSTAFFNUMBER`: a base-data reference by
   * number (Save takes `{"FProposerID":{"FSTAFFNUMBER":"E001"}}`); `FEntity.FTaxSubmitAmt`: a field of the first entry line.
   * A payload key without a mapping is refused (a mapping mistake, not something to drop silently).
   */
  fields: z.record(z.string(), z.union([fieldKey, z.array(fieldKey).min(1)])).optional(),
  /** Fixed values every Save of this kind carries (bill type, organisation, contact type…), by field path. */
  constants: z.record(fieldKey, z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** Where our external key is written and looked up (ExecuteBillQuery before every Save). Overrides the instance's `key_field`. */
  key_field: fieldKey.optional(),
  /** The bill's total, read back (a header field). */
  amount_field: fieldKey.optional(),
  /** The amount paid so far as the bill shows it (e.g. FPayedAmount); null: payment bills alone tell. */
  paid_amount_field: fieldKey.nullable().optional(),
  /** The currency reference, read back as a K3 currency number and mapped to ISO with `currencies`. */
  currency_field: fieldKey.optional(),
  /** Posted detection; null or absent: not detected on this form (paid still implies posted). */
  posted: postedSchema.nullable().optional(),
}).strict();

const DOC_KINDS = ['expense_reimbursement', 'payment_request', 'purchase_requisition', 'purchase_order', 'payable', 'journal_voucher', 'material_requisition', 'contract'] as const;

export const kingdeeSettingsSchema = z.object({
  /** The account set (数据中心) id: `acctid` of the login. */
  acct_id: z.string().min(1),
  /** Language of the session (2052 zh-CN, 1033 en-US, 3076 zh-TW). */
  lcid: z.number().int().default(2052),
  /**
   * `sign`: LoginBySign, the signed login Kingdee recommends (SHA-256 over the sorted acct id, user, app id, app secret
   * and timestamp); `app_secret`: LoginByAppSecret (app secret sent as is; older builds).
   */
  login: z.enum(['sign', 'app_secret']).default('sign'),
  /** The K3 server's UTC offset: its dates (FModifyDate…) carry no zone. */
  timezone: z.string().regex(/^[+-]\d{2}:\d{2}$/).default('+08:00'),
  /**
   * The default field for our external key on every form. Default `F_BOT_ExtKey`: a text field (64+ characters)
   * added to each form in the BOS designer, kept apart from remarks people edit. Point it (or a form's `key_field`)
   * at an existing field instead if you prefer, e.g. `FTHIRDBILLNO` where the form has one.
   */
  key_field: fieldKey.default('F_BOT_ExtKey'),
  /** ISO currency → K3 currency number (PRE001 is the preset 人民币). */
  currencies: z.record(z.string().regex(/^[A-Z]{3}$/), z.string().min(1)).default({ CNY: 'PRE001' }),
  /** A "locked" answer (网控冲突, MsgCode 13) is retried this many times in all, with doubling backoff, then erp.unavailable. */
  lock_retry: z.object({ attempts: z.number().int().min(1).max(10).default(4), backoff_ms: z.number().int().min(0).max(60_000).default(500) }).strict().default({ attempts: 4, backoff_ms: 500 }),
  /** Change feed: how far before the last change each poll re-reads (K3 dates have second precision, clocks drift). */
  poll_overlap_seconds: z.number().int().min(0).max(86_400).default(120),
  status_codes: z.object({
    /** FDocumentStatus → canonical. Z 暂存, A 创建, B 审核中, C 已审核, D 重新审核 (after UnAudit or a workflow rejection). */
    document: z.record(z.string().min(1), canonical).default({ Z: 'draft', A: 'saved', B: 'submitted', C: 'approved', D: 'rejected' }),
    /** The cancel flag (作废): the field and the values that mean cancelled; null: not read. */
    cancel_field: fieldKey.nullable().default('FCancelStatus'),
    cancelled: z.array(z.string()).default(['B']),
    /** Payment-bill bank status codes that mean the money left the bank (one integration reads 'C' 银行交易成功, another 'F'). */
    bank_paid: z.array(z.string().min(1)).min(1).default(['C']),
  }).strict().default({ document: { Z: 'draft', A: 'saved', B: 'submitted', C: 'approved', D: 'rejected' }, cancel_field: 'FCancelStatus', cancelled: ['B'], bank_paid: ['C'] }),
  /** The payment bill (付款单) whose bank status confirms a payment; null: the bill's paid amount alone decides. */
  payment_bill: z.object({
    form_id: z.string().default('AP_PAYBILL'),
    /** The payment bill's link to the bill it pays (the source bill number). */
    source_number_field: fieldKey.default('FSourceBillNumber'),
    bank_status_field: fieldKey.default('FBankStatus'),
    amount_field: fieldKey.default('FREALPAYAMOUNTFOR_H'),
    date_field: fieldKey.default('FDATE'),
    /** The bank reference shown on the card (请求流水号); the payment bill's number when empty. */
    bank_ref_field: fieldKey.default('FQQLSH'),
  }).strict().nullable().default({
    form_id: 'AP_PAYBILL', source_number_field: 'FSourceBillNumber', bank_status_field: 'FBankStatus',
    amount_field: 'FREALPAYAMOUNTFOR_H', date_field: 'FDATE', bank_ref_field: 'FQQLSH',
  }),
  /** The kinds this instance serves, each merged over its built-in default (settings-defaults.ts); absent: all four defaults. */
  documents: z.partialRecord(z.enum(DOC_KINDS), documentSchema).optional(),
  /** The bill's modify and create date fields (the change feed reads both). */
  modify_date_field: fieldKey.default('FModifyDate'),
  create_date_field: fieldKey.default('FCreateDate'),
  /** ERP-made bills brought to chat for approval (settings-origin.ts). */
  originated: originatedSchema.default(originatedSchema.parse({})),
  /** Base data shared with the service (settings-origin.ts). */
  master_data: masterDataSchema.default(masterDataSchema.parse({})),
}).strict().superRefine((s, ctx) => {
  for (const [kind, doc] of Object.entries(s.documents ?? {})) {
    if ((DEFAULT_DOCUMENTS as Record<string, unknown>)[kind] || !doc) continue;
    for (const key of ['form_id', 'amount_field', 'currency_field'] as const) {
      if (!doc[key]) ctx.addIssue({ code: 'custom', path: ['documents', kind, key], message: `required: ${kind} has no built-in mapping` });
    }
  }
});

export type KingdeeSettings = z.infer<typeof kingdeeSettingsSchema>;
export type KingdeeDocumentSettings = z.infer<typeof documentSchema>;

/** A document kind's mapping with every default filled in. */
export interface KingdeeForm {
  docKind: DocKind;
  formId: string;
  entry: string | null;
  fields: Record<string, string[]>;
  constants: Record<string, string | number | boolean>;
  keyField: string;
  amountField: string;
  paidAmountField: string | null;
  currencyField: string;
  posted: { field: string; values?: string[]; dateField?: string } | null;
}

/** The forms an instance serves: the listed kinds merged over their defaults, or all four defaults. */
export function resolveForms(s: KingdeeSettings): KingdeeForm[] {
  const listed = s.documents ? (Object.entries(s.documents) as [DocKind, KingdeeDocumentSettings][]) : Object.entries(DEFAULT_DOCUMENTS) as [DocKind, KingdeeDocumentSettings][];
  return listed.map(([docKind, own]) => {
    const base = (DEFAULT_DOCUMENTS as Partial<Record<DocKind, KingdeeDocumentSettings>>)[docKind];
    const merged = { ...base, ...own, constants: { ...base?.constants, ...own.constants }, fields: own.fields ?? base?.fields ?? {} };
    if (!merged.form_id || !merged.amount_field || !merged.currency_field) {
      throw new ConfigError(`settings.documents.${docKind}: form_id, amount_field and currency_field are required (no built-in default for ${docKind})`);
    }
    const posted = merged.posted ?? null;
    return {
      docKind, formId: merged.form_id, entry: merged.entry ?? null,
      fields: Object.fromEntries(Object.entries(merged.fields).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
      constants: merged.constants, keyField: merged.key_field ?? s.key_field, amountField: merged.amount_field,
      paidAmountField: merged.paid_amount_field ?? null, currencyField: merged.currency_field,
      posted: posted ? { field: posted.field, ...(posted.values ? { values: posted.values } : {}), ...(posted.date_field ? { dateField: posted.date_field } : {}) } : null,
    };
  });
}

/** The canonical status a document-status letter maps to (unknown letters stay `unknown`). */
export function documentStatus(s: KingdeeSettings, code: string): CanonicalStatus {
  return s.status_codes.document[code] ?? 'unknown';
}
