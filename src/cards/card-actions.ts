import { z } from 'zod';
import type { ButtonStyle, ButtonView } from '../core/card-view.ts';

/**
 * What a button asks for: its op and the ids it acts on. The builders in this folder make every button with
 * `button()`, so the op and its fields are checked at compile time; the click dispatcher (src/actions/) parses a
 * click's value back into one of these (`parseCardAction`) and has one handler per op.
 */
const id = z.string().min(1);
const onTask = { requestId: id, taskId: id };
const onRequest = { requestId: id };
const cardActionSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('approve'), ...onTask }),
  z.object({ op: z.literal('reject'), ...onTask }),
  z.object({ op: z.literal('transfer'), ...onTask }),
  z.object({ op: z.literal('comment'), ...onRequest }),
  z.object({ op: z.literal('remind'), ...onRequest }),
  z.object({ op: z.literal('withdraw'), ...onRequest }),
  z.object({ op: z.literal('resubmit'), ...onRequest }),
  z.object({ op: z.literal('dialog.submit'), dialogId: id }),
  z.object({ op: z.literal('dialog.cancel'), dialogId: id }),
  z.object({ op: z.literal('dialog.start'), intent: id }),
  z.object({ op: z.literal('status') }),
  z.object({ op: z.literal('erp.post'), docId: id }),
  z.object({ op: z.literal('erp.pay'), docId: id }),
]);

export type CardAction = z.output<typeof cardActionSchema>;
export type CardOp = CardAction['op'];
export type CardActionOf<Op extends CardOp> = Extract<CardAction, { op: Op }>;

const CARD_OPS: ReadonlySet<string> = new Set(cardActionSchema.options.map((o) => o.shape.op.value));
const isCardOp = (s: string): s is CardOp => CARD_OPS.has(s);

/** Ops that act on the viewer's approval task (the click resolves which task from the card: card-action-origin.ts). */
export const TASK_OPS: ReadonlySet<CardOp> = new Set(['approve', 'reject', 'transfer']);

/** `start.<intent>` buttons of the help card start a form for that intent; every other button is named by its op. */
const START_PREFIX = 'start.';

export function actionIdOf(a: CardAction): string {
  return a.op === 'dialog.start' ? `${START_PREFIX}${a.intent}` : a.op;
}

/** A button for an action: named by actionIdOf, its value the action's fields (strings, as every platform carries). */
export function button(action: CardAction, label: string, style: ButtonStyle, more: Pick<ButtonView, 'confirm' | 'sendsForm'> = {}): ButtonView {
  return { actionId: actionIdOf(action), label, style, value: { ...action }, ...more };
}

export type ParsedCardAction = { ok: true; action: CardAction } | { ok: false; reason: 'unknown_op' | 'missing_fields'; error: string };

/** A click's value as a CardAction, or why it is not one: an unknown op, or a field the op needs is missing or empty. */
export function parseCardAction(value: Record<string, string>): ParsedCardAction {
  const op = value['op'];
  if (op === undefined || !isCardOp(op)) return { ok: false, reason: 'unknown_op', error: `unknown action ${op ?? '(none)'}` };
  const r = cardActionSchema.safeParse(value);
  if (r.success) return { ok: true, action: r.data };
  return { ok: false, reason: 'missing_fields', error: `action ${op} lacks ${r.error.issues.map((i) => i.path.join('.')).join(', ')}` };
}

/**
 * What a button asks for, from its actionId alone. A platform may hand back only the clicked component's name
 * (Feishu form submits: `name` + `form_value`), so the action must not depend on a value echoed by the client;
 * what it acts on comes from the card's subject (`cardSubject`).
 */
export function actionOf(actionId: string): { op: CardOp; intent?: string } | undefined {
  if (actionId.startsWith(START_PREFIX) && actionId.length > START_PREFIX.length) return { op: 'dialog.start', intent: actionId.slice(START_PREFIX.length) };
  return actionId !== 'dialog.start' && isCardOp(actionId) ? { op: actionId } : undefined;
}

/**
 * The subject a card is delivered under (card-delivery.ts), parsed: `request:<id>:<role>:<viewer>` (card.sync),
 * `dialog:<id>` (confirmation card), `erpdoc:<docId>:<user>` (sandbox operator card), `help:…` and `status:…`.
 */
export type CardSubject =
  | { kind: 'request'; requestId: string; role: string; viewer: string }
  | { kind: 'dialog'; dialogId: string }
  | { kind: 'erpdoc'; docId: string; user: string }
  | { kind: 'other' };

export function cardSubject(subject: string): CardSubject {
  const [kind, ...rest] = subject.split(':');
  if (kind === 'request' && rest.length >= 3) return { kind, requestId: rest[0] ?? '', role: rest[1] ?? '', viewer: rest.slice(2).join(':') };
  if (kind === 'dialog' && rest.length === 1) return { kind, dialogId: rest[0] ?? '' };
  if (kind === 'erpdoc' && rest.length >= 2) return { kind, docId: rest[0] ?? '', user: rest.slice(1).join(':') };
  return { kind: 'other' };
}
