/**
 * The neutral card model. Builders in `cards/` produce it from domain state; each platform renders it
 * (`platforms/<p>/render-card.ts`). Buttons carry an `actionId` (unique in the card) and a `value`
 * the server trusts only from the stored card or the platform's signed callback, never from a client.
 */
export type CardTone = 'blue' | 'green' | 'red' | 'orange' | 'grey' | 'purple';

export interface CardView {
  title: string;
  tone: CardTone;
  /** Small text under the title, e.g. the request number. */
  subtitle?: string;
  blocks: CardBlock[];
  /** Stable semantic id of what the card shows ("request:<id>:approver:<user>"), for logs and tests. */
  key?: string;
}

export type CardBlock =
  | { type: 'text'; text: string }
  | { type: 'fields'; fields: { label: string; value: string }[] }
  | { type: 'form'; formId: string; inputs: InputView[]; buttons: ButtonView[] }
  | { type: 'actions'; buttons: ButtonView[] }
  | { type: 'timeline'; items: TimelineItem[] }
  | { type: 'note'; text: string }
  /** A link out of the chat (an ERP document's page). Renderers show only http(s) URLs (`webUrl`), else the label alone. */
  | { type: 'link'; label: string; url: string }
  | { type: 'divider' };

/** `url` when it is an absolute http(s) URL (normalized), else undefined: a card never links to another scheme. */
export function webUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export type ButtonStyle = 'primary' | 'danger' | 'default';

export interface ButtonView {
  actionId: string;
  label: string;
  style: ButtonStyle;
  /** Opaque routing data for the action (request id, task id, …). Strings only: every platform carries strings. */
  value: Record<string, string>;
  /** Ask "are you sure?" before sending. */
  confirm?: { title: string; text: string };
  /**
   * In a form block: `false` for a button that does not send the form (cancel, remind, withdraw). Platforms
   * whose client checks required fields before a submit (Feishu) must not make such a button a submit: an
   * emptied required field would block it. Default: a form's buttons send the form.
   */
  sendsForm?: boolean;
}

export type InputType = 'text' | 'textarea' | 'number' | 'money' | 'date' | 'month' | 'select' | 'user';

export interface InputView {
  name: string;
  label: string;
  type: InputType;
  value?: string;
  required: boolean;
  placeholder?: string;
  /**
   * Choices. For a `user` input, `value` is the directory id and `externalId` the person's id on the platform the
   * card is rendered for (Feishu's person picker offers open_ids only); people without one are left out there.
   */
  options?: { value: string; label: string; externalId?: string }[];
}

export type TimelineStatus = 'done' | 'current' | 'pending' | 'rejected' | 'skipped';

export interface TimelineItem {
  label: string;
  status: TimelineStatus;
  /** Who and when, e.g. "李四 · 2026-11-23 10:05". */
  detail?: string;
}
