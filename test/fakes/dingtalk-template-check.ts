import { readFileSync } from 'node:fs';

/**
 * What the DingTalk client would fail to render. DingTalk does not reject a card whose variable values do not match
 * the template's variable types; the doc warns they then "不生效，或者在移动端无法显示" ('创建并投放卡片',
 * open.dingtalk.com/document/development/create-and-deliver-cards, cardParamMap). So the fake records these as
 * render problems and the story tests require there are none. The variable types are the ones our templates
 * declare (src/platforms/dingtalk/templates/shared-variables.json, what an operator builds in the Card Platform);
 * the value rules are DingTalk's:
 *  - BOOLEAN "true" | "false", arrays and objects as JSON strings ('API 卡片数据的填写说明');
 *  - FORM: `{ fields: FormField[] }` with the FormFieldType enum, options `{ value, text }`, SELECT default
 *    `{ index, value }` and MULTI_SELECT `{ index: [], value: [] }` pointing at real options, DATE "yyyy-MM-dd"
 *    ('表单变量', open.dingtalk.com/document/development/form-variables, data protocol and example).
 */
interface Variable { name: string; type: string; item?: string[]; values?: string[]; private?: boolean }
const file = new URL('../../src/platforms/dingtalk/templates/shared-variables.json', import.meta.url);
const VARIABLES = new Map((JSON.parse(readFileSync(file, 'utf8')) as { variables: Variable[] }).variables.map((v) => [v.name, v]));

const FIELD_TYPES = new Set(['TEXT', 'TEXT_ARRAY', 'TEXT_AREA', 'NUMBER', 'SELECT', 'MULTI_SELECT', 'DATE', 'TIME', 'DATETIME', 'CHECKBOX', 'SWITCH', 'CHECKBOX_GROUP', 'MULTI_CHECKBOX_GROUP']);
const WITH_OPTIONS = new Set(['SELECT', 'MULTI_SELECT', 'CHECKBOX_GROUP', 'MULTI_CHECKBOX_GROUP']);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function json(s: string): unknown {
  try { return JSON.parse(s); } catch { return undefined; }
}

function fieldProblems(f: unknown, i: number): string[] {
  if (!isRecord(f)) return [`field ${i} is not an object`];
  const at = `field ${String(f['name'] ?? i)}`;
  const p: string[] = [];
  if (typeof f['name'] !== 'string' || !f['name']) p.push(`${at}: name missing`);
  if (typeof f['label'] !== 'string') p.push(`${at}: label missing`);
  const type = String(f['type']);
  if (!FIELD_TYPES.has(type)) p.push(`${at}: type ${type} is not a FormFieldType`);
  for (const b of ['hidden', 'required', 'readOnly']) if (f[b] !== undefined && typeof f[b] !== 'boolean') p.push(`${at}: ${b} is not a boolean`);
  const options = f['options'];
  const values: string[] = [];
  if (WITH_OPTIONS.has(type)) {
    if (!Array.isArray(options) || options.length === 0) p.push(`${at}: ${type} needs options`);
    else for (const o of options) {
      if (!isRecord(o) || typeof o['value'] !== 'string' || typeof o['text'] !== 'string') p.push(`${at}: option ${JSON.stringify(o)} is not { value, text } strings`);
      else values.push(o['value']);
    }
  }
  const d = f['defaultValue'];
  if (d === undefined) return p;
  if (type === 'SELECT') {
    if (!isRecord(d) || typeof d['index'] !== 'number' || values[d['index']] !== d['value']) p.push(`${at}: SELECT default ${JSON.stringify(d)} is not { index, value } of an option`);
  } else if (type === 'MULTI_SELECT') {
    const ok = isRecord(d) && Array.isArray(d['index']) && Array.isArray(d['value']) && d['index'].length === d['value'].length
      && d['index'].every((ix, k) => typeof ix === 'number' && values[ix] === (d['value'] as unknown[])[k]);
    if (!ok) p.push(`${at}: MULTI_SELECT default ${JSON.stringify(d)} is not { index: [], value: [] } of options`);
  } else if (type === 'DATE') {
    if (typeof d !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(d)) p.push(`${at}: DATE default ${JSON.stringify(d)} is not yyyy-MM-dd`);
  } else if (type === 'CHECKBOX' || type === 'SWITCH') {
    if (typeof d !== 'boolean') p.push(`${at}: ${type} default is not a boolean`);
  } else if (type === 'NUMBER') {
    if (typeof d !== 'number' && !(typeof d === 'string' && d.trim() !== '' && Number.isFinite(Number(d)))) p.push(`${at}: NUMBER default ${JSON.stringify(d)} is not a number`);
  } else if (type === 'TEXT_ARRAY' || type === 'MULTI_CHECKBOX_GROUP') {
    if (!Array.isArray(d)) p.push(`${at}: ${type} default is not an array`);
  } else if (typeof d !== 'string') {
    p.push(`${at}: ${type} default is not a string`);
  }
  return p;
}

function valueProblems(v: Variable, value: string): string[] {
  switch (v.type) {
    case 'STRING': return !v.values || v.values.includes(value) ? [] : [`${v.name}: "${value}" is none of ${v.values.join(' | ')}`];
    case 'BOOLEAN': return value === 'true' || value === 'false' ? [] : [`${v.name}: BOOLEAN is "${value}"`];
    case 'OBJECT_ARRAY': {
      const a = json(value);
      if (!Array.isArray(a)) return [`${v.name}: OBJECT_ARRAY is not a JSON array`];
      return a.flatMap((o, i) => (!isRecord(o) ? [`${v.name}[${i}] is not an object`]
        : Object.entries(o).filter(([k, x]) => (v.item && !v.item.includes(k)) || typeof x !== 'string').map(([k]) => `${v.name}[${i}].${k} is not a declared string item`)));
    }
    case 'FORM': {
      const f = json(value);
      if (!isRecord(f) || !Array.isArray(f['fields'])) return [`${v.name}: FORM is not { fields: [] }`];
      return f['fields'].flatMap((x, i) => fieldProblems(x, i).map((m) => `${v.name}: ${m}`));
    }
    default: return [`${v.name}: unknown variable type ${v.type}`];
  }
}

/**
 * Problems of one cardParamMap against the declared template variables: `public` data is what everyone sees, so it
 * must not carry a variable meant for one person (`private: true`), which would show that person's note to all.
 */
export function renderProblems(params: Record<string, string>, scope: 'public' | 'private' = 'public'): string[] {
  return Object.entries(params).flatMap(([k, value]) => {
    const v = VARIABLES.get(k);
    if (!v) return [`${k}: not a variable of the template`];
    if (v.private && scope === 'public') return [`${k}: a private variable in public card data`];
    return valueProblems(v, value);
  });
}
