/**
 * Which keys plpgsql functions read from their jsonb arguments (`x->'key'`, `x->>'key'`, chained), checked against
 * sample arguments built by the TypeScript builders. Variables are followed through the forms the functions use:
 * `v jsonb := <expr>;`, `for v in select value[, ordinality] from jsonb_array_elements(<expr>)`, a FROM item
 * `jsonb_array_elements(<expr>) v` / `… with ordinality as x (v, n)`, and calls of the other functions (their
 * jsonb parameters get the argument's values). An accessor on a name bound in none of these ways is a problem,
 * so a new form in the SQL fails the check instead of going unchecked.
 */
export interface SqlFn { args: string; body: string }
interface Node { v: unknown; path: string }

const KEYWORDS = new Set(['with', 'where', 'order', 'loop', 'on', 'group', 'limit', 'offset', 'join', 'left', 'cross', 'union', 'returning']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Splits a call's argument list at top-level commas (quotes and parentheses respected). */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0, quoted = false, cur = '';
  for (const ch of s) {
    if (ch === "'") quoted = !quoted;
    if (!quoted && ch === '(') depth++;
    if (!quoted && ch === ')') depth--;
    if (!quoted && depth === 0 && ch === ',') { out.push(cur.trim()); cur = ''; } else cur += ch;
  }
  return [...out, cur.trim()];
}

/** The argument text of each call of `fn` in `body`. */
function callsOf(fn: string, body: string): string[][] {
  const out: string[][] = [];
  for (const m of body.matchAll(new RegExp(`\\b${fn}\\(`, 'g'))) {
    let depth = 1, i = (m.index ?? 0) + m[0].length;
    const start = i;
    for (; i < body.length && depth > 0; i++) if (body[i] === '(') depth++; else if (body[i] === ')') depth--;
    out.push(splitArgs(body.slice(start, i - 1)));
  }
  return out;
}

function params(args: string): { name: string; type: string }[] {
  return args ? splitArgs(args).map((a) => { const [name = '', type = ''] = a.split(/\s+/); return { name, type }; }) : [];
}

/** Checks every accessor of every function reachable from `roots` (function → jsonb parameter → sample value). */
export function checkJsonKeys(fns: Map<string, SqlFn>, roots: Record<string, Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const work = Object.entries(roots).map(([fn, ps]) => ({ fn, env: new Map(Object.entries(ps).map(([p, v]) => [p, [{ v, path: `${fn}(${p})` }]])) }));
  for (let k = 0; k < work.length && k < 50; k++) {
    const { fn, env } = work[k]!;
    const def = fns.get(fn);
    if (!def) { problems.push(`${fn}: no such function`); continue; }
    const body = def.body.replace(/--[^\n]*/g, '');
    const vars = new Map(env);
    const follow = (expr: string): Node[] => {
      const e = expr.trim();
      let m = /^nullif\(([\s\S]+),\s*'null'::jsonb\)$/.exec(e);
      if (m) return follow(m[1] ?? '').filter((n) => n.v !== null && n.v !== undefined);
      m = /^jsonb_build_array\(([\s\S]+)\)$/.exec(e);
      if (m) return follow(m[1] ?? '').map((n) => ({ v: [n.v], path: `[${n.path}]` }));
      m = /^([\w.]+)((?:\s*->\s*'[^']*')*)$/.exec(e);
      if (!m) throw new Error(`${fn}: cannot follow \`${e}\``);
      let nodes = vars.get(m[1] ?? '');
      if (!nodes) throw new Error(`${fn}: \`${m[1]}\` is not bound yet`);
      for (const key of [...(m[2] ?? '').matchAll(/'([^']*)'/g)].map((x) => x[1] ?? '')) nodes = step(nodes, key, `${fn}: ${e}`);
      return nodes;
    };
    const step = (nodes: Node[], key: string, where: string): Node[] => {
      const out: Node[] = [];
      for (const n of nodes) {
        if (n.v === null) continue;
        if (!isObject(n.v)) problems.push(`${where}: ${n.path} is not an object`);
        else if (!(key in n.v)) problems.push(`${where}: ${n.path} has no key '${key}'`);
        else out.push({ v: n.v[key], path: `${n.path}.${key}` });
      }
      if (nodes.length > 0 && !nodes.some((n) => isObject(n.v))) problems.push(`${where}: the sample has no object at ${nodes[0]?.path} to read '${key}' from`);
      return out;
    };
    const elements = (nodes: Node[]): Node[] => nodes.flatMap((n) => (Array.isArray(n.v) ? n.v.map((v, i) => ({ v, path: `${n.path}[${i}]` })) : []));
    // Bindings, in text order (declarations first, then loops and FROM items): each may use an earlier one.
    const bindings: { at: number; names: string[]; nodes: () => Node[] }[] = [];
    for (const m of body.matchAll(/\b(\w+) jsonb := ([^;]+);/g)) bindings.push({ at: m.index ?? 0, names: [m[1] ?? ''], nodes: () => follow(m[2] ?? '') });
    for (const m of body.matchAll(/\bfor (\w+) in select value(, ordinality)? from jsonb_array_elements\(([^()]*)\)/g)) {
      bindings.push({ at: m.index ?? 0, names: [m[1] ?? '', `${m[1]}.value`, 'value'], nodes: () => elements(follow(m[3] ?? '')) });
    }
    for (const m of body.matchAll(/\bfrom jsonb_array_elements\(([^()]*)\)\s+(?:with ordinality\s+as\s+\w+\s*\((\w+)\s*,\s*\w+\)|(\w+))/g)) {
      const name = m[2] ?? m[3] ?? '';
      if (!KEYWORDS.has(name)) bindings.push({ at: m.index ?? 0, names: [name], nodes: () => elements(follow(m[1] ?? '')) });
    }
    for (const b of bindings.sort((x, y) => x.at - y.at)) {
      const nodes = b.nodes();
      for (const name of b.names) vars.set(name, [...(vars.get(name) ?? []), ...nodes]);
    }
    // Every accessor: its variable must be bound, the sample must hold an object there, with the key.
    for (const m of body.matchAll(/([\w.]+)((?:\s*->>?\s*'[^']*')+)/g)) {
      const base = m[1] ?? '';
      let nodes = vars.get(base);
      if (!nodes) { problems.push(`${fn}: \`${m[0].trim()}\` reads \`${base}\`, which is bound in no form this check follows`); continue; }
      if (nodes.length === 0) problems.push(`${fn}: the sample has no value for \`${base}\` (make it richer)`);
      for (const key of [...(m[2] ?? '').matchAll(/'([^']*)'/g)].map((x) => x[1] ?? '')) nodes = step(nodes, key, `${fn}: ${m[0].trim()}`);
    }
    // Calls of the other functions: their jsonb parameters get these arguments' values.
    for (const [callee, cdef] of fns) {
      if (callee === fn) continue;
      for (const args of callsOf(callee, body)) {
        const cenv = new Map<string, Node[]>();
        params(cdef.args).forEach((p, i) => { if (p.type === 'jsonb' && args[i] !== undefined) cenv.set(p.name, follow(args[i] ?? '')); });
        work.push({ fn: callee, env: cenv });
      }
    }
  }
  return [...new Set(problems)];
}
