import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { FieldDefinition, IntentDefinition } from '../config/intent-schema.ts';
import type { Command } from './commands.ts';
import type { Classification } from './classifier/intent-classifier.ts';
import { parseCorrection } from './correction-parser.ts';
import { findNamedField } from './field-aliases.ts';
import { coerceFieldValue } from './field-coercion.ts';
import { resolveFreshTurn } from './fresh-turn.ts';
import type { DialogSnapshot, Resolution, ResolveContext } from './resolver.ts';
import { extractSlots } from './slot-extractor.ts';
import type { TextFindings } from './text-findings.ts';
import { isCancelReply, isConfirmReply } from './turn-cues.ts';

/**
 * A message while a form is open: cancel, confirm, a correction ("金额改成3000"), a clearly
 * different request (switch), or an answer that fills the awaited field and any other slot found.
 */
const START_CUE = /我要|我想|帮我|申请|提交|发起|新建|另外|还要|换成|改成申请|\bi (?:want|need) to\b|\bnew\b|\bsubmit\b|\bstart\b|\binstead\b/i;
const ANSWER_NOISE = /^(?:是|为|就是|大概|大约|约|应该是|去的是|在|到)\s*|\s*(?:吧|啊|呀|哦|的|了)?[。.!！]?$/g;

/** Free-text fields whose answer is the whole reply, not a name picked out of it. */
const DESCRIPTIVE = /purpose|description|reason|remark|note|comment|memo/;

function one(field: string, value: Commandable): Command[] {
  return [{ type: 'set_field', field, value }];
}
type Commandable = Extract<Command, { type: 'set_field' }>['value'];

function fieldOnly(intent: IntentDefinition, field: FieldDefinition): IntentDefinition {
  return { ...intent, fields: [field] };
}

function valueFor(intent: IntentDefinition, field: FieldDefinition, raw: string, ctx: ResolveContext, findings: TextFindings | null): Commandable | null {
  const coerced = coerceFieldValue(field, raw.replace(ANSWER_NOISE, '').trim() || raw, ctx);
  const typed = field.type !== 'text' && field.type !== 'textarea';
  if ((typed || DESCRIPTIVE.test(field.name) || field.type === 'textarea') && coerced.ok) return coerced.value;
  const extracted = findings ? extractSlots(fieldOnly(intent, field), findings)[field.name] : undefined;
  if (extracted !== undefined) return extracted;
  // A reply of digits alone that the field refuses ("1,2,3" for an amount): handed on as typed, so the form says why.
  if (!coerced.ok && (field.type === 'money' || field.type === 'number') && /^[\d,，.\s]+$/.test(raw.trim())) return raw.trim();
  return coerced.ok ? coerced.value : null;
}

function correction(intent: IntentDefinition, dialog: DialogSnapshot, text: string, ctx: ResolveContext): Command[] | null {
  const c = parseCorrection(text);
  if (!c) return null;
  const named = findNamedField(intent, c.fieldPhrase);
  const candidates = named ? [named] : intent.fields.filter((f) => f.name === dialog.awaiting || f.type !== 'text');
  for (const field of candidates) {
    const coerced = coerceFieldValue(field, c.value.replace(ANSWER_NOISE, '').trim() || c.value, ctx);
    if (coerced.ok) return one(field.name, coerced.value);
  }
  return null;
}

export function resolveActiveFormTurn(
  text: string, ctx: ResolveContext & { dialog: DialogSnapshot }, c: Classification, findings: TextFindings, catalog: IntentCatalog,
): Resolution {
  const done = (commands: Command[], confidence: number): Resolution => ({ commands, confidence, source: 'offline' });
  if (c.kind === 'blocked') return done([{ type: 'none' }], 1);
  if (isCancelReply(text)) return done([{ type: 'cancel' }], 0.95);
  if (isConfirmReply(text)) return done([{ type: 'confirm' }], 0.95);
  const intent = catalog.get(ctx.dialog.intent);
  if (!intent) return resolveFreshTurn(c, findings, catalog);
  const fixed = correction(intent, ctx.dialog, text, ctx);
  if (fixed) return done(fixed, 0.9);
  if (c.kind === 'status' || c.kind === 'help') return resolveFreshTurn(c, findings, catalog);
  const top = c.ranked[0];
  const awaitingText = intent.fields.find((f) => f.name === ctx.dialog.awaiting && (f.type === 'text' || f.type === 'textarea'));
  const switching = c.kind === 'form' && c.intent !== intent.key && (top?.keywordHits ?? 0) >= 1 && c.confidence >= 0.6
    && (!awaitingText || START_CUE.test(text));
  if (switching) return resolveFreshTurn(c, findings, catalog);
  const slots = extractSlots(intent, findings);
  const awaiting = intent.fields.find((f) => f.name === ctx.dialog.awaiting);
  if (awaiting && !answersSomethingElse(awaiting, text, slots, c, intent)) {
    const value = valueFor(intent, awaiting, text, ctx, findings);
    if (value !== null) slots[awaiting.name] = value;
  }
  const commands = Object.entries(slots).map(([field, value]): Command => ({ type: 'set_field', field, value }));
  return commands.length ? done(commands, awaiting && awaiting.name in slots ? 0.85 : 0.7) : done([{ type: 'none' }], 0.2);
}

/** Field names, units and glue words that carry no description of their own. */
const NOT_A_DESCRIPTION = /[\d.,，。、!！?？:：\s]|元|块|万|千|百|k\b|年|月|日|号|是|的|了|吧|去|到|在|为|改成|改为|金额|日期|时间|地点|目的地|数量|供应商|仓库/gi;

/**
 * While a free-text field (purpose, description…) is awaited, the whole reply usually is its value, but
 * not when the reply only gives other fields ("金额是6560", "去的是深圳") or restates the request
 * ("我要报销差旅费"): then the awaited field stays open and is asked again.
 */
function answersSomethingElse(awaiting: FieldDefinition, text: string, slots: Record<string, unknown>, c: Classification, intent: IntentDefinition): boolean {
  const descriptive = awaiting.type === 'textarea' || (awaiting.type === 'text' && DESCRIPTIVE.test(awaiting.name));
  if (!descriptive) return false;
  if (c.kind === 'form' && c.intent === intent.key && START_CUE.test(text)) return true;
  const others = Object.entries(slots).filter(([k]) => k !== awaiting.name);
  if (others.length === 0) return false;
  let rest = text;
  for (const [, v] of others) if (typeof v === 'string' || typeof v === 'number') rest = rest.split(String(v)).join('');
  return rest.replace(NOT_A_DESCRIPTION, '').length < 2;
}
