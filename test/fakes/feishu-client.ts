/**
 * The Feishu client's side of a card click, played against a card the fake server holds: what a user can do on
 * the card as sent (or as last updated) and what the client then sends in `card.action.trigger`.
 * - A button in a form with `form_action_type: submit` first runs the client's required-field check ("有必填项未填写":
 *   no callback at all), then sends `action: {tag: button, name, form_value}`: the name and the form's values,
 *   keyed by component name (form container doc; "卡片回传交互"). No `value` is sent: the server must not need it.
 * - A `reset` button resets the form locally and sends nothing.
 * - Values are what the user typed (`fill`) or what the card preset; a date picker's value carries the offset.
 * - A button outside a form sends `{tag: button, name, value}` with its callback behavior's value (card callback doc).
 * - A person picker offers its `options` (open_ids); without options, the chat's members ("为空时候选项为会话内全体
 *   成员", larksuite/cli select_person.md; docs/platforms/feishu.md §4.5): in a one-to-one bot chat, the user alone. A select offers its options.
 */
export interface ClientMessage { message_id: string; receive_id: string; receive_id_type: string; content: string; updates: string[] }

export type ClientClick =
  | { sent: true; action: Record<string, unknown> }
  | { sent: false; reason: 'no_such_button' | 'reset' | 'required_missing' | 'not_offered' | 'no_such_field'; detail: string };

type Node = Record<string, unknown>;
const isObj = (x: unknown): x is Node => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The card as the user sees it now. */
export const latestCard = (m: ClientMessage): Node => JSON.parse(m.updates.at(-1) ?? m.content) as Node;

/** Open_ids in the message's chat: a p2p chat is the user (the fake names p2p chats `oc_p2p_<user>` for `ou_<user>`). */
export function chatMembers(m: ClientMessage, groups: Map<string, string[]>): string[] {
  if (m.receive_id_type === 'open_id') return [m.receive_id];
  if (m.receive_id.startsWith('oc_p2p_')) return [`ou_${m.receive_id.slice('oc_p2p_'.length)}`];
  return groups.get(m.receive_id) ?? [];
}

function find(node: unknown, pred: (n: Node) => boolean, form: Node | undefined = undefined): { el: Node; form: Node | undefined } | undefined {
  if (Array.isArray(node)) {
    for (const n of node) { const hit = find(n, pred, form); if (hit) return hit; }
    return undefined;
  }
  if (!isObj(node)) return undefined;
  if (pred(node)) return { el: node, form };
  const inner = node['tag'] === 'form' ? node : form;
  for (const v of Object.values(node)) { const hit = find(v, pred, inner); if (hit) return hit; }
  return undefined;
}

function fields(form: Node): Node[] {
  const out: Node[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) { n.forEach(walk); return; }
    if (!isObj(n)) return;
    if (typeof n['name'] === 'string' && n['tag'] !== 'button' && n['tag'] !== 'form') out.push(n);
    Object.values(n).forEach(walk);
  };
  walk(form['elements']);
  return out;
}

/** What a component holds before the user touches it; a date picker reports its date with the user's offset ("2024-04-01 +0800", docs/platforms/feishu.md §3.2). */
const initial = (f: Node): unknown => f['default_value'] ?? f['initial_option'] ?? (typeof f['initial_date'] === 'string' ? `${f['initial_date']} +0800` : undefined) ?? f['selected_values'];
const empty = (v: unknown): boolean => v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

export function clientClick(m: ClientMessage, name: string, fill: Record<string, unknown>, groups: Map<string, string[]>): ClientClick {
  const card = latestCard(m);
  const hit = find(card['body'], (n) => n['tag'] === 'button' && n['name'] === name);
  if (!hit) return { sent: false, reason: 'no_such_button', detail: `no button named ${name}` };
  const { el: button, form } = hit;
  if (!form) {
    const cb = (button['behaviors'] as Node[] | undefined)?.find((b) => b['type'] === 'callback');
    return { sent: true, action: { tag: 'button', name, ...(cb ? { value: cb['value'] } : {}) } };
  }
  if (button['form_action_type'] === 'reset') return { sent: false, reason: 'reset', detail: 'reset is local' };
  const comps = fields(form);
  for (const k of Object.keys(fill)) if (!comps.some((c) => c['name'] === k)) return { sent: false, reason: 'no_such_field', detail: `the form has no ${k}` };
  const values: Record<string, unknown> = {};
  for (const c of comps) {
    const key = c['name'] as string;
    const v = key in fill ? fill[key] : initial(c);
    if (!empty(v)) {
      const offered = offeredValues(c, m, groups);
      if (offered && !offered.includes(String(v))) return { sent: false, reason: 'not_offered', detail: `${key}: ${String(v)} is not among ${offered.join(', ')}` };
      values[key] = v;
    } else if (c['required'] === true) {
      return { sent: false, reason: 'required_missing', detail: key };
    }
  }
  return { sent: true, action: { tag: 'button', name, form_value: values } };
}

function offeredValues(c: Node, m: ClientMessage, groups: Map<string, string[]>): string[] | undefined {
  const options = Array.isArray(c['options']) ? (c['options'] as Node[]).map((o) => String(o['value'])) : undefined;
  if (c['tag'] === 'select_person') return options && options.length > 0 ? options : chatMembers(m, groups);
  if (c['tag'] === 'select_static') return options ?? [];
  return undefined;
}
