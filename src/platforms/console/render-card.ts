import { webUrl, type CardBlock, type CardView, type InputView } from '../../core/card-view.ts';
import { escapeHtml as esc } from '../../http/html-escape.ts';

/**
 * Neutral card → HTML for API clients that ask for it (`html=1`), every value through escapeHtml. The page itself
 * builds cards from the JSON with DOM calls (page-script.ts), so no server-made HTML reaches innerHTML. No inline
 * event handlers either: the page's Content-Security-Policy would block them.
 */
export function renderCardHtml(card: CardView): string {
  const head = `<div class="card-head tone-${esc(card.tone)}"><div class="card-title">${esc(card.title)}</div>${card.subtitle ? `<div class="card-sub">${esc(card.subtitle)}</div>` : ''}</div>`;
  return `<div class="card" data-key="${esc(card.key ?? '')}">${head}<div class="card-body">${card.blocks.map(block).join('')}</div></div>`;
}

function block(b: CardBlock): string {
  switch (b.type) {
    case 'text': return `<p class="text">${esc(b.text)}</p>`;
    case 'note': return `<p class="note">${esc(b.text)}</p>`;
    case 'divider': return '<hr>';
    case 'link': {
      const url = webUrl(b.url);
      // A new tab without access back to the console (rel noopener); anything but http(s) is shown as text.
      return url ? `<p class="link"><a href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(b.label)}</a></p>` : `<p class="link">${esc(b.label)}</p>`;
    }
    case 'fields': return `<dl class="fields">${b.fields.map((f) => `<dt>${esc(f.label)}</dt><dd>${esc(f.value)}</dd>`).join('')}</dl>`;
    case 'timeline': return `<ol class="timeline">${b.items.map((i) => `<li class="tl-${esc(i.status)}"><span class="tl-label">${esc(i.label)}</span>${i.detail ? `<span class="tl-detail">${esc(i.detail)}</span>` : ''}</li>`).join('')}</ol>`;
    case 'actions': return `<div class="actions">${b.buttons.map(button).join('')}</div>`;
    case 'form': return `<form class="card-form">${b.inputs.map(input).join('')}<div class="actions">${b.buttons.map(button).join('')}</div></form>`;
  }
}

function button(b: { actionId: string; label: string; style: string; confirm?: { title: string; text: string } }): string {
  const confirm = b.confirm ? ` data-confirm="${esc(`${b.confirm.title} ${b.confirm.text}`)}"` : '';
  return `<button type="button" class="btn btn-${esc(b.style)}" data-action="${esc(b.actionId)}"${confirm}>${esc(b.label)}</button>`;
}

function input(i: InputView): string {
  const req = i.required ? ' required' : '';
  const label = `<span>${esc(i.label)}${i.required ? ' *' : ''}</span>`;
  const value = i.value ?? '';
  if (i.type === 'select' || (i.type === 'user' && i.options)) {
    const opts = [`<option value=""></option>`, ...(i.options ?? []).map((o) => `<option value="${esc(o.value)}"${o.value === value ? ' selected' : ''}>${esc(o.label)}</option>`)];
    return `<label>${label}<select name="${esc(i.name)}"${req}>${opts.join('')}</select></label>`;
  }
  if (i.type === 'textarea') return `<label>${label}<textarea name="${esc(i.name)}"${req}>${esc(value)}</textarea></label>`;
  const type = i.type === 'date' ? 'date' : i.type === 'month' ? 'month' : 'text';
  return `<label>${label}<input name="${esc(i.name)}" type="${type}" value="${esc(value)}"${req}${i.type === 'money' || i.type === 'number' ? ' inputmode="decimal"' : ''}></label>`;
}
