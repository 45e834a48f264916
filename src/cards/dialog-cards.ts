import type { FieldDefinition, IntentDefinition } from '../config/intent-schema.ts';
import type { Locale } from '../core/locale.ts';
import { compareMoney, normalizeMoney } from '../core/money.ts';
import type { ResolvedStep } from '../workflow/approval-states.ts';
import type { CardBlock, CardView, InputType, InputView } from '../core/card-view.ts';
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
  route: { ok: true; steps: ResolvedStep[] } | { ok: false; message: string; localized: { zh: string; en: string } };
  names: Map<string, string>;
  locale: Locale;
  /** Shown after a rejected form submit. */
  errors?: string[];
  /** After submit: the request number; the card then has no inputs left. */
  submittedAs?: string;
  cancelled?: boolean;
  /** The draft timed out (DIALOG_TTL_MS): the card closes, nothing was submitted. */
  expired?: boolean;
}

/** The editable confirmation card: every field as an input, policy warnings, the route preview, Submit / Cancel. */
export function buildConfirmCard(m: ConfirmCardModel): CardView {
  const { intent, state, locale } = m;
  const zh = locale === 'zh';
  const key = `dialog:${state.id}`;
  const title = `${intent.name[locale]} · ${zh ? '确认' : 'confirm'}`;
  if (m.submittedAs || m.cancelled || m.expired) {
    const text = m.submittedAs ? (zh ? `已提交，单号 ${m.submittedAs}` : `Submitted as ${m.submittedAs}`)
      : m.expired ? (zh ? '草稿已过期，未提交' : 'Draft expired, not submitted') : (zh ? '已取消' : 'Cancelled');
    return { title, tone: m.submittedAs ? 'green' : 'grey', blocks: [{ type: 'note', text }], key };
  }
  const inputs: InputView[] = intent.fields.map((f) => {
    const value = inputValue(f, state.fields[f.name]);
    return {
      name: f.name, label: f.label[locale], type: INPUT_TYPE[f.type], required: f.required,
      ...(value !== undefined ? { value } : {}),
      ...(f.options ? { options: f.options.map((o) => ({ value: o.value, label: o.label[locale] })) } : {}),
    };
  });
  const blocks: CardBlock[] = [];
  for (const e of m.errors ?? []) blocks.push({ type: 'note', text: `⚠ ${e}` });
  for (const w of policyWarnings(intent, state, locale)) blocks.push({ type: 'note', text: `⚠ ${w}` });
  blocks.push({ type: 'form', formId: key, inputs, buttons: [
    { actionId: 'dialog.submit', label: zh ? '提交' : 'Submit', style: 'primary', value: { op: 'dialog.submit', dialogId: state.id } },
    { actionId: 'dialog.cancel', label: zh ? '取消' : 'Cancel', style: 'default', value: { op: 'dialog.cancel', dialogId: state.id }, sendsForm: false },
  ] });
  blocks.push({ type: 'text', text: routePreview(m) });
  return { title, subtitle: zh ? '请核对后提交，可直接修改' : 'Check, edit if needed, then submit', tone: 'orange', blocks, key };
}

function routePreview(m: ConfirmCardModel): string {
  const zh = m.locale === 'zh';
  if (!m.route.ok) return `${zh ? '审批流程' : 'Approval route'}: ⚠ ${m.route.localized[zh ? 'zh' : 'en']}`;
  const steps = m.route.steps.filter((s) => s.approvers.length > 0)
    .map((s) => `${s.name[m.locale]}（${s.approvers.map((a) => m.names.get(a) ?? a).join(s.mode === 'all' ? ' + ' : ' / ')}）`);
  return `${zh ? '审批流程' : 'Approval route'}: ${steps.join(' → ') || (zh ? '无需审批' : 'no approval needed')}`;
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
  const zh = locale === 'zh';
  const forms = intents.filter((i) => i.kind === 'form');
  return {
    title: zh ? '我可以帮你发起这些申请' : 'I can help you with these requests', tone: 'blue', key: 'help',
    blocks: [
      { type: 'text', text: zh ? '直接用一句话告诉我，例如“报销上个月去北京出差的费用 3560 元”，或点下面的按钮。'
        : 'Tell me in one sentence, e.g. "claim my Beijing trip last month, 3560 yuan", or tap a button.' },
      { type: 'actions', buttons: [
        ...forms.map((i) => ({ actionId: `start.${i.key}`, label: i.name[locale], style: 'default' as const, value: { op: 'dialog.start', intent: i.key } })),
        { actionId: 'status', label: zh ? '我的申请进度' : 'My requests', style: 'default', value: { op: 'status' } },
      ] },
    ],
  };
}
