import { FieldMissing, matches, orderBy, parseFilter, type Value } from './kingdee-filter.ts';
import { readField, type FakeBill, type FakeFormSchema, type MasterRow } from './kingdee-forms.ts';

/**
 * ExecuteBillQuery rows over bills with their entries (单据体). K3 field keys are unique within a form, so an entry
 * field is named by its own key (`FTaxSubmitAmt`, `FMaterialId.FName`), and the entry's line id is
 * `<EntryKey>_FEntryId`; a query that names (or filters or orders by) an entry field answers one row per entry line,
 * with the header's values repeated on each; a bill without lines gives one row whose entry fields are null.
 * Source: query field lists mixing header and entry keys, e.g. https://www.qeasy.cloud/api/30b9d777-1314-3fcd-a070-0ce4cfecaf99
 * (FInStockEntry_FEntryId, FMaterialId_FNumber for "FMaterialId.FNumber", FBillNo, FDocumentStatus).
 * Paging (StartRow, Limit) counts rows, as K3 does.
 */
type Line = Map<string, Value | MasterRow>;

const lc = (s: string): string => s.toLowerCase();
const lineIds = new WeakMap<Line, number>();
let nextLineId = 200001;

/** A line's FEntryId (given when first read, stable afterwards). */
function lineId(line: Line): number {
  let id = lineIds.get(line);
  if (id === undefined) { id = nextLineId++; lineIds.set(line, id); }
  return id;
}

/** Whether `key` names a field of the form's entry (and not of its header). */
export function isEntryKey(schema: FakeFormSchema, key: string): boolean {
  if (!schema.entry) return false;
  const k = lc(key);
  const [head = '', sub] = k.split('.');
  if (k === `${lc(schema.entry)}_fentryid`) return true;
  if (sub === undefined && schema.entryFields.some((f) => lc(f) === k)) return true;
  return Object.keys(schema.refs).some((r) => lc(r) === `${lc(schema.entry as string)}.${head}`);
}

/** One cell of a row: entry keys from `line` (null when the bill has none), header keys through readField. */
export function readCell(schema: FakeFormSchema, custom: string[], bill: FakeBill, line: Line | null, key: string): Value {
  if (!isEntryKey(schema, key)) return readField(schema, custom, bill, key);
  if (!line) return null;
  const k = lc(key);
  if (k.endsWith('_fentryid')) return lineId(line);
  const [head = '', sub] = k.split('.');
  const v = line.get(head);
  if (v && typeof v === 'object') {
    if (sub === undefined) return v.id ?? 0;
    if (sub.endsWith('number')) return v.number;
    if (sub === 'fname') return v.name;
    throw new FieldMissing(key);
  }
  if (sub !== undefined) return null;
  return v === undefined ? '' : v;
}

/** The rows of a query over `bills` of one form (the caller checked the form exists). */
export function billRows(schema: FakeFormSchema, custom: string[], bills: FakeBill[], data: Record<string, unknown>): Value[][] {
  if (typeof data.FilterString !== 'string') throw new Error('FilterString 应为字符串');
  const keys = String(data.FieldKeys ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  const filterText = data.FilterString;
  const orderText = String(data.OrderString ?? '');
  const probe: FakeBill = { formId: schema.formId, id: 0, no: '', status: 'A', cancel: 'A', header: new Map(), lines: [new Map()], created: '', modified: '' };
  for (const k of keys) readCell(schema, custom, probe, probe.lines[0] as Line, k);
  const filter = parseFilter(filterText);
  const named = [...keys, ...(filterText.replace(/'(?:[^']|'')*'/g, '').match(/[A-Za-z_][\w.]*/g) ?? []), ...orderText.split(',').map((p) => p.trim().split(/\s+/)[0] ?? '')];
  const perLine = named.some((k) => k && isEntryKey(schema, k));
  const rows: { bill: FakeBill; line: Line | null }[] = [];
  for (const bill of bills) {
    for (const line of bill.lines) lineId(line); // ids in line order, as K3 numbers entries when it saves them
    const lines: (Line | null)[] = perLine && bill.lines.length ? bill.lines : [null];
    for (const line of lines) {
      if (matches(filter, (f) => readCell(schema, custom, bill, line, f))) rows.push({ bill, line });
    }
  }
  const cmp = orderBy(orderText)((i, f) => readCell(schema, custom, (rows[i] as { bill: FakeBill }).bill, (rows[i] as { line: Line | null }).line, f));
  const order = rows.map((_, i) => i).sort(cmp);
  const start = Number(data.StartRow ?? 0) || 0;
  const limit = Number(data.Limit ?? 0) || Number(data.TopRowCount ?? 0) || order.length;
  return order.slice(start, start + limit).map((i) => keys.map((k) => readCell(schema, custom, (rows[i] as { bill: FakeBill }).bill, (rows[i] as { line: Line | null }).line, k)));
}
