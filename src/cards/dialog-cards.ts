import type { FieldDefinition, IntentDefinition } from '../config/intent-schema.ts';
import type { Locale } from '../core/locale.ts';
import { t, type Localized } from '../i18n/catalog.ts';
import { compareMoney, normalizeMoney } from '../core/money.ts';
import type { ResolvedStep } from '../workflow/approval-states.ts';
import type { CardBlock, CardView, InputType, InputView } from '../core/card-view.ts';
import { button } from './card-actions.ts';
import { separationNotes } from './route-separation.ts';
import { inputValue } from './format-value.ts';

/** What the confirmation card shows of a draft (the conversation's dialog state has more). */
export interface DraftView { id: string; fields: Record<string, unknown> }

const INPUT_TYPE: Record<FieldDefinition['type'], InputType> = {
  text: 'text', textarea: 'textarea', number: 'number', money: 'money', date: 'date', month: 'month',
  date_range: 'text', enum: 'select', user: 'user', attachment: 'text',
};

export interface ConfirmCardModel {
  state: DraftView;
  intent: IntentDefinition;
  /** Who will approve, if the route resolves for the current values. */
  route: { ok: true; steps: ResolvedStep[] } | { ok: false; message: string; localized: Localized };
  names: Map<string, string>;
  locale: Locale;
  /** Shown after a rejected form submit. */
  errors?: string[];
  /** After submit: the request number; the card then has no inputs left. */
  submittedAs?: string;
  cancelled?: boolean;
  /** The draft timed out (DIALOG_TTL_MS): the card closes, nothing was submitted. */
  expired?: boolean;
  /** Master-sourced fields (`source: { master }`) → the record names offered, the current value first; a select. */
  choices?: Record<string, string[]>;
}

/** The editable confirmation card: every field as an input, policy warnings, the route preview, Submit / Cancel. */
export function buildConfirmCard(m: ConfirmCardModel): CardView {
  const { intent, state, locale } = m;
  const key = `dialog:${state.id}`;
  const title = t(locale, 'card.dialog.title', { intent: intent.name });
  if (m.submittedAs || m.cancelled || m.expired) {
    const text = m.submittedAs ? t(locale, 'card.dialog.submittedAs', { number: m.submittedAs })
      : t(locale, m.expired ? 'card.dialog.expired' : 'card.dialog.cancelled');
    return { title, tone: m.submittedAs ? 'green' : 'grey', blocks: [{ type: 'note', text }], key };
  }
  const inputs: InputView[] = intent.fields.map((f) => {
    const value = inputValue(f, state.fields[f.name]);
    const records = m.choices?.[f.name];
    const options = f.options ? f.options.map((o) => ({ value: o.value, label: o.label[locale] }))
      : records?.length ? records.map((name) => ({ value: name, label: name })) : undefined;
    return {
      name: f.name, label: f.label[locale], type: records?.length ? 'select' : INPUT_TYPE[f.type], required: f.required,
      ...(value !== undefined ? { value } : {}),
      ...(options ? { options } : {}),
    };
  });
  const blocks: CardBlock[] = [];
  for (const e of m.errors ?? []) blocks.push({ type: 'note', text: `⚠ ${e}` });
  for (const w of policyWarnings(intent, state, locale)) blocks.push({ type: 'note', text: `⚠ ${w}` });
  blocks.push({ type: 'form', formId: key, inputs, buttons: [
    button({ op: 'dialog.submit', dialogId: state.id }, t(locale, 'card.dialog.submit'), 'primary'),
    button({ op: 'dialog.cancel', dialogId: state.id }, t(locale, 'card.dialog.cancel'), 'default', { sendsForm: false }),
  ] });
  blocks.push({ type: 'text', text: routePreview(m) });
  if (m.route.ok) for (const note of separationNotes(m.route.steps, m.names, locale)) blocks.push({ type: 'note', text: note });
  return { title, subtitle: t(locale, 'card.dialog.subtitle'), tone: 'orange', blocks, key };
}

function routePreview(m: ConfirmCardModel): string {
  if (!m.route.ok) return t(m.locale, 'card.dialog.routeProblem', { problem: m.route.localized });
  const steps = m.route.steps.filter((s) => s.approvers.length > 0)
    .map((s) => `${s.name[m.locale]}（${s.approvers.map((a) => m.names.get(a) ?? a).join(s.mode === 'all' ? ' + ' : ' / ')}）`);
  return t(m.locale, 'card.dialog.route', { steps: steps.join(' → ') || t(m.locale, 'card.dialog.noApproval') });
}

export function policyWarnings(intent: IntentDefinition, state: DraftView, locale: Locale): string[] {
  return intent.policies.filter((p) => {
    const v = state.fields[p.field];
    const m = typeof v === 'string' || typeof v === 'number' ? normalizeMoney(v) : null;
    return m !== null && compareMoney(m, String(p.warn_over)) > 0;
  }).map((p) => p.message[locale]);
}

/** What the bot can do: one button per form intent, plus a status query. */
export function buildHelpCard(intents: IntentDefinition[], locale: Locale): CardView {
  const forms = intents.filter((i) => i.kind === 'form');
  return {
    title: t(locale, 'card.help.title'), tone: 'blue', key: 'help',
    blocks: [
      { type: 'text', text: t(locale, 'card.help.text') },
      { type: 'actions', buttons: [
        ...forms.map((i) => button({ op: 'dialog.start', intent: i.key }, i.name[locale], 'default')),
        button({ op: 'status' }, t(locale, 'card.help.myRequests'), 'default'),
      ] },
    ],
  };
}
