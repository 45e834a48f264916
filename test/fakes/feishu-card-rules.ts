/**
 * Feishu card JSON 2.0 rules, as the fake Feishu server enforces them on every card it receives (message send,
 * reply, PATCH, delayed update, callback answers). Each rule names its source. Refusals use Feishu's codes:
 * - 230099 "Failed to create card content, ext=ErrCode: 11310; ErrMsg: …; ErrorValue: …;" for card content Feishu
 *   will not build (the code and message shape as Feishu answers them: larksuite/openclaw-lark#53, sipeed/picoclaw#1727;
 *   11310 is the sub-code those carry; the ErrMsg wording below is the fake's own);
 * - 230025 for a card over 30 KB (send/PATCH message docs: card content ≤ 30 KB; code as reported in
 *   larksuite/openclaw-lark#447 "230025: 卡片内容超过30KB大小限制").
 * The fake implements 2.0 only: a card without `schema: "2.0"` is refused so a regression to 1.0 shows.
 */
export interface CardRefusal { code: number; msg: string }

/** "发送消息" / "更新应用发送的消息卡片": card content at most 30 KB. */
export const MAX_CARD_BYTES = 30 * 1024;

/** Header `template` enum of the 2.0 title component. */
const TEMPLATES = new Set(['blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange', 'red', 'carmine', 'violet', 'purple', 'indigo', 'grey', 'default']);
/** Button `type` enum of the 2.0 button component. */
const BUTTON_TYPES = new Set(['default', 'primary', 'danger', 'text', 'primary_text', 'danger_text', 'primary_filled', 'danger_filled', 'laser']);
/** Input `input_type` enum (2.0 input component). */
const INPUT_TYPES = new Set(['text', 'multiline_text', 'password']);
/** Interactive components: inside a form each needs a card-unique `name` (form container doc). */
const INTERACTIVE = new Set(['button', 'input', 'select_static', 'multi_select_static', 'select_person', 'multi_select_person', 'date_picker', 'picker_time', 'picker_datetime', 'checker', 'select_img', 'overflow']);
/** Containers count toward the five nesting levels the form container doc allows. */
const CONTAINERS = new Set(['form', 'column_set', 'column', 'collapsible_panel', 'interactive_container']);
const DISPLAY = new Set(['markdown', 'hr', 'div', 'img', 'table', 'chart', 'person', 'person_list', 'plain_text']);
const MAX_DEPTH = 5;

type Node = Record<string, unknown>;
const isObj = (x: unknown): x is Node => typeof x === 'object' && x !== null && !Array.isArray(x);
const isText = (x: unknown): boolean => isObj(x) && (x['tag'] === 'plain_text' || x['tag'] === 'lark_md') && typeof x['content'] === 'string';

class Refused extends Error {
  constructor(readonly what: string, readonly where: string) { super(what); }
}

interface Walk { names: Map<string, string>; submitInForm: Map<string, boolean> }

/** Validates card JSON text as Feishu would; `kind` adds the PATCH rule (shared card declared after the update too). */
export function checkCard(content: string, kind: 'send' | 'patch' | 'callback'): CardRefusal | undefined {
  if (Buffer.byteLength(content, 'utf8') > MAX_CARD_BYTES) return { code: 230025, msg: `card content exceeds ${MAX_CARD_BYTES} bytes` };
  let card: unknown;
  try { card = JSON.parse(content); } catch { return refusal('card is not JSON', '$'); }
  try {
    checkRoot(card, kind);
    return undefined;
  } catch (e: unknown) {
    if (e instanceof Refused) return refusal(e.what, e.where);
    throw e;
  }
}

function refusal(what: string, where: string): CardRefusal {
  return { code: 230099, msg: `Failed to create card content, ext=ErrCode: 11310; ErrMsg: ${what}; ErrorValue: ${where};` };
}

function checkRoot(card: unknown, kind: 'send' | 'patch' | 'callback'): void {
  if (!isObj(card)) throw new Refused('card must be an object', '$');
  if (card['schema'] !== '2.0') throw new Refused('the fake accepts card JSON 2.0 only', 'schema');
  const config = card['config'];
  // "卡片 JSON 2.0 结构": 2.0 supports shared cards only; PATCH needs `update_multi: true` declared (im.v1.message.patch doc).
  if (isObj(config) && config['update_multi'] === false) throw new Refused('JSON 2.0 cards are shared: update_multi cannot be false', 'config.update_multi');
  if (kind === 'patch' && (!isObj(config) || config['update_multi'] !== true)) throw new Refused('PATCH needs a shared card: config.update_multi true', 'config.update_multi');
  const header = card['header'];
  if (header !== undefined) {
    if (!isObj(header) || !isText(header['title'])) throw new Refused('header.title must be a text object', 'header.title');
    if (header['subtitle'] !== undefined && !isText(header['subtitle'])) throw new Refused('header.subtitle must be a text object', 'header.subtitle');
    if (header['template'] !== undefined && !TEMPLATES.has(String(header['template']))) throw new Refused(`unknown header template ${String(header['template'])}`, 'header.template');
  }
  const body = card['body'];
  if (!isObj(body) || !Array.isArray(body['elements'])) throw new Refused('body.elements must be an array', 'body.elements');
  const walk: Walk = { names: new Map(), submitInForm: new Map() };
  body['elements'].forEach((el, i) => checkElement(el, `body.elements[${i}]`, { depth: 0, form: undefined, root: true }, walk));
  // github.com/larksuite/cli skills/lark-im/references/card/components/form.md: a form must hold a `form_action_type: submit` button.
  for (const [form, has] of walk.submitInForm) if (!has) throw new Refused('a form needs a submit button', form);
}

interface Where { depth: number; form: string | undefined; root: boolean }

function checkElement(el: unknown, path: string, at: Where, walk: Walk): void {
  if (!isObj(el) || typeof el['tag'] !== 'string') throw new Refused('element without tag', path);
  const tag = el['tag'];
  // Button doc: JSON 2.0 no longer supports the `action` module; buttons go straight into elements/columns.
  if (tag === 'action') throw new Refused('JSON 2.0 has no action module', path);
  if (!INTERACTIVE.has(tag) && !CONTAINERS.has(tag) && !DISPLAY.has(tag)) throw new Refused(`unknown tag ${tag}`, path);
  const name = el['name'];
  if (name !== undefined) {
    if (typeof name !== 'string' || name === '') throw new Refused('name must be a non-empty string', `${path}.name`);
    // Form container doc: names are unique within the card, or the form does not submit.
    const seen = walk.names.get(name);
    if (seen) throw new Refused(`duplicate name ${name} (also at ${seen})`, `${path}.name`);
    walk.names.set(name, path);
  }
  if (at.form && INTERACTIVE.has(tag) && name === undefined) throw new Refused(`${tag} in a form needs a name`, path);
  // Form components: `required` is available inside a form container; elsewhere it errors or has no effect.
  if (el['required'] !== undefined && !at.form) throw new Refused('required outside a form', `${path}.required`);
  if (el['required'] !== undefined && typeof el['required'] !== 'boolean') throw new Refused('required must be boolean', `${path}.required`);
  const depth = CONTAINERS.has(tag) ? at.depth + 1 : at.depth;
  if (depth > MAX_DEPTH) throw new Refused(`containers nest at most ${MAX_DEPTH} levels`, path);
  switch (tag) {
    case 'form': return checkForm(el, path, at, depth, walk);
    case 'column_set': {
      if (!Array.isArray(el['columns'])) throw new Refused('column_set.columns must be an array', path);
      el['columns'].forEach((c, i) => checkElement(c, `${path}.columns[${i}]`, { ...at, depth, root: false }, walk));
      return;
    }
    case 'column': case 'collapsible_panel': case 'interactive_container': {
      if (!Array.isArray(el['elements'])) throw new Refused(`${tag}.elements must be an array`, path);
      el['elements'].forEach((c, i) => checkElement(c, `${path}.elements[${i}]`, { ...at, depth, root: false }, walk));
      return;
    }
    case 'table': if (at.form) throw new Refused('a form cannot hold a table', path); return;
    case 'markdown': if (typeof el['content'] !== 'string') throw new Refused('markdown.content must be a string', path); return;
    case 'button': return checkButton(el, path, at, walk);
    case 'input': return checkInput(el, path);
    case 'select_static': case 'multi_select_static': return checkStatic(el, path);
    case 'select_person': case 'multi_select_person': return checkPerson(el, path);
    case 'date_picker':
      if (el['initial_date'] !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(el['initial_date']))) throw new Refused('initial_date is yyyy-MM-dd', `${path}.initial_date`);
      return;
    default: return;
  }
}

function checkForm(el: Node, path: string, at: Where, depth: number, walk: Walk): void {
  // Form container doc: only under the card root; no form (or table) inside a form; `name` is required.
  if (at.form) throw new Refused('a form cannot hold a form', path);
  if (!at.root) throw new Refused('a form sits at the card root only', path);
  if (typeof el['name'] !== 'string') throw new Refused('form needs a name', path);
  if (!Array.isArray(el['elements'])) throw new Refused('form.elements must be an array', path);
  walk.submitInForm.set(path, false);
  el['elements'].forEach((c, i) => checkElement(c, `${path}.elements[${i}]`, { depth, form: path, root: false }, walk));
}

function checkButton(el: Node, path: string, at: Where, walk: Walk): void {
  if (!isText(el['text'])) throw new Refused('button.text must be a text object', path);
  if (el['type'] !== undefined && !BUTTON_TYPES.has(String(el['type']))) throw new Refused(`unknown button type ${String(el['type'])}`, `${path}.type`);
  const action = el['form_action_type'];
  // Form container doc (docs/platforms/feishu.md §4.4) / larksuite/cli form.md: a button in a form is `submit` or `reset`; outside one it has no form to act on.
  if (at.form) {
    if (action !== 'submit' && action !== 'reset') throw new Refused('a button in a form needs form_action_type submit or reset', `${path}.form_action_type`);
    if (action === 'submit') walk.submitInForm.set(at.form, true);
  } else if (action !== undefined) {
    throw new Refused('form_action_type outside a form', `${path}.form_action_type`);
  }
  const behaviors = el['behaviors'];
  if (behaviors !== undefined) {
    if (!Array.isArray(behaviors)) throw new Refused('behaviors must be an array', `${path}.behaviors`);
    behaviors.forEach((b, i) => {
      const ok = isObj(b) && ((b['type'] === 'callback' && (isObj(b['value']) || typeof b['value'] === 'string'))
        || (b['type'] === 'open_url' && typeof b['default_url'] === 'string'));
      if (!ok) throw new Refused('behaviors are {type: callback, value: object|string} or {type: open_url, default_url}', `${path}.behaviors[${i}]`);
    });
  }
  const confirm = el['confirm'];
  if (confirm !== undefined && !(isObj(confirm) && isText(confirm['title']) && isText(confirm['text']))) throw new Refused('confirm needs title and text objects', `${path}.confirm`);
}

function checkInput(el: Node, path: string): void {
  if (el['input_type'] !== undefined && !INPUT_TYPES.has(String(el['input_type']))) throw new Refused(`unknown input_type ${String(el['input_type'])}`, `${path}.input_type`);
  for (const k of ['label', 'placeholder']) if (el[k] !== undefined && !isText(el[k])) throw new Refused(`input.${k} must be a text object`, `${path}.${k}`);
  if (el['default_value'] !== undefined && typeof el['default_value'] !== 'string') throw new Refused('input.default_value must be a string', `${path}.default_value`);
}

function checkStatic(el: Node, path: string): void {
  const options = el['options'];
  if (!Array.isArray(options) || !options.every((o) => isObj(o) && isText(o['text']) && typeof o['value'] === 'string')) throw new Refused('options are [{text, value}]', `${path}.options`);
  if (el['initial_option'] !== undefined && !options.some((o) => (o as Node)['value'] === el['initial_option'])) throw new Refused('initial_option is not an option', `${path}.initial_option`);
}

function checkPerson(el: Node, path: string): void {
  // 人员选择 (select_person): options are [{value: open_id}] (open_ids only); initial_option is one of them.
  const options = el['options'];
  if (options === undefined) return;
  if (!Array.isArray(options) || !options.every((o) => isObj(o) && typeof o['value'] === 'string' && o['value'].startsWith('ou_'))) {
    throw new Refused('person options are [{value: open_id}]', `${path}.options`);
  }
  if (el['initial_option'] !== undefined && !options.some((o) => (o as Node)['value'] === el['initial_option'])) throw new Refused('initial_option is not an option', `${path}.initial_option`);
}

/**
 * A callback answer as the client reads it ("卡片回传交互" response: `{toast?: {type, content}, card?: {type: raw|template, data}}`).
 * Client codes as users report them: 200671 no valid answer (scitix/siclaw#392), 200673 a card the client cannot show
 * (baileyh8/hermes-feishu-streaming-card#227).
 */
export function checkCallbackAnswer(status: number, body: unknown): { code: number; msg: string } | undefined {
  if (status !== 200 || !isObj(body)) return { code: 200671, msg: `no valid callback answer (HTTP ${status})` };
  const toast = body['toast'];
  if (toast !== undefined) {
    if (!isObj(toast) || !['info', 'success', 'warning', 'error'].includes(String(toast['type'])) || typeof toast['content'] !== 'string' || toast['content'] === '') {
      return { code: 200671, msg: 'toast is {type: info|success|warning|error, content}' };
    }
  }
  const card = body['card'];
  if (card !== undefined) {
    if (!isObj(card) || card['type'] !== 'raw' || !isObj(card['data'])) return { code: 200673, msg: 'card is {type: raw, data: <card>}' };
    const bad = checkCard(JSON.stringify(card['data']), 'callback');
    if (bad) return { code: 200673, msg: bad.msg };
  }
  return undefined;
}
