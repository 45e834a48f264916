import type { FieldValue } from './commands.ts';
import type { Locale } from '../core/locale.ts';

/** A draft being filled in by one user. Lives in dialog_sessions until submitted, cancelled or expired. */
export interface DialogState {
  /** New per started form; the confirmation card's subject is `dialog:<id>`. */
  id: string;
  intent: string;
  intentVersion: number;
  fields: Record<string, FieldValue>;
  /** The field the bot asked for last; a bare answer fills it. */
  awaiting: string | null;
  stage: 'collecting' | 'confirming';
  /** Set when the user is editing a rejected/withdrawn request to resubmit it. */
  resubmitOf?: string;
  /** Bumped on each confirmation-card render so in-place updates apply in order. */
  cardVersion: number;
  /** The language the user writes in: card clicks and bare answers ("3000") keep replying in it. */
  locale?: Locale;
}

/** How long an idle draft survives. */
export const DIALOG_TTL_MS = 30 * 60 * 1000;
