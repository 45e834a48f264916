import { localized } from '../i18n/catalog.ts';
import type { Command, FieldValue } from './commands.ts';
import type { DialogState } from './dialog-state.ts';
import { fillForm, withDefaults, type FillContext, type FillResult } from './form-filler.ts';
import { isCancelReply, isConfirmReply } from './turn-cues.ts';

/**
 * Who decides that a chat turn submits: the person, never a resolver. A resolver (the LLM above all, which a
 * cleverly worded message can talk into anything) only proposes; a `confirm` it proposes is acted on when
 *  - the person's own text is a confirm reply the offline rules recognise ("确认", "ok submit"), the same
 *    recogniser the offline resolver uses, in both languages; and
 *  - the turn leaves the draft exactly as the person last saw it: a value changed (or a new draft opened) in
 *    the same turn is shown on the refreshed card first, and only a later confirm submits it.
 * Otherwise the confirm is dropped and the rest of the turn (field changes) applies as usual. Slash commands
 * and card buttons are the person's explicit acts and do not come through here.
 */
export type HeldReason = 'not_a_confirm_reply' | 'draft_changed_in_same_turn';

export interface ChatTurnFill {
  fill: FillResult;
  /** Set when a proposed confirm was not acted on: why, and the draft's fields the turn changed. */
  held?: { reason: HeldReason; changed: string[] };
}

const REVIEW = localized('chat.reviewChanges');

/** The person's words are a confirm (and not a cancel) by the offline rules. */
export function isPersonConfirm(text: string): boolean {
  const t = text.trim();
  return isConfirmReply(t) && !isCancelReply(t);
}

/** Applies a chat turn's resolved commands to the draft, acting on a `confirm` among them only as described above. */
export function fillChatTurn(text: string, state: DialogState | null, commands: Command[], ctx: FillContext): ChatTurnFill {
  if (!commands.some((c) => c.type === 'confirm')) return { fill: fillForm(state, commands, ctx) };
  if (!isPersonConfirm(text)) return hold(state, commands, ctx, 'not_a_confirm_reply');
  const fill = fillForm(state, commands, ctx);
  if (!fill.submit || changedFields(state, fill.state, ctx).length === 0) return { fill };
  return hold(state, commands, ctx, 'draft_changed_in_same_turn');
}

/** The turn without its confirm. With nothing else left, "not understood" answers (on a card: how to submit). */
function hold(state: DialogState | null, commands: Command[], ctx: FillContext, reason: HeldReason): ChatTurnFill {
  const rest = commands.filter((c) => c.type !== 'confirm');
  const fill = fillForm(state, rest.length ? rest : [{ type: 'none' }], ctx);
  const changed = changedFields(state, fill.state, ctx);
  // The draft changed under a confirm the turn did not get to act on: say why nothing was sent, next to the card.
  if (changed.length && fill.replies.some((r) => r.type === 'confirm_card')) fill.replies.push({ type: 'text', text: REVIEW });
  return { fill, held: { reason, changed } };
}

/** The draft's fields whose value differs after the turn (every field when another draft took its place). */
export function changedFields(before: DialogState | null, after: DialogState | null, ctx: FillContext): string[] {
  if (!after) return [];
  const was = before && before.id === after.id && before.intent === after.intent ? withDefaults(before, ctx).fields : {};
  const names = new Set([...Object.keys(was), ...Object.keys(after.fields)]);
  return [...names].filter((n) => !sameValue(was[n], after.fields[n])).sort();
}

function sameValue(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (typeof a === 'object' && typeof b === 'object') return a.start === b.start && a.end === b.end;
  return a === b;
}
