import type { DocKind } from '../../erp-connector.ts';
import type { KingdeeDocumentSettings } from './settings.ts';

/**
 * Built-in mappings per document kind (an instance file overrides any part of them under `settings.documents`).
 * FormIds and bill types are Kingdee's presets (FormId list: https://github.com/null-characters/kingdee_webapi_sdk
 * docs/reference/formids_list.tsv). Field names follow the Save models seen in working integrations; the ones marked
 * (check) vary between deployments and versions: confirm them with QueryBusinessInfo on your server.
 *
 * - The external key goes to `F_BOT_ExtKey` (settings.key_field), a custom text field added in the BOS designer.
 * - Organisation, department and settlement-type numbers differ per customer: add them under `constants`
 *   (e.g. `FOrgID.FNumber: "100"`); Save refuses a bill that lacks a required one, with K3's own message.
 * - No form detects "posted" by default: the field that shows a generated voucher differs per deployment (set
 *   `posted: { field: …, date_field: … }`). Without it a bill goes approved → paid, and paid implies posted.
 */
export const DEFAULT_DOCUMENTS: Partial<Record<DocKind, KingdeeDocumentSettings>> = {
  /** 费用报销单 (bill type FYBXD001_SYS 费用报销); the employee is proposer and contact unit; lines in FEntity. */
  expense_reimbursement: {
    form_id: 'ER_ExpReimbursement',
    entry: 'FEntity',
    fields: {
      date: 'FDate',
      description: 'FCausa',
      party: ['FProposerID.FSTAFFNUMBER', 'FCONTACTUNIT.FNumber'],
      amount: 'FEntity.FTaxSubmitAmt',
      item: 'FEntity.FExpID.FNUMBER',
      currency: 'FCurrencyID.FNUMBER',
    },
    constants: { 'FBillTypeID.FNUMBER': 'FYBXD001_SYS', FCONTACTUNITTYPE: 'BD_Empinfo', FRequestType: '1' },
    amount_field: 'FExpAmountSum',
    paid_amount_field: 'FPayedAmount',
    currency_field: 'FCurrencyID.FNumber',
  },
  /** 付款申请单 (FKSQ002_SYS 其他付款申请); the supplier is contact and payee; lines in FPAYAPPLYENTRY (check). */
  payment_request: {
    form_id: 'CN_PAYAPPLY',
    entry: 'FPAYAPPLYENTRY',
    fields: {
      date: 'FDATE',
      description: 'FPAYAPPLYENTRY.FDescription',
      party: ['FCONTACTUNIT.FNumber', 'FRECTUNIT.FNumber'],
      amount: 'FPAYAPPLYENTRY.FAPPLYAMOUNTFOR',
      currency: 'FCURRENCYID.FNumber',
    },
    constants: { 'FBillTypeID.FNUMBER': 'FKSQ002_SYS', FCONTACTUNITTYPE: 'BD_Supplier', FRECTUNITTYPE: 'BD_Supplier' },
    amount_field: 'FAPPLYAMOUNTFOR_H',
    paid_amount_field: null,
    currency_field: 'FCURRENCYID.FNumber',
  },
  /** 采购申请单 (CGSQD01_SYS 标准采购申请); lines in FEntity (check the amount fields). */
  purchase_requisition: {
    form_id: 'PUR_Requisition',
    entry: 'FEntity',
    fields: {
      date: 'FApplicationDate',
      description: 'FNote',
      party: 'FEntity.FSuggestSupplierId.FNumber',
      item: 'FEntity.FMaterialId.FNumber',
      quantity: 'FEntity.FReqQty',
      amount: 'FEntity.FReqAmount',
      currency: 'FCurrencyId.FNumber',
    },
    constants: { 'FBillTypeID.FNUMBER': 'CGSQD01_SYS' },
    amount_field: 'FTotalAmount',
    paid_amount_field: null,
    currency_field: 'FCurrencyId.FNumber',
  },
  /** 采购订单 (CGDD01_SYS 标准采购订单); lines in FPOOrderEntry (check the amount fields). */
  purchase_order: {
    form_id: 'PUR_PurchaseOrder',
    entry: 'FPOOrderEntry',
    fields: {
      date: 'FDate',
      description: 'FPOOrderEntry.FEntryNote',
      party: 'FSupplierId.FNumber',
      item: 'FPOOrderEntry.FMaterialId.FNumber',
      quantity: 'FPOOrderEntry.FQty',
      amount: 'FPOOrderEntry.FAllAmount',
      currency: 'FSettleCurrId.FNumber',
    },
    constants: { 'FBillTypeID.FNUMBER': 'CGDD01_SYS' },
    amount_field: 'FBillAllAmount',
    paid_amount_field: null,
    currency_field: 'FSettleCurrId.FNumber',
  },
};
