/**
 * What a button asks for, from its actionId alone (the builders in this folder name them). A platform may
 * hand back only the clicked component's name (Feishu form submits: `name` + `form_value`), so the action must
 * not depend on a value echoed by the client; what it acts on comes from the card's subject (`cardSubject`).
 */
const PLAIN_ACTIONS = new Set([
  'approve', 'reject', 'transfer', 'comment', 'remind', 'withdraw', 'resubmit',
  'dialog.submit', 'dialog.cancel', 'status', 'erp.post', 'erp.pay',
]);

/** `start.<intent>` buttons of the help card start a form for that intent. */
const START_PREFIX = 'start.';

export function actionOf(actionId: string): { op: string; intent?: string } | undefined {
  if (actionId.startsWith(START_PREFIX) && actionId.length > START_PREFIX.length) return { op: 'dialog.start', intent: actionId.slice(START_PREFIX.length) };
  return PLAIN_ACTIONS.has(actionId) ? { op: actionId } : undefined;
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
