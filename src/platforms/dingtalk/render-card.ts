import { webUrl, type ButtonView, type CardBlock, type CardView, type InputView, type TimelineItem } from '../../core/card-view.ts';
import { t } from '../../i18n/catalog.ts';

/**
 * CardView → DingTalk template card variables. DingTalk cards need a template from the Card Platform; ours
 * (templates/*.json) share ONE variable set, so any CardView fits any of them and an update may change what a
 * card shows without changing its template. `cardParamMap` is Map<String, String> (key ≤ 100 B, value ≤ 1 KB):
 * booleans are "true"/"false", lists and objects JSON strings (DingTalk docs '创建并投放卡片' and 'API 卡片数据的填写
 * 说明', open.dingtalk.com/document/development/create-and-deliver-cards and …/instructions-for-filling-in-api-
 * card-data). Pure.
 */
export type TemplateKind = 'form' | 'approval' | 'status';

export interface DingtalkCardParams {
  kind: TemplateKind;
  cardParamMap: Record<string, string>;
}

/**
 * Form-variable field types (DingTalk doc '表单变量', open.dingtalk.com/document/development/form-variables,
 * FormFieldType). Money stays TEXT: a NUMBER input hands back a JSON number, and money is decimal, never float.
 * A month has no picker of its own (DATE's format is a day), and a person is typed in (see fieldJson).
 */
const FIELD_TYPE: Record<InputView['type'], string> = {
  text: 'TEXT', textarea: 'TEXT_AREA', number: 'NUMBER', money: 'TEXT', date: 'DATE', month: 'TEXT', select: 'SELECT', user: 'TEXT',
};

const TIMELINE_MARK: Record<TimelineItem['status'], string> = {
  done: '✅', current: '⏳', pending: '⚪', rejected: '❌', skipped: '⏭️',
};

/** Tone → a color name the templates bind to the header's background. */
const TONE_COLOR: Record<CardView['tone'], string> = {
  blue: 'blue', green: 'green', red: 'red', orange: 'orange', grey: 'gray', purple: 'purple',
};

/** DingTalk markdown has no escape syntax for every char; neutralise the ones that change structure. */
export function escapeDingtalkMarkdown(text: string): string {
  return text.replace(/([\\*_`[\]#>|])/g, '\\$1');
}

export function blockToMarkdown(b: CardBlock): string | undefined {
  switch (b.type) {
    case 'text': return escapeDingtalkMarkdown(b.text);
    case 'note': return `<font color="#888888">${escapeDingtalkMarkdown(b.text)}</font>`;
    case 'divider': return '---';
    case 'link': {
      // Markdown link `[text](url)` ('消息类型与数据格式', markdown: 链接); parentheses would end the URL early.
      const url = webUrl(b.url);
      return url ? `[${escapeDingtalkMarkdown(b.label)}](${url.replace(/\(/g, '%28').replace(/\)/g, '%29')})` : escapeDingtalkMarkdown(b.label);
    }
    case 'fields': return b.fields.map((f) => `**${escapeDingtalkMarkdown(f.label)}**：${escapeDingtalkMarkdown(f.value)}`).join('  \n');
    case 'timeline': return b.items.map((t) => `${TIMELINE_MARK[t.status]} ${escapeDingtalkMarkdown(t.label)}${t.detail ? ` · ${escapeDingtalkMarkdown(t.detail)}` : ''}`).join('  \n');
    case 'actions':
    case 'form': return undefined;
  }
}

function buttonJson(b: ButtonView) {
  // The template binds each button's "回传请求" params to actionId + value (a JSON string); see README, Card templates.
  return { actionId: b.actionId, label: b.label, style: b.style, value: JSON.stringify(b.value), ...(b.confirm ? { confirmTitle: b.confirm.title, confirmText: b.confirm.text } : {}) };
}

/** DATE default values use the picker's default format, "yyyy-MM-dd" ('表单变量', FormField.format). */
const DATE_VALUE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A field's `defaultValue` in the shape its type takes ('表单变量': `defautValue?: RawValue | SelectValue |
 * MultiSelectValue`, SELECT `{ index, value }` pointing at an option, as in the doc's example). A value that does
 * not fit (no such option, not a day) is left out rather than shown wrong.
 */
function defaultValue(i: InputView, options: { value: string }[] | undefined): unknown {
  const v = i.value;
  if (v === undefined || v === '') return undefined;
  switch (i.type) {
    case 'select': {
      const index = (options ?? []).findIndex((o) => o.value === v);
      return index < 0 ? undefined : { index, value: v };
    }
    case 'number': return Number.isFinite(Number(v)) ? Number(v) : undefined;
    case 'date': return DATE_VALUE.test(v) ? v : undefined;
    default: return v;
  }
}

function fieldJson(i: InputView) {
  // A person is typed in (TEXT: a name's directory id or DingTalk userId); listing the colleagues would
  // break the 1 KB value limit in any company of size.
  const options = i.type === 'user' ? undefined : i.options;
  const value = defaultValue(i, options);
  const placeholder = i.placeholder ?? (i.type === 'user' ? 'userid' : i.type === 'month' ? 'yyyy-MM' : undefined);
  return {
    name: i.name, label: i.label, type: FIELD_TYPE[i.type], required: i.required,
    ...(value !== undefined ? { defaultValue: value } : {}),
    ...(placeholder ? { placeholder } : {}),
    ...(options ? { options: options.map((o) => ({ value: o.value, text: o.label })) } : {}),
  };
}

/**
 * The form variable within the 1 KB value limit: a select whose options do not fit (a long master-data list: the
 * suppliers an ERP shares) is typed in instead, the largest first, keeping its value. What is typed is matched on
 * the server (enum synonyms, master-data names and short names), so the form still works.
 */
function formJson(inputs: InputView[]): string {
  const typed = new Set<string>();
  const optionBytes = (i: InputView): number => Buffer.byteLength(JSON.stringify(i.options ?? []));
  for (;;) {
    const json = JSON.stringify({ fields: inputs.map((i) => (typed.has(i.name) ? fieldJson(typedIn(i)) : fieldJson(i))) });
    if (Buffer.byteLength(json) <= MAX_PARAM_BYTES) return json;
    const biggest = inputs.filter((i) => i.type === 'select' && i.options?.length && !typed.has(i.name)).sort((a, b) => optionBytes(b) - optionBytes(a))[0];
    if (!biggest) return json;
    typed.add(biggest.name);
  }
}

function typedIn(i: InputView): InputView {
  const { options: _dropped, ...rest } = i;
  return { ...rest, type: 'text' };
}

/** Form buttons send the form unless marked `sendsForm: false`. */
function sendsForm(b: ButtonView): boolean {
  return !('sendsForm' in b && b.sendsForm === false);
}

export function cardMarkdown(card: CardView): string {
  return card.blocks.map(blockToMarkdown).filter((s): s is string => s !== undefined && s.length > 0).join('\n\n');
}

export function templateKindOf(card: CardView): TemplateKind {
  if (card.blocks.some((b) => b.type === 'form')) return 'form';
  if (card.blocks.some((b) => b.type === 'actions' && b.buttons.length > 0)) return 'approval';
  return 'status';
}

export function renderDingtalkCard(card: CardView): DingtalkCardParams {
  const form = card.blocks.find((b): b is Extract<CardBlock, { type: 'form' }> => b.type === 'form');
  // A form button that does not send the form (cancel, remind, withdraw) is a plain button: the template's form
  // submit buttons run the client's required-field check first ('表单变量': "必填校验通过后会调用回传请求"),
  // which an emptied required field would fail.
  const formButtons = form?.buttons ?? [];
  const actions = [...card.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : [])), ...formButtons.filter((b) => !sendsForm(b))];
  return {
    kind: templateKindOf(card),
    cardParamMap: {
      title: card.title,
      subtitle: card.subtitle ?? '',
      tone: TONE_COLOR[card.tone],
      markdown: fitValue(cardMarkdown(card)),
      has_actions: String(actions.length > 0),
      actions: JSON.stringify(actions.map(buttonJson)),
      has_form: String(form !== undefined),
      form_id: form?.formId ?? '',
      form: formJson(form?.inputs ?? []),
      form_actions: JSON.stringify(formButtons.filter(sendsForm).map(buttonJson)),
    },
  };
}

/** `cardParamMap` values may hold 1 KB ('创建并投放卡片'): longer text is cut at a character boundary and marked. */
export const MAX_PARAM_BYTES = 1024;

export function fitValue(text: string): string {
  if (Buffer.byteLength(text) <= MAX_PARAM_BYTES) return text;
  const chars = [...text];
  let bytes = Buffer.byteLength('…');
  let out = '';
  for (const ch of chars) {
    bytes += Buffer.byteLength(ch);
    if (bytes > MAX_PARAM_BYTES) break;
    out += ch;
  }
  return `${out}…`;
}

/** Fallback when the bot has no template for this kind: a markdown robot message, buttons become a hint. */
export function renderMarkdownFallback(card: CardView, locale: 'zh' | 'en'): { title: string; text: string } {
  const buttons = card.blocks.flatMap((b) => (b.type === 'actions' || b.type === 'form' ? b.buttons : []));
  const hint = buttons.length === 0 ? '' : `\n\n> ${t(locale, 'card.fallback.noButtons', { buttons: buttons.map((b) => b.label).join(' / ') })}`;
  const head = `### ${escapeDingtalkMarkdown(card.title)}${card.subtitle ? `\n${escapeDingtalkMarkdown(card.subtitle)}` : ''}`;
  const body = cardMarkdown(card);
  return { title: card.title, text: `${head}${body ? `\n\n${body}` : ''}${hint}` };
}
