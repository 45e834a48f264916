import { webUrl, type ButtonView, type CardBlock, type CardTone, type CardView, type InputView, type TimelineItem } from '../../core/card-view.ts';
import { buttonName, formName } from './component-names.ts';

/**
 * CardView → Feishu card JSON 2.0. Pure. Rules encoded here, from Feishu's card JSON 2.0 documentation:
 * - Structure ("卡片 JSON 2.0 结构", open.feishu.cn/document/uAjLw4CM/ukzMukzMukzM/feishu-cards/card-json-v2-structure):
 *   `schema: "2.0"`, `config`, `header`, `body.elements`; 2.0 cards are always shared (`update_multi: true`, the
 *   only value 2.0 supports), which is what lets one PATCH update every viewer's copy; there is no `action` row.
 * - Form container (open.feishu.cn/document/feishu-cards/card-json-v2-components/containers/form-container): a
 *   form sits at the card root only, holds no form, its components carry card-unique `name`s, `required` works
 *   only inside it, and only a button with `form_action_type: "submit"` sends it (after the client's
 *   required-field check). So buttons that must not send the form (cancel, remind…) go in a row after it.
 * - Person picker "人员选择-单选" `select_person` (card JSON 2.0 components; summarised in larksuite/cli's
 *   select_person.md, linked from docs/platforms/feishu.md §4.5): `options` are `{value: open_id}`; with no
 *   options it offers the chat's members, which in a one-to-one bot chat is the clicker alone. So it gets the
 *   candidates' open_ids, and a `user` input without any is a plain input.
 */
export type FeishuCardJson = Record<string, unknown>;
type El = Record<string, unknown>;

/** Header `template` values of the 2.0 title component ("标题"): blue wathet turquoise green yellow orange red carmine violet purple indigo grey default. */
const HEADER_TEMPLATE: Record<CardTone, string> = {
  blue: 'blue', green: 'green', red: 'red', orange: 'orange', grey: 'grey', purple: 'purple',
};

/** Button `type` values of the 2.0 button component: default primary danger text primary_text danger_text primary_filled danger_filled laser. */
const BUTTON_TYPE: Record<ButtonView['style'], string> = { primary: 'primary_filled', danger: 'danger', default: 'default' };

const TIMELINE_MARK: Record<TimelineItem['status'], string> = {
  done: '✅', current: '⏳', pending: '⚪', rejected: '❌', skipped: '⏭️',
};

const plain = (content: string) => ({ tag: 'plain_text', content });

/** Feishu lark_md treats these as markup; escape user-provided text so it renders literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_~`[\]()<>#|])/g, '\\$1');
}

function button(b: ButtonView, formSubmit: boolean): El {
  return {
    tag: 'button',
    // The name alone identifies the action (component-names.ts); the callback value is a convenience echo.
    name: buttonName(b.actionId),
    type: BUTTON_TYPE[b.style],
    text: plain(b.label),
    ...(formSubmit ? { form_action_type: 'submit' } : {}),
    behaviors: [{ type: 'callback', value: { ...b.value, actionId: b.actionId } }],
    ...(b.confirm ? { confirm: { title: plain(b.confirm.title), text: plain(b.confirm.text) } } : {}),
  };
}

/**
 * A button that opens a page: button component (card JSON 2.0, open.feishu.cn/document/feishu-cards/card-json-v2-
 * components/interactive-components/button): `behaviors: [{type: "open_url", default_url}]`, the fallback URL every
 * client uses when no per-client URL is set; no callback, so no `name`. The button text holds at most 100 characters.
 * Not an http(s) URL: the label as text.
 */
function linkButton(label: string, url: string): El {
  const href = webUrl(url);
  if (!href) return { tag: 'markdown', content: escapeMarkdown(label) };
  return { tag: 'button', type: 'default', text: plain([...label].slice(0, 100).join('')), behaviors: [{ type: 'open_url', default_url: href }] };
}

function buttonRow(buttons: ButtonView[], formSubmit: boolean): El {
  return {
    tag: 'column_set',
    flex_mode: 'flow',
    horizontal_spacing: '8px',
    columns: buttons.map((b) => ({ tag: 'column', width: 'auto', elements: [button(b, formSubmit)] })),
  };
}

/** The person picker's candidates: only people with an id on this platform (open_id) can be offered. */
function personOptions(i: InputView): { value: string; openId: string }[] {
  return (i.options ?? []).flatMap((o) => (o.externalId ? [{ value: o.value, openId: o.externalId }] : []));
}

/** `date_picker.initial_date` takes yyyy-MM-dd (date picker component, card JSON 2.0). */
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function input(i: InputView): El {
  const common = { name: i.name, required: i.required, ...(i.placeholder ? { placeholder: plain(i.placeholder) } : {}) };
  const label = plain(i.label);
  const text = (extra: El = {}): El => ({ tag: 'input', ...common, label, ...extra, ...(i.value ? { default_value: i.value } : {}) });
  switch (i.type) {
    case 'select': {
      const options = i.options ?? [];
      const initial = options.some((o) => o.value === i.value) ? { initial_option: i.value } : {};
      return { tag: 'select_static', ...common, ...initial, options: options.map((o) => ({ text: plain(o.label), value: o.value })) };
    }
    case 'user': {
      const people = personOptions(i);
      if (people.length === 0) return text();
      const initial = people.find((p) => p.value === i.value);
      return { tag: 'select_person', ...common, ...(initial ? { initial_option: initial.openId } : {}), options: people.map((p) => ({ value: p.openId })) };
    }
    case 'date':
      return { tag: 'date_picker', ...common, ...(i.value && DATE.test(i.value) ? { initial_date: i.value } : {}) };
    case 'textarea':
      return text({ input_type: 'multiline_text' });
    default:
      // text, number, money, month: free text, validated server-side by the form filler.
      return text();
  }
}

function labelled(i: InputView, el: El): El[] {
  // input carries its own label; selects and pickers get a markdown caption.
  return el['tag'] === 'input' ? [el] : [{ tag: 'markdown', content: `**${escapeMarkdown(i.label)}**${i.required ? ' *' : ''}` }, el];
}

function block(b: CardBlock, formIndex: number): El[] {
  switch (b.type) {
    case 'text': return [{ tag: 'markdown', content: escapeMarkdown(b.text) }];
    case 'note': return [{ tag: 'markdown', content: escapeMarkdown(b.text), text_size: 'notation' }];
    case 'divider': return [{ tag: 'hr' }];
    case 'link': return [linkButton(b.label, b.url)];
    case 'fields':
      return [{ tag: 'markdown', content: b.fields.map((f) => `**${escapeMarkdown(f.label)}**: ${escapeMarkdown(f.value)}`).join('\n') }];
    case 'timeline':
      return [{ tag: 'markdown', content: b.items.map((t) => `${TIMELINE_MARK[t.status]} ${escapeMarkdown(t.label)}${t.detail ? ` · ${escapeMarkdown(t.detail)}` : ''}`).join('\n') }];
    case 'actions': return b.buttons.length ? [buttonRow(b.buttons, false)] : [];
    case 'form': {
      const sending = b.buttons.filter((x) => x.sendsForm !== false);
      const others = b.buttons.filter((x) => x.sendsForm === false);
      const after = others.length ? [buttonRow(others, false)] : [];
      // A form nothing can send would only collect input nobody reads.
      if (sending.length === 0) return after;
      return [{
        tag: 'form',
        name: formName(formIndex),
        elements: [...b.inputs.flatMap((i) => labelled(i, input(i))), buttonRow(sending, true)],
      }, ...after];
    }
  }
}

export function renderFeishuCard(card: CardView): FeishuCardJson {
  return {
    schema: '2.0',
    config: { update_multi: true, width_mode: 'fill', summary: { content: card.subtitle ? `${card.title} · ${card.subtitle}` : card.title } },
    header: {
      title: plain(card.title),
      ...(card.subtitle ? { subtitle: plain(card.subtitle) } : {}),
      template: HEADER_TEMPLATE[card.tone],
    },
    body: { direction: 'vertical', elements: card.blocks.flatMap((b, i) => block(b, i)) },
  };
}
