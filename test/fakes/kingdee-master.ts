import { FieldMissing, matches, orderBy, parseFilter, type Value } from './kingdee-filter.ts';
import type { MasterRow } from './kingdee-forms.ts';

/**
 * The fake K3 Cloud's base data (基础资料) as ExecuteBillQuery serves it, and what a K3 user does to it.
 * - Forms and their internal-id keys: BD_Supplier FSupplierId, BD_Customer FCUSTID, BD_Empinfo FID, BD_Department
 *   FDEPTID, BD_MATERIAL FMATERIALID, BD_STOCK FStockId, BD_Expense FEXPID, BD_Account FACCTID (the connector's
 *   defaults, src/erp/connectors/kingdee/settings-origin.ts, where the unconfirmed ones are marked). Every form has
 *   FNumber, FName, FDocumentStatus (C), FForbidStatus ('A' usable / 'B' forbidden), FForbidDate, FCreateDate and
 *   FModifyDate (columns of K3's base-data tables: FDOCUMENTSTATUS, FFORBIDSTATUS, FFORBIDDATE, FCREATEDATE,
 *   FMODIFYDATE in a material listing over T_BD_MATERIAL); plus the form's own extra fields, read from `attrs`.
 *   A key the form does not have is K3's "元数据中标识为X的字段不存在".
 * - add / rename move FModifyDate. forbid is K3's separate Forbid operation (ExcuteOperation opNumber "Forbid"): it
 *   stamps FForbidDate and, in this fake, leaves FModifyDate alone (whether K3 moves it is not documented: the
 *   stricter case for a reader that polls by date).
 * - A forbidden record cannot be referenced on a bill any more (Save with IsVerifyBaseDataField refuses it).
 */
interface MasterForm { table: string; id: string; extra: string[] }

export const MASTER_FORMS: Record<string, MasterForm> = {
  bd_supplier: { table: 'supplier', id: 'FSupplierId', extra: ['FShortName'] },
  bd_customer: { table: 'customer', id: 'FCUSTID', extra: ['FShortName'] },
  bd_empinfo: { table: 'employee', id: 'FID', extra: ['FEmail', 'FMobile'] },
  bd_department: { table: 'department', id: 'FDEPTID', extra: [] },
  bd_material: { table: 'material', id: 'FMATERIALID', extra: ['FSpecification', 'FBaseUnitId.FName'] },
  bd_stock: { table: 'stock', id: 'FStockId', extra: [] },
  bd_expense: { table: 'expense_item', id: 'FEXPID', extra: [] },
  bd_account: { table: 'account', id: 'FACCTID', extra: [] },
};

const lc = (s: string): string => s.toLowerCase();

export class FakeMasterData {
  private nextId = 300001;

  /** `tick` is the ledger's clock: each change is later than the one before. */
  constructor(readonly tables: Record<string, MasterRow[]>, private readonly tick: () => string, start: string) {
    for (const rows of Object.values(tables)) for (const r of rows) this.fill(r, start);
  }

  private fill(r: MasterRow, at: string): void {
    r.id ??= this.nextId++;
    r.created ??= at;
    r.modified ??= at;
    r.forbid ??= 'A';
  }

  static formOf(formId: string): MasterForm | undefined {
    return MASTER_FORMS[lc(formId)];
  }

  private row(table: string, number: string): MasterRow {
    const r = this.tables[table]?.find((x) => x.number === number);
    if (!r) throw new Error(`fake K3: no ${table} ${number}`);
    return r;
  }

  /** A K3 user adds a record (audited, usable). */
  add(table: string, r: { number: string; name: string; attrs?: Record<string, string> }): MasterRow {
    if (this.tables[table]?.some((x) => x.number === r.number)) throw new Error(`fake K3: ${table} ${r.number} exists (编码重复)`);
    const at = this.tick();
    const row: MasterRow = { number: r.number, name: r.name, ...(r.attrs ? { attrs: r.attrs } : {}) };
    this.fill(row, at);
    (this.tables[table] ??= []).push(row);
    return row;
  }

  rename(table: string, number: string, name: string): MasterRow {
    const r = this.row(table, number);
    r.name = name;
    r.modified = this.tick();
    return r;
  }

  forbid(table: string, number: string): MasterRow {
    const r = this.row(table, number);
    r.forbid = 'B';
    r.forbidDate = this.tick();
    return r;
  }

  private read(form: MasterForm, r: MasterRow, key: string): Value {
    const k = lc(key);
    const fixed: Record<string, Value> = {
      [lc(form.id)]: r.id ?? 0, fnumber: r.number, fname: r.name, fdocumentstatus: 'C', fforbidstatus: r.forbid ?? 'A',
      fforbiddate: r.forbidDate ?? null, fcreatedate: r.created ?? null, fmodifydate: r.modified ?? null,
    };
    if (k in fixed) return fixed[k] ?? null;
    const extra = form.extra.find((f) => lc(f) === k);
    if (!extra) throw new FieldMissing(key);
    return Object.entries(r.attrs ?? {}).find(([a]) => lc(a) === k)?.[1] ?? ' ';
  }

  query(form: MasterForm, data: Record<string, unknown>): Value[][] {
    if (typeof data.FilterString !== 'string') throw new Error('FilterString 应为字符串');
    const keys = String(data.FieldKeys ?? '').split(',').map((k) => k.trim()).filter(Boolean);
    const probe: MasterRow = { number: '', name: '' };
    for (const k of keys) this.read(form, probe, k);
    const filter = parseFilter(data.FilterString);
    const rows = (this.tables[form.table] ?? []).filter((r) => matches(filter, (f) => this.read(form, r, f)));
    const cmp = orderBy(String(data.OrderString ?? ''))((i, f) => this.read(form, rows[i] as MasterRow, f));
    const order = rows.map((_, i) => i).sort(cmp);
    const start = Number(data.StartRow ?? 0) || 0;
    const limit = Number(data.Limit ?? 0) || Number(data.TopRowCount ?? 0) || order.length;
    return order.slice(start, start + limit).map((i) => keys.map((k) => this.read(form, rows[i] as MasterRow, k)));
  }
}
