import type { FakeLedger } from './kingdee-bills.ts';
import { findSchema } from './kingdee-forms.ts';
import type { FakeBill } from './kingdee-forms.ts';

/**
 * The finance side of the fake K3 Cloud: what an accountant does in K3 itself, not through the WebAPI.
 * - post: a voucher is generated for an audited bill. Which field shows it differs per deployment, so the test names
 *   it (a field the fake's forms were given as a custom field) and, optionally, a posting-date field.
 * - pay: a payment bill (AP_PAYBILL) for the bill, with its bank status (the codes are per deployment; 'C' 银行交易成功
 *   in one integration), amount, date and bank serial (FQQLSH), linked by FSourceBillNumber; like K3's write-back,
 *   the paid amount on the source bill grows (forms that have one, e.g. ER_ExpReimbursement.FPayedAmount) and the
 *   source bill's FModifyDate moves.
 * - setBankStatus: the bank reports later (a payment bill's status changes; the source bill is not touched).
 */
export class FakeFinance {
  constructor(private readonly ledger: FakeLedger) {}

  private audited(formId: string, id: string): FakeBill {
    const bill = this.ledger.find(formId, id);
    if (!bill) throw new Error(`fake K3: no ${formId} bill ${id}`);
    if (bill.status !== 'C') throw new Error(`fake K3: ${bill.no} is ${bill.status}, not audited (C)`);
    return bill;
  }

  post(formId: string, id: string, o: { field: string; value: string; dateField?: string }): void {
    const bill = this.audited(formId, id);
    const at = this.ledger.tick();
    bill.header.set(o.field.toLowerCase(), o.value);
    if (o.dateField) bill.header.set(o.dateField.toLowerCase(), at);
    bill.header.set('__posted', true);
    bill.modified = at;
  }

  pay(formId: string, id: string, o: { amount: string; bankRef: string; bankStatus?: string }): FakeBill {
    const bill = this.audited(formId, id);
    if (!/^\d+\.\d{2}$/.test(o.amount)) throw new Error(`fake K3: amount ${o.amount} is not a two-place decimal`);
    const at = this.ledger.tick();
    const pay: FakeBill = {
      formId: 'AP_PAYBILL', id: 900000 + this.ledger.bills.length, no: `FKD${at.slice(0, 10).replace(/-/g, '')}${String(this.ledger.bills.length).padStart(5, '0')}`,
      status: 'C', cancel: 'A', lines: [], created: at, modified: at,
      header: new Map<string, string | number>([
        ['fsourcebillnumber', bill.no], ['fbankstatus', o.bankStatus ?? 'C'], ['frealpayamountfor_h', Number(o.amount)],
        ['fdate', `${at.slice(0, 10)}T00:00:00`], ['fqqlsh', o.bankRef],
      ]),
    };
    this.ledger.bills.push(pay);
    const paidField = findSchema(this.ledger.forms, formId)?.paidField?.toLowerCase();
    if (paidField) {
      const fen = BigInt(Math.round(Number(bill.header.get(paidField) ?? 0) * 100)) + BigInt(o.amount.replace('.', ''));
      bill.header.set(paidField, Number(fen) / 100);
    }
    bill.modified = this.ledger.tick();
    return pay;
  }

  setBankStatus(payBillNo: string, code: string): void {
    const pay = this.ledger.find('AP_PAYBILL', payBillNo);
    if (!pay) throw new Error(`fake K3: no payment bill ${payBillNo}`);
    pay.header.set('fbankstatus', code);
    pay.modified = this.ledger.tick();
  }
}
