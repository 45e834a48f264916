import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { FieldDefinition, IntentDefinition, Localized } from '../config/intent-schema.ts';
import { formatLocalDate, formatMonth, localDateOf } from '../core/time-zone.ts';
import type { Command, FieldValue } from './commands.ts';
import type { DialogState } from './dialog-state.ts';
import { draftProblems, pairProblems } from './draft-checks.ts';
import { coerceFieldValue } from './field-coercion.ts';
import { resolveMasterValue, type MasterChoices } from './master-fields.ts';
import { localized, type ArgsOf, type ParamsOf } from '../i18n/catalog.ts';

/** What the dialog should say or do after a turn; the conversation service turns these into outbox jobs. */
export type Reply =
  | { type: 'text'; text: Localized }
  | { type: 'confirm_card' }
  | { type: 'help_card' }
  | { type: 'status_card'; filters: NonNullable<Extract<Command, { type: 'status_query' }>['filters']> };

export interface FillResult {
  state: DialogState | null;
  replies: Reply[];
  /** The draft is complete and the user confirmed: create (or resubmit) the request. */
  submit: boolean;
  /** The draft this turn left behind (cancelled, or replaced by another intent): its confirmation card is closed. */
  dropped?: DialogState;
  /** A confirm refused because of the draft's values (draft-checks.ts): these texts are also among `replies`. */
  refused?: Localized[];
}

export interface FillContext {
  catalog: IntentCatalog;
  /** Versions the catalog entries are stored under (a new draft pins its intent's version). */
  versionOf: (intentKey: string) => number;
  newId: () => string;
  now: Date;
  timeZone: string;
  /** Records of the master-sourced fields this turn sets (loaded before the turn; master-fields.ts). */
  master?: MasterChoices;
}

/** Replies of a turn (src/i18n holds the texts); `named` ones take intent names. */
const T = {
  cancelled: localized('chat.cancelled'),
  nothingToCancel: localized('chat.nothingToCancel'),
  nothingToConfirm: localized('chat.nothingToConfirm'),
  notUnderstood: localized('chat.notUnderstood'),
  confirmHint: localized('chat.confirmHint'),
  started: 'chat.started',
  switched: 'chat.switched',
  nothingToCorrect: localized('chat.nothingToCorrect'),
  alreadyOpen: 'chat.alreadyOpen',
} as const;

type NamedKey = 'chat.started' | 'chat.switched' | 'chat.alreadyOpen';

/** A reply naming intents: "OK, starting a travel expense claim" (English names read in lower case mid-sentence). */
function named<K extends NamedKey>(key: K, names: Record<ParamsOf<K>, Localized>): Localized {
  const inSentence = Object.fromEntries(Object.entries<Localized>(names).map(([k, n]) => [k, { zh: n.zh, en: n.en.toLowerCase() }]));
  return localized(key, ...([inSentence] as ArgsOf<K>));
}

/**
 * One dialog turn, pure: applies the resolver's commands to the draft, validates values against the
 * intent's fields, and decides what to ask next. Unknown intents and fields are dropped, never trusted.
 */
export function fillForm(state: DialogState | null, commands: Command[], ctx: FillContext): FillResult {
  const turn: TurnInput = { state, commands, ctx };
  const t: TurnSoFar = { s: state, replies: [], submit: false, touched: false, started: false, retry: null, set: new Set(), refused: [] };
  for (const c of commands) {
    // A confirm in the same turn as edits sees them settled: a broken date pair is put back before it decides.
    if (c.type === 'confirm') refuseBrokenPairs(t, turn);
    applyCommand(t, c, turn);
  }
  refuseBrokenPairs(t, turn);
  const out = settle(t, turn);
  return t.refused.length ? { ...out, refused: t.refused } : out;
}

/** What a turn was given: the draft it started from, all its commands, the catalog and clock. */
interface TurnInput { state: DialogState | null; commands: Command[]; ctx: FillContext }

/** What a turn has done so far, as its commands apply one after the other. */
interface TurnSoFar {
  s: DialogState | null;
  replies: Reply[];
  submit: boolean;
  /** The draft changed, or was asked about: the next question (or the card) follows. */
  touched: boolean;
  /** A draft was opened where there was none: say so before its first question. */
  started: boolean;
  /** A value was refused: ask for this field again. */
  retry: string | null;
  /** Fields this turn set: a date pair they break is refused at the end of the turn (all edits of a card applied). */
  set: Set<string>;
  refused: Localized[];
}

function applyCommand(t: TurnSoFar, c: Command, turn: TurnInput): void {
  switch (c.type) {
    case 'cancel': return cancel(t);
    case 'help': return once(t, { type: 'help_card' });
    case 'status_query': return once(t, { type: 'status_card', filters: c.filters ?? {} });
    case 'start_intent': return startIntent(t, c.intent, turn);
    case 'set_field': return setField(t, c.field, c.value, turn.ctx);
    case 'confirm': return confirm(t, turn.ctx);
    case 'nothing_to_correct': return nothingToCorrect(t);
    case 'none':
    case 'clarify': return notUnderstood(t, turn.state);
  }
}

/** Adds a reply; a card of a kind already added is not added twice (texts always are). */
function once(t: TurnSoFar, r: Reply): void {
  if (!t.replies.some((x) => x.type === r.type && r.type !== 'text')) t.replies.push(r);
}

function cancel(t: TurnSoFar): void {
  once(t, { type: 'text', text: t.s ? T.cancelled : T.nothingToCancel });
  t.s = null;
  t.touched = false;
}

/** Opens a draft of the intent; the one open before (another intent) is put aside and said so. */
function startIntent(t: TurnSoFar, key: string, { state, commands, ctx }: TurnInput): void {
  const intent = ctx.catalog.get(key);
  if (!intent) return;
  if (intent.kind === 'query') { once(t, { type: 'status_card', filters: {} }); return; }
  if (t.s?.intent === intent.key) {
    // Asked again for the form that is open, with nothing new ("/new travel_expense", the menu button):
    // say so, and ask the next question (or show the card) again. With new values it just carries on.
    if (!commands.some((x) => x.type === 'set_field')) {
      t.replies.push({ type: 'text', text: named(T.alreadyOpen, { name: intent.name }) });
      t.touched = true;
    }
    return;
  }
  const old = t.s && ctx.catalog.get(t.s.intent);
  if (old) t.replies.push({ type: 'text', text: named(T.switched, { old: old.name, name: intent.name }) });
  t.started = !old;
  t.s = { id: ctx.newId(), intent: intent.key, intentVersion: ctx.versionOf(intent.key), fields: {}, awaiting: null, stage: 'collecting', cardVersion: 0,
    ...(state?.locale ? { locale: state.locale } : {}) };
  t.touched = true;
}

/** Sets a field of the open draft; a value the field refuses is said and asked for again. */
function setField(t: TurnSoFar, name: string, value: FieldValue, ctx: FillContext): void {
  const intent = t.s && ctx.catalog.get(t.s.intent);
  const field = intent?.fields.find((f) => f.name === name);
  if (!t.s || !field) return;
  const coerced = coerceFieldValue(field, value, ctx);
  const r = coerced.ok && field.source ? resolveMasterValue(field, coerced.value, ctx.master?.(t.s.intent, field.name)) : coerced;
  if (!r.ok) { t.replies.push({ type: 'text', text: r.message }); t.retry = field.name; return; }
  t.s = { ...t.s, fields: { ...t.s.fields, [field.name]: r.value } };
  t.set.add(field.name);
  t.touched = true;
}

/**
 * A date this turn set that lands before its `not_before` partner: the values this turn set in the pair go back to
 * what they were (the draft's other fields stay), both fields are named, and the one set is asked again.
 */
function refuseBrokenPairs(t: TurnSoFar, { state, ctx }: TurnInput): void {
  const draft = t.s;
  const intent = draft && ctx.catalog.get(draft.intent);
  if (!draft || !intent || t.set.size === 0) return;
  const before: Record<string, FieldValue> = state && state.id === draft.id ? state.fields : {};
  const fields: Record<string, FieldValue> = { ...draft.fields };
  for (const p of pairProblems(intent, draft.fields)) {
    const partner = intent.fields.find((f) => f.name === p.field)?.not_before ?? '';
    const involved = [p.field, partner].filter((n) => t.set.has(n));
    if (involved.length === 0) continue;
    for (const n of involved) {
      const old = before[n];
      if (old === undefined) delete fields[n];
      else fields[n] = old;
      t.set.delete(n);
    }
    t.replies.push({ type: 'text', text: p.message });
    t.retry = involved.at(-1) ?? p.field;
  }
  t.s = { ...draft, fields };
}

/** Submits when every required field (defaults included) is filled; otherwise the next question follows. */
function confirm(t: TurnSoFar, ctx: FillContext): void {
  if (!t.s) { once(t, { type: 'text', text: T.nothingToConfirm }); return; }
  const intent = ctx.catalog.get(t.s.intent);
  const fields: Record<string, FieldValue> = withDefaults(t.s, ctx).fields;
  // Values the draft may not go out with (past a maximum, before its partner date): said, and asked again.
  const problems = intent ? draftProblems(intent, fields, ctx) : [];
  if (problems.length) {
    for (const p of problems) { t.replies.push({ type: 'text', text: p.message }); t.refused.push(p.message); }
    t.retry = problems[0]?.field ?? null;
  } else if (missingRequired(intent, fields).length === 0) t.submit = true;
  t.touched = true;
}

function nothingToCorrect(t: TurnSoFar): void {
  if (!t.s) { once(t, { type: 'text', text: T.nothingToCorrect }); once(t, { type: 'status_card', filters: {} }); return; }
  once(t, { type: 'text', text: T.notUnderstood });
}

/** Nothing understood: the help card without a draft, a hint on a draft being confirmed, else the question again. */
function notUnderstood(t: TurnSoFar, state: DialogState | null): void {
  if (!t.s) { if (!t.replies.length) once(t, { type: 'help_card' }); return; }
  if (t.s.stage === 'confirming' && t.s.id === state?.id) { once(t, { type: 'text', text: T.confirmHint }); return; }
  once(t, { type: 'text', text: T.notUnderstood });
  t.touched = true;
}

/** The turn's result: the draft dropped (if any), and the next question or the card when the draft changed. */
function settle(t: TurnSoFar, { state, ctx }: TurnInput): FillResult {
  const { s, replies, submit } = t;
  const dropped = state && (!s || s.id !== state.id) ? { dropped: state } : {};
  if (!s || submit) return { state: s && withDefaults(s, ctx), replies, submit, ...dropped };
  if (t.retry) return { state: { ...s, awaiting: t.retry }, replies, submit, ...dropped };
  if (!t.touched) return { state: s, replies, submit, ...dropped };
  return { ...next(withDefaults(s, ctx), ctx, replies, t.started), ...dropped };
}

/** Ask for the first missing required field, or show the (editable) confirmation card. */
function next(s: DialogState, ctx: FillContext, replies: Reply[], started: boolean): FillResult {
  const intent = ctx.catalog.get(s.intent);
  if (!intent) return { state: null, replies, submit: false };
  if (started) replies.push({ type: 'text', text: named(T.started, { name: intent.name }) });
  const first = missingRequired(intent, s.fields)[0];
  if (first) {
    replies.push({ type: 'text', text: promptFor(first) });
    return { state: { ...s, awaiting: first.name, stage: 'collecting' }, replies, submit: false };
  }
  replies.push({ type: 'confirm_card' });
  return { state: { ...s, awaiting: null, stage: 'confirming', cardVersion: s.cardVersion + 1 }, replies, submit: false };
}

export function missingRequired(intent: IntentDefinition | undefined, fields: Record<string, FieldValue>): FieldDefinition[] {
  return (intent?.fields ?? []).filter((f) => f.required && (fields[f.name] === undefined || fields[f.name] === ''));
}

export function promptFor(f: FieldDefinition): Localized {
  return f.prompt ?? localized('chat.askField', { field: { zh: f.label.zh, en: f.label.en.toLowerCase() } });
}

/** Fills relative defaults (today, this_month) and literal ones for fields still empty. */
export function withDefaults(s: DialogState, ctx: { catalog: IntentCatalog; now: Date; timeZone: string }): DialogState {
  const intent = ctx.catalog.get(s.intent);
  if (!intent) return s;
  const fields = { ...s.fields };
  const today = localDateOf(ctx.now, ctx.timeZone);
  for (const f of intent.fields) {
    if (fields[f.name] !== undefined || f.default === undefined) continue;
    fields[f.name] = f.default === 'today' ? formatLocalDate(today) : f.default === 'this_month' ? formatMonth(today) : f.default;
  }
  return { ...s, fields };
}
