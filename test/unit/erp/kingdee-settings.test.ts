import { describe, expect, it } from 'vitest';
import { ExternalServiceError } from '../../../src/core/errors.ts';
import { kingdeeKind } from '../../../src/erp/connectors/kingdee/index.ts';
import { buildModel } from '../../../src/erp/connectors/kingdee/model.ts';
import { kingdeeSettingsSchema, resolveForms } from '../../../src/erp/connectors/kingdee/settings.ts';

describe('Kingdee settings', () => {
  it('defaults: signed login, zh-CN, +08:00, the F_BOT_ExtKey key field, A/B/C/D/Z codes, bank code C, AP_PAYBILL, all four forms', () => {
    const s = kingdeeSettingsSchema.parse({ acct_id: '66f0c2a1b9e3d7' });
    expect(s).toMatchObject({ login: 'sign', lcid: 2052, timezone: '+08:00', key_field: 'F_BOT_ExtKey', currencies: { CNY: 'PRE001' } });
    expect(s.status_codes).toEqual({ document: { Z: 'draft', A: 'saved', B: 'submitted', C: 'approved', D: 'rejected' }, cancel_field: 'FCancelStatus', cancelled: ['B'], bank_paid: ['C'] });
    expect(s.payment_bill?.form_id).toBe('AP_PAYBILL');
    expect(resolveForms(s).map((f) => [f.docKind, f.formId])).toEqual([
      ['expense_reimbursement', 'ER_ExpReimbursement'], ['payment_request', 'CN_PAYAPPLY'], ['purchase_requisition', 'PUR_Requisition'], ['purchase_order', 'PUR_PurchaseOrder'],
    ]);
    expect(kingdeeKind.credentials).toEqual(['app_id', 'app_secret', 'username']);
  });

  it('a listed kind merges over its default; only listed kinds are served', () => {
    const s = kingdeeSettingsSchema.parse({
      acct_id: 'x', key_field: 'FTHIRDBILLNO',
      documents: { expense_reimbursement: { constants: { 'FOrgID.FNumber': '100' }, key_field: 'F_ora_Text_qtr', posted: { field: 'F_ora_VoucherNo' } } },
    });
    const [form, ...rest] = resolveForms(s);
    expect(rest).toEqual([]);
    expect(form).toMatchObject({
      formId: 'ER_ExpReimbursement', keyField: 'F_ora_Text_qtr', amountField: 'FExpAmountSum', paidAmountField: 'FPayedAmount', posted: { field: 'F_ora_VoucherNo' },
      constants: { 'FBillTypeID.FNUMBER': 'FYBXD001_SYS', 'FOrgID.FNumber': '100', FCONTACTUNITTYPE: 'BD_Empinfo' },
    });
  });

  it('refuses a kind without a built-in mapping unless it names its form, amount and currency fields; and bad field keys', () => {
    const bad = kingdeeSettingsSchema.safeParse({ acct_id: 'x', documents: { payable: { fields: { amount: 'FEntity.FAmount' } } } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['documents.payable.form_id', 'documents.payable.amount_field', 'documents.payable.currency_field']);
    expect(kingdeeSettingsSchema.safeParse({ acct_id: 'x', key_field: 'ext key' }).success).toBe(false);
    expect(kingdeeSettingsSchema.safeParse({ acct_id: 'x', login: 'password' }).success).toBe(false);
    expect(kingdeeSettingsSchema.safeParse({}).success).toBe(false);
  });
});

describe('Kingdee Save model', () => {
  const [form] = resolveForms(kingdeeSettingsSchema.parse({ acct_id: 'x', documents: { expense_reimbursement: { constants: { 'FOrgID.FNumber': '100' } } } }));
  if (!form) throw new Error('no form');

  it('maps header fields, references by number and the first entry line; constants and our key included', () => {
    const model = buildModel(form, { amount: '1,234.5', currency: 'cny', description: '差旅', party: 'E001', date: '2026-03-02', item: 'FYXM01' }, 'approval:t:r1', { CNY: 'PRE001' });
    expect(model).toEqual({
      FID: 0, FDate: '2026-03-02', FCausa: '差旅', F_BOT_ExtKey: 'approval:t:r1',
      FProposerID: { FSTAFFNUMBER: 'E001' }, FCONTACTUNIT: { FNumber: 'E001' }, FCurrencyID: { FNUMBER: 'PRE001' },
      FBillTypeID: { FNUMBER: 'FYBXD001_SYS' }, FOrgID: { FNumber: '100' }, FCONTACTUNITTYPE: 'BD_Empinfo', FRequestType: '1',
      FEntity: [{ FTaxSubmitAmt: 1234.5, FExpID: { FNUMBER: 'FYXM01' } }],
    });
  });

  it('refuses a bad amount, an unknown currency, a bad date and an unmapped key (erp.validation, not retryable)', () => {
    const cases: Record<string, string>[] = [{ amount: 'twelve' }, { amount: '0' }, { amount: '1.00', currency: 'XYZ' }, { amount: '1.00', date: '02/03/2026' }, { amount: '1.00', project: 'P1' }, { description: 'no amount' }];
    for (const payload of cases) {
      let err: unknown;
      try { buildModel(form, payload, 'k', { CNY: 'PRE001' }); } catch (e) { err = e; }
      expect(err, JSON.stringify(payload)).toBeInstanceOf(ExternalServiceError);
      expect(err).toMatchObject({ code: 'erp.validation', retryable: false });
    }
  });
});
