import type { ButtonView, CardBlock, CardTone, CardView, InputView, TimelineItem } from '../../cards/card-view.ts';

/**
 * CardView → Feishu card JSON 2.0 (im-platforms.md A3.2–A3.4). Pure.
 * 2.0 cards are always shared (`update_multi: true`), which is what lets one PATCH update every viewer's copy.
 */
export type FeishuCardJson = Record<string, unknown>;
type El = Record<string, unknown>;

const HEADER_TEMPLATE: Record<CardTone, string> = {
  blue: 'blue', green: 'green', red: 'red', orange: 'orange', grey: 'grey', purple: 'purple',
};

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
    name: b.actionId,
    type: BUTTON_TYPE[b.style],
    text: plain(b.label),
    ...(formSubmit ? { form_action_type: 'submit' } : {}),
    // The signed callback echoes this value back (A2.2); actionId routes the click.
    behaviors: [{ type: 'callback', value: { ...b.value, actionId: b.actionId } }],
    ...(b.confirm ? { confirm: { title: plain(b.confirm.title), text: plain(b.confirm.text) } } : {}),
  };
}

function buttonRow(buttons: ButtonView[], formSubmit: boolean): El {
  // 2.0 has no `action` row: buttons go in a column_set (A3.2).
  return {
    tag: 'column_set',
    flex_mode: 'flow',
    horizontal_spacing: '8px',
    columns: buttons.map((b) => ({ tag: 'column', width: 'auto', elements: [button(b, formSubmit)] })),
  };
}

function input(i: InputView): El {
  const common = { name: i.name, required: i.required, ...(i.placeholder ? { placeholder: plain(i.placeholder) } : {}) };
  const label = plain(i.label);
  switch (i.type) {
    case 'select':
      return { tag: 'select_static', ...common, ...(i.value ? { initial_option: i.value } : {}), options: (i.options ?? []).map((o) => ({ text: plain(o.label), value: o.value })) };
    case 'user':
      return { tag: 'select_person', ...common, ...(i.value ? { initial_option: i.value } : {}) };
    case 'date':
      return { tag: 'date_picker', ...common, ...(i.value ? { initial_date: i.value } : {}) };
    case 'textarea':
      return { tag: 'input', ...common, label, input_type: 'multiline_text', ...(i.value ? { default_value: i.value } : {}) };
    default:
      // text, number, money, month: free text, validated server-side by the form filler.
      return { tag: 'input', ...common, label, ...(i.value ? { default_value: i.value } : {}) };
  }
}

function labelled(i: InputView, el: El): El[] {
  // input carries its own label; selects and pickers get a markdown caption.
  return el['tag'] === 'input' ? [el] : [{ tag: 'markdown', content: `**${escapeMarkdown(i.label)}**${i.required ? ' *' : ''}` }, el];
}

function block(b: CardBlock): El[] {
  switch (b.type) {
    case 'text': return [{ tag: 'markdown', content: escapeMarkdown(b.text) }];
    case 'note': return [{ tag: 'markdown', content: escapeMarkdown(b.text), text_size: 'notation' }];
    case 'divider': return [{ tag: 'hr' }];
    case 'fields':
      return [{ tag: 'markdown', content: b.fields.map((f) => `**${escapeMarkdown(f.label)}**: ${escapeMarkdown(f.value)}`).join('\n') }];
    case 'timeline':
      return [{ tag: 'markdown', content: b.items.map((t) => `${TIMELINE_MARK[t.status]} ${escapeMarkdown(t.label)}${t.detail ? ` · ${escapeMarkdown(t.detail)}` : ''}`).join('\n') }];
    case 'actions': return b.buttons.length ? [buttonRow(b.buttons, false)] : [];
    case 'form':
      return [{
        tag: 'form',
        name: b.formId,
        elements: [...b.inputs.flatMap((i) => labelled(i, input(i))), ...(b.buttons.length ? [buttonRow(b.buttons, true)] : [])],
      }];
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
    body: { direction: 'vertical', elements: card.blocks.flatMap(block) },
  };
}
