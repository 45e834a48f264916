/**
 * The fake K3 Cloud's ExecuteBillQuery FilterString and OrderString: the SQL-like strings K3 accepts
 * (`FDate >= '2025-01-01' AND FCancelStatus='A'`, https://www.cnblogs.com/zouhuaxin/p/18268764 "FilterString支持直接
 * 填写SQL表达式"). Supported: comparisons (= <> != > >= < <=), IN (…), LIKE, AND, OR, NOT, parentheses, quoted strings
 * ('' escapes a quote) and numbers. NULL compares false, as in SQL. A field the form does not have is K3's
 * "元数据中标识为X的字段不存在" (the caller turns the thrown FieldMissing into that answer).
 */
export class FieldMissing extends Error {
  constructor(readonly field: string) { super(`元数据中标识为${field}的字段不存在`); }
}

export type Value = string | number | boolean | null;
export type Getter = (field: string) => Value;
type Node =
  | { k: 'and' | 'or'; a: Node; b: Node }
  | { k: 'not'; a: Node }
  | { k: 'cmp'; field: string; op: string; value: Value }
  | { k: 'in'; field: string; values: Value[] }
  | { k: 'like'; field: string; pattern: string };

const TOKEN = /\s*(?:('(?:[^']|'')*')|(-?\d+(?:\.\d+)?)(?![\w.])|([A-Za-z_][\w.]*)|(<>|!=|>=|<=|=|>|<|\(|\)|,))/y;

function tokenize(s: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < s.length) {
    if (/^\s*$/.test(s.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(s);
    if (!m) throw new Error(`FilterString: cannot read "${s.slice(start, start + 20)}"`);
    out.push((m[1] ?? m[2] ?? m[3] ?? m[4]) as string);
  }
  return out;
}

function literal(t: string | undefined): Value {
  if (t === undefined) throw new Error('FilterString: a value is missing');
  if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
  if (/^-?\d/.test(t)) return Number(t);
  throw new Error(`FilterString: "${t}" is not a value`);
}

export function parseFilter(filter: string): Node | null {
  const toks = tokenize(filter);
  if (!toks.length) return null;
  let i = 0;
  const peek = (): string | undefined => toks[i];
  const kw = (w: string): boolean => peek()?.toUpperCase() === w;
  const or = (): Node => { let a = and(); while (kw('OR')) { i++; a = { k: 'or', a, b: and() }; } return a; };
  const and = (): Node => { let a = unary(); while (kw('AND')) { i++; a = { k: 'and', a, b: unary() }; } return a; };
  const unary = (): Node => {
    if (kw('NOT')) { i++; return { k: 'not', a: unary() }; }
    if (peek() === '(') { i++; const n = or(); if (toks[i++] !== ')') throw new Error('FilterString: ")" expected'); return n; }
    const field = toks[i++];
    if (!field || !/^[A-Za-z_]/.test(field)) throw new Error(`FilterString: a field expected, got "${field ?? ''}"`);
    if (kw('IN')) {
      i++;
      if (toks[i++] !== '(') throw new Error('FilterString: "(" expected after IN');
      const values: Value[] = [literal(toks[i++])];
      while (peek() === ',') { i++; values.push(literal(toks[i++])); }
      if (toks[i++] !== ')') throw new Error('FilterString: ")" expected');
      return { k: 'in', field, values };
    }
    if (kw('LIKE')) { i++; return { k: 'like', field, pattern: String(literal(toks[i++])) }; }
    const op = toks[i++];
    if (!op || !['=', '<>', '!=', '>', '>=', '<', '<='].includes(op)) throw new Error(`FilterString: an operator expected after ${field}`);
    return { k: 'cmp', field, op, value: literal(toks[i++]) };
  };
  const n = or();
  if (i !== toks.length) throw new Error(`FilterString: unexpected "${toks[i]}"`);
  return n;
}

const DATE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2})(\.\d{1,3})?)?$/;

/** Dates compare as instants whichever way they are written ('2026-03-02 08:00:01' = '2026-03-02T08:00:01.000'). */
function norm(v: Value): Value {
  if (typeof v !== 'string') return v;
  const m = DATE.exec(v.trim());
  return m ? `${m[1]}T${m[2] ?? '00:00:00'}${(m[3] ?? '.000').padEnd(4, '0')}` : v;
}

function compare(a: Value, b: Value): number | null {
  if (a === null || b === null) return null;
  if (typeof b === 'number') { const x = Number(a); return Number.isNaN(x) ? null : x - b; }
  const x = String(norm(a));
  const y = String(norm(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

export function matches(n: Node | null, get: Getter): boolean {
  if (!n) return true;
  switch (n.k) {
    case 'and': return matches(n.a, get) && matches(n.b, get);
    case 'or': return matches(n.a, get) || matches(n.b, get);
    case 'not': return !matches(n.a, get);
    case 'in': return n.values.some((v) => compare(get(n.field), v) === 0);
    case 'like': {
      const v = get(n.field);
      const re = new RegExp(`^${n.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 's');
      return v !== null && re.test(String(v));
    }
    case 'cmp': {
      const c = compare(get(n.field), n.value);
      if (c === null) return false;
      return { '=': c === 0, '<>': c !== 0, '!=': c !== 0, '>': c > 0, '>=': c >= 0, '<': c < 0, '<=': c <= 0 }[n.op] ?? false;
    }
  }
}

/** OrderString "FModifyDate ASC, FID ASC" as a comparator over rows read with `get`. */
export function orderBy(order: string): (get: (row: number, field: string) => Value) => (a: number, b: number) => number {
  const keys = order.split(',').map((p) => p.trim()).filter(Boolean).map((p) => {
    const [field = '', dir = 'ASC'] = p.split(/\s+/);
    return { field, desc: dir.toUpperCase() === 'DESC' };
  });
  return (get) => (a, b) => {
    for (const k of keys) {
      const c = compare(get(a, k.field), get(b, k.field)) ?? 0;
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
}
