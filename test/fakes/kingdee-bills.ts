import type { Value } from './kingdee-filter.ts';
import { findSchema, type DocStatus, type FakeBill, type FakeFormSchema, type MasterRow } from './kingdee-forms.ts';
import { FakeMasterData } from './kingdee-master.ts';
import { billRows } from './kingdee-rows.ts';

/**
 * The fake K3 Cloud's bills and what its DynamicFormService does to them (rules cited where K3 documents them).
 * - Save (`{"Model":{…}}`): `FID` 0 creates a bill in A (创建); keys the form does not have are ignored, as K3 ignores
 *   them; a reference by a number that does not exist is refused when IsVerifyBaseDataField is set; missing required
 *   fields are refused with Errors [{FieldName, Message}] (MsgCode 11). The wording of these two messages is this
 *   fake's; their shape is K3's (ResponseStatus.Errors: https://github.com/leoluonet/k3cloud-webapi-sdk RepoError.java).
 * - Submit: only Z, A and D ("只有暂存、创建和重新审核的数据才允许提交"); Audit: only B; UnAudit: only C and not once paid
 *   or posted (downstream documents block it); CancelAssign (撤销): B → A; Delete: Z, A, D.
 * - Dates are the server's local time without a zone ("2026-03-02T08:00:01.001"); every change moves FModifyDate.
 * - Save with the FID of an existing bill edits it (K3's Save is create and modify in one: "新建和修改是同一个接口",
 *   the Model carrying the bill's 内码; NeedUpDateFields limits the change to the fields it names; IsDeleteEntry,
 *   default true, replaces the lines with the Model's: SaveRequest.java of
 *   https://github.com/Xueyu334/kingdee-k3cloud-open-api). Only a bill with its maker (Z, A, D) can be edited: a
 *   submitted or audited one is refused (wording this fake's), which is why a rejection un-audits before it writes.
 * - Each bill records its creator (FCreatorId): the API user for WebAPI saves, or the K3 user of kingdee-erp-user.ts.
 */
export interface K3Err { FieldName: string | null; Message: string; DIndex: number }
export type FakeOp = 'Submit' | 'Audit' | 'UnAudit' | 'CancelAssign' | 'Delete';

const lc = (s: string): string => s.toLowerCase();

export class FakeLedger {
  readonly bills: FakeBill[] = [];
  /** Base data, a copy per fake (rows gain ids and dates), with its own queries and K3-user changes. */
  readonly master: Record<string, MasterRow[]>;
  readonly masterData: FakeMasterData;
  /** The K3 user the WebAPI integration logs in as (FCreatorId of bills it saves). */
  apiUser = { id: 100008, name: 'bot.api' };
  private nextId = 100001;
  private t: number;

  constructor(readonly forms: FakeFormSchema[], master: Record<string, MasterRow[]>, readonly custom: string[], start = '2026-03-02T08:00:00.000') {
    this.t = Date.parse(`${start}Z`);
    this.master = structuredClone(master);
    this.masterData = new FakeMasterData(this.master, () => this.tick(), '2026-03-01T08:00:00.000');
  }

  /** The next server time (each change is 1.001 s after the one before). */
  tick(): string {
    this.t += 1001;
    return new Date(this.t).toISOString().slice(0, 23);
  }

  /** Moves the server's clock (time passing between changes). */
  advance(ms: number): void { this.t += ms; }

  find(formId: string, idOrNo: string): FakeBill | undefined {
    return this.bills.find((b) => lc(b.formId) === lc(formId) && (String(b.id) === idOrNo || b.no === idOrNo));
  }

  private resolve(table: string, value: unknown): MasterRow | null | undefined {
    const code = value && typeof value === 'object' ? Object.values(value as Record<string, unknown>).find((v) => typeof v === 'string') : undefined;
    if (typeof code !== 'string' || code === '') return undefined;
    return this.master[table]?.find((r) => r.number === code && r.forbid !== 'B') ?? null;
  }

  save(formId: string, data: Record<string, unknown>, creator = this.apiUser): { bill: FakeBill } | { errors: K3Err[]; msgCode: number } {
    const schema = findSchema(this.forms, formId);
    const model = data.Model as Record<string, unknown> | undefined;
    if (!schema || schema.formId === 'AP_PAYBILL') return { errors: [{ FieldName: null, Message: `业务对象${formId}不支持保存`, DIndex: 0 }], msgCode: 5 };
    if (!model || typeof model !== 'object') return { errors: [{ FieldName: null, Message: 'Model 不能为空', DIndex: 0 }], msgCode: 8 };
    const fid = Number(Object.entries(model).find(([k]) => lc(k) === 'fid')?.[1] ?? 0);
    if (fid) return this.update(schema, fid, model, data);
    const parsed = this.parse(schema, model, data);
    if ('errors' in parsed) return parsed;
    const { header, lines } = parsed;
    const created = this.tick();
    const bill: FakeBill = {
      formId: schema.formId, id: this.nextId++, no: '', status: 'A', cancel: 'A', header, lines, created, modified: created, creator,
    };
    bill.no = `${schema.prefix}${created.slice(0, 10).replace(/-/g, '')}${String(bill.id).slice(-6)}`;
    this.bills.push(bill);
    return { bill };
  }

  /** Save on an existing bill: only while it is with its maker; NeedUpDateFields limits the header fields changed. */
  private update(schema: FakeFormSchema, fid: number, model: Record<string, unknown>, data: Record<string, unknown>): { bill: FakeBill } | { errors: K3Err[]; msgCode: number } {
    const bill = this.bills.find((b) => b.formId === schema.formId && b.id === fid);
    if (!bill) return { errors: [{ FieldName: 'FID', Message: `内码为“${fid}”的单据不存在`, DIndex: 0 }], msgCode: 10 };
    if (bill.status === 'B' || bill.status === 'C') {
      return { errors: [{ FieldName: null, Message: `单据“${bill.no}”${bill.status === 'B' ? '已提交，处于审核中' : '已审核'}，不允许修改`, DIndex: 0 }], msgCode: 11 };
    }
    const only = Array.isArray(data.NeedUpDateFields) ? data.NeedUpDateFields.map((f) => lc(String(f))) : [];
    const picked = Object.fromEntries(Object.entries(model).filter(([k]) => lc(k) !== 'fid' && (!only.length || only.includes(lc(k)))));
    const parsed = this.parse(schema, picked, data, false);
    if ('errors' in parsed) return parsed;
    for (const [k, v] of parsed.header) bill.header.set(k, v);
    const deleteEntry = data.IsDeleteEntry === undefined || data.IsDeleteEntry === true || data.IsDeleteEntry === 'true';
    const hasEntry = !!schema.entry && Object.keys(picked).some((k) => lc(k) === lc(schema.entry as string));
    if (hasEntry && !deleteEntry) return { errors: [{ FieldName: schema.entry, Message: 'fake K3: editing single lines (IsDeleteEntry false with an entry) is not modelled', DIndex: 0 }], msgCode: 8 };
    if (hasEntry) bill.lines.splice(0, bill.lines.length, ...parsed.lines);
    bill.modified = this.tick();
    return { bill };
  }

  private parse(schema: FakeFormSchema, model: Record<string, unknown>, data: Record<string, unknown>, checkRequired = true):
    { header: Map<string, Value | MasterRow>; lines: Map<string, Value | MasterRow>[] } | { errors: K3Err[]; msgCode: number } {
    const verify = data.IsVerifyBaseDataField === true || data.IsVerifyBaseDataField === 'true';
    const errors: K3Err[] = [];
    const header = new Map<string, Value | MasterRow>();
    const lines: Map<string, Value | MasterRow>[] = [];
    const ref = (path: string, value: unknown, target: Map<string, Value | MasterRow>, field: string): void => {
      const table = Object.entries(schema.refs).find(([k]) => lc(k) === lc(path))?.[1] as string;
      const row = this.resolve(table, value);
      if (row) target.set(lc(field), row);
      else if (row === null && verify) {
        const code = Object.values(value as Record<string, unknown>)[0];
        errors.push({ FieldName: field, Message: `“${schema.labels[path] ?? field}”字段中编码为“${String(code)}”的基础资料不存在或未审核`, DIndex: 0 });
      }
    };
    for (const [key, value] of Object.entries(model)) {
      if (lc(key) === 'fid') continue;
      if (schema.entry && lc(key) === lc(schema.entry)) {
        for (const row of Array.isArray(value) ? value as Record<string, unknown>[] : []) {
          const line = new Map<string, Value | MasterRow>();
          for (const [lk, lv] of Object.entries(row)) {
            const path = `${schema.entry}.${lk}`;
            if (Object.keys(schema.refs).some((r) => lc(r) === lc(path))) ref(path, lv, line, lk);
            else if (schema.entryFields.some((f) => lc(f) === lc(lk))) line.set(lc(lk), lv as Value);
          }
          lines.push(line);
        }
      } else if (Object.keys(schema.refs).some((r) => lc(r) === lc(key))) ref(key, value, header, key);
      else if ([...schema.fields, ...this.custom].some((f) => lc(f) === lc(key)) && (value === null || typeof value !== 'object')) header.set(lc(key), value as Value);
    }
    for (const path of checkRequired ? schema.required : []) {
      const [a = '', b] = path.split('.');
      const v = b !== undefined ? lines[0]?.get(lc(b)) : header.get(lc(a));
      if (v === undefined || v === null || v === '') {
        if (!errors.some((e) => lc(e.FieldName ?? '') === lc(b ?? a))) errors.push({ FieldName: b ?? a, Message: `“${schema.labels[path] ?? path}”是必填项`, DIndex: 0 });
      }
    }
    if (errors.length) return { errors, msgCode: 11 };
    return { header, lines };
  }

  /** Submit / Audit / UnAudit / CancelAssign / Delete on `Ids` (comma-separated string) and `Numbers` (array). */
  operate(op: FakeOp, formId: string, data: Record<string, unknown>): { done: FakeBill[]; errors: K3Err[] } {
    const keys = [...String(data.Ids ?? '').split(',').map((s) => s.trim()).filter(Boolean), ...(Array.isArray(data.Numbers) ? data.Numbers.map(String) : [])];
    if (!keys.length) return { done: [], errors: [{ FieldName: null, Message: 'Ids 和 Numbers 不能同时为空', DIndex: 0 }] };
    const done: FakeBill[] = [];
    const errors: K3Err[] = [];
    keys.forEach((key, i) => {
      const bill = this.find(formId, key);
      if (!bill) { errors.push({ FieldName: null, Message: `内码或编码为“${key}”的单据不存在`, DIndex: i }); return; }
      const refuse = this.refusal(op, bill);
      if (refuse) { errors.push({ FieldName: null, Message: refuse, DIndex: i }); return; }
      if (op === 'Delete') this.bills.splice(this.bills.indexOf(bill), 1);
      else bill.status = ({ Submit: 'B', Audit: 'C', UnAudit: 'D', CancelAssign: 'A' } as Record<string, DocStatus>)[op] as DocStatus;
      bill.modified = this.tick();
      done.push(bill);
    });
    return { done, errors };
  }

  private refusal(op: FakeOp, bill: FakeBill): string | null {
    const s = bill.status;
    switch (op) {
      case 'Submit': return ['Z', 'A', 'D'].includes(s) ? null : `单据“${bill.no}”：只有暂存、创建和重新审核的数据才允许提交`;
      case 'Audit': return s === 'B' ? null : `单据“${bill.no}”：只有审核中的数据才允许审核`;
      case 'CancelAssign': return s === 'B' ? null : `单据“${bill.no}”：只有审核中的数据才允许撤销`;
      case 'Delete': return ['Z', 'A', 'D'].includes(s) ? null : `单据“${bill.no}”：已提交或已审核的数据不允许删除`;
      case 'UnAudit':
        if (s !== 'C') return `单据“${bill.no}”：只有已审核的数据才允许反审核`;
        return this.paymentsOf(bill).length || bill.header.get('__posted') ? `单据“${bill.no}”已生成下游单据，不允许反审核` : null;
    }
  }

  paymentsOf(bill: FakeBill): FakeBill[] {
    return this.bills.filter((b) => b.formId === 'AP_PAYBILL' && b.header.get('fsourcebillnumber') === bill.no);
  }

  /** ExecuteBillQuery; throws FieldMissing for a field the form lacks, Error for anything else K3 would refuse. */
  query(data: Record<string, unknown>): Value[][] {
    const masterForm = FakeMasterData.formOf(String(data.FormId ?? ''));
    if (masterForm) return this.masterData.query(masterForm, data);
    const schema = findSchema(this.forms, String(data.FormId ?? ''));
    if (!schema) throw new Error(`业务对象标识“${String(data.FormId ?? '')}”不存在`);
    return billRows(schema, this.custom, this.bills.filter((b) => b.formId === schema.formId), data);
  }

  /** View's model: K3 answers the same fields without the F prefix (BillNo, DocumentStatus…). */
  view(formId: string, data: Record<string, unknown>): Record<string, unknown> | null {
    const bill = this.find(formId, String(data.Id || data.Number || ''));
    if (!bill) return null;
    const model: Record<string, unknown> = { Id: bill.id, BillNo: bill.no, DocumentStatus: bill.status, CancelStatus: bill.cancel, CreateDate: bill.created, ModifyDate: bill.modified };
    for (const [k, v] of bill.header) if (!k.startsWith('__')) model[k.replace(/^f/, '')] = v && typeof v === 'object' ? { Number: v.number, Name: v.name } : v;
    return model;
  }
}
