import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isLocked, isSessionLost, readStatus, statusOf } from '../../../src/erp/connectors/kingdee/client-errors.ts';
import { loginSignature } from '../../../src/erp/connectors/kingdee/auth.ts';
import { kingdeeSettingsSchema, resolveForms } from '../../../src/erp/connectors/kingdee/settings.ts';
import { isoToK3Time, k3TimeToIso, snapshotOf, type BillState, type PaymentRow } from '../../../src/erp/connectors/kingdee/status.ts';
import type { ErpDocRef } from '../../../src/erp/erp-connector.ts';

const ref: ErpDocRef = { erp: 'kingdee', docKind: 'expense_reimbursement', formId: 'ER_ExpReimbursement', id: '100001', number: 'FYBX1', externalKey: 'k' };
const bill = (o: Partial<BillState> = {}): BillState => ({
  id: '100001', number: 'FYBX1', documentStatus: 'C', key: 'k', amount: 1000, currency: 'PRE001', modify: '2026-03-02T08:00:05.005',
  create: '2026-03-02T08:00:01.001', paid: 0, cancel: 'A', posted: '', postedDate: '', ...o,
});
const pay = (o: Partial<PaymentRow> = {}): PaymentRow => ({ sourceNumber: 'FYBX1', bankStatus: 'C', amount: 1000, date: '2026-03-03T00:00:00', bankRef: 'SER-1', billNo: 'FKD1', ...o });

function setup(extra: Record<string, unknown> = {}) {
  const s = kingdeeSettingsSchema.parse({ acct_id: 'x', documents: { expense_reimbursement: { posted: { field: 'F_V', date_field: 'F_VD' } } }, ...extra });
  const form = resolveForms(s)[0];
  if (!form) throw new Error('no form');
  return { s, form };
}

describe('Kingdee status mapping', () => {
  it('reads K3 local times in the configured zone and writes filter literals back', () => {
    expect(k3TimeToIso('2026-03-02T08:00:05.005', '+08:00')).toBe('2026-03-02T00:00:05.005Z');
    expect(k3TimeToIso('2026-03-02 08:00:05', '+08:00')).toBe('2026-03-02T00:00:05.000Z');
    expect(k3TimeToIso('2026-03-02', '-05:00')).toBe('2026-03-02T05:00:00.000Z');
    expect(k3TimeToIso('garbage', '+08:00')).toBe('');
    expect(isoToK3Time('2026-03-02T00:00:05.000Z', '+08:00')).toBe('2026-03-02 08:00:05');
  });

  it('maps document codes through settings: the same bill is approved by default and submitted where C means submitted', () => {
    const { s, form } = setup();
    expect(snapshotOf(s, form, ref, bill({ documentStatus: 'D' }), []).status).toBe('rejected');
    expect(snapshotOf(s, form, ref, bill({ documentStatus: 'C' }), []).status).toBe('approved');
    const other = setup({ status_codes: { document: { A: 'saved', B: 'submitted', C: 'submitted', D: 'saved', X: 'approved' } } });
    expect(snapshotOf(other.s, other.form, ref, bill({ documentStatus: 'C' }), []).status).toBe('submitted');
    expect(snapshotOf(other.s, other.form, ref, bill({ documentStatus: 'X' }), []).status).toBe('approved');
    expect(snapshotOf(other.s, other.form, ref, bill({ documentStatus: 'Q' }), []).status).toBe('unknown');
    expect(snapshotOf(s, form, ref, bill({ cancel: 'B' }), []).status).toBe('cancelled');
  });

  it('paid needs the bank: the bill\'s paid amount counts only up to what bank-confirmed payment bills paid (codes configurable)', () => {
    const { s, form } = setup();
    expect(snapshotOf(s, form, ref, bill({ paid: 1000 }), [pay({ bankStatus: 'A' })])).toMatchObject({ status: 'approved', amounts: { paid: '0.00' } });
    const paid = snapshotOf(s, form, ref, bill({ paid: 1000 }), [pay()]);
    expect(paid).toMatchObject({ status: 'paid', amounts: { total: '1000.00', paid: '1000.00', currency: 'CNY' }, payment: { at: '2026-03-02T16:00:00.000Z', bankRef: 'SER-1' } });
    const f = setup({ status_codes: { bank_paid: ['F'] } });
    expect(snapshotOf(f.s, f.form, ref, bill({ paid: 1000 }), [pay()]).status).toBe('approved');
    expect(snapshotOf(f.s, f.form, ref, bill({ paid: 1000 }), [pay({ bankStatus: 'F' })]).status).toBe('paid');
    expect(snapshotOf(s, form, ref, bill({ paid: 250.5 }), [pay({ amount: 250.5 })])).toMatchObject({ status: 'partially_paid', amounts: { paid: '250.50' } });
    const noBills = setup({ payment_bill: null });
    expect(snapshotOf(noBills.s, noBills.form, ref, bill({ paid: 1000 }), null).status).toBe('paid');
  });

  it('posted from the configured field, with its date; paid keeps postedAt; the stamp changes with status and paid amount only', () => {
    const { s, form } = setup();
    const posted = snapshotOf(s, form, ref, bill({ posted: '记-12', postedDate: '2026-03-02T09:00:00' }), []);
    expect(posted).toMatchObject({ status: 'posted', postedAt: '2026-03-02T01:00:00.000Z', voucher: '记-12' });
    const paid = snapshotOf(s, form, ref, bill({ posted: '记-12', postedDate: '2026-03-02T09:00:00', paid: 1000 }), [pay()]);
    expect(paid).toMatchObject({ status: 'paid', postedAt: '2026-03-02T01:00:00.000Z' });
    expect(paid.versionStamp).not.toBe(posted.versionStamp);
    expect(snapshotOf(s, form, ref, bill(), []).versionStamp).toBe(snapshotOf(s, form, ref, bill(), []).versionStamp);
  });
});

describe('Kingdee answers', () => {
  it('normalises IsSuccess strings and finds the status wrapped by ExecuteBillQuery', () => {
    expect(readStatus({ IsSuccess: 'True', MsgCode: 0, Errors: [] })?.isSuccess).toBe(true);
    const st = statusOf([[{ Result: { ResponseStatus: { IsSuccess: 'false', MsgCode: 9, Errors: [{ FieldName: 'FX', Message: '元数据中标识为FX的字段不存在' }] } } }]]);
    expect(st).toMatchObject({ isSuccess: false, msgCode: 9, errors: [{ fieldName: 'FX' }] });
    expect(statusOf([[1, 'FYBX1']])).toBeNull();
  });

  it('tells a lost session and a lock by code or by text', () => {
    expect(isSessionLost(readStatus({ IsSuccess: false, MsgCode: 1, Errors: [] }))).toBe(true);
    expect(isSessionLost(readStatus({ IsSuccess: false, MsgCode: 0, Errors: [{ Message: '会话信息已丢失，请重新登录' }] }))).toBe(true);
    expect(isLocked(readStatus({ IsSuccess: false, MsgCode: 13, Errors: [] }))).toBe(true);
    expect(isLocked(readStatus({ IsSuccess: false, MsgCode: 11, Errors: [{ Message: '单据正在被其他用户修改' }] }))).toBe(true);
    expect(isLocked(readStatus({ IsSuccess: false, MsgCode: 11, Errors: [{ Message: '“申请人”是必填项' }] }))).toBe(false);
  });

  it('signs the login over the five values sorted by ordinal order (uppercase before lowercase), SHA-256 hex', () => {
    const id = { acctId: 'b1', username: 'Zed', appId: 'a_2', appSecret: 's3', lcid: 2052 };
    // sorted: "1772409600", "Zed", "a_2", "b1", "s3"
    expect(loginSignature(id, '1772409600')).toBe(createHash('sha256').update('1772409600Zeda_2b1s3', 'utf8').digest('hex'));
  });
});
