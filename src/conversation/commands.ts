/**
 * The closed set of commands a resolver (offline or LLM) may propose for one user turn.
 * The dialog engine validates each against the intent catalog; nothing here can approve anything.
 */
export type Command =
  | { type: 'start_intent'; intent: string }
  /** `value` is already normalized for the field type (see FieldValue). */
  | { type: 'set_field'; field: string; value: FieldValue }
  | { type: 'confirm' }
  | { type: 'cancel' }
  | { type: 'clarify'; options: string[] }
  | { type: 'status_query'; filters?: { intent?: string; status?: 'open' | 'all'; about?: StatusAbout } }
  | { type: 'help' }
  /** A correction ("金额改成3000") with no draft open: nothing to apply it to. */
  | { type: 'nothing_to_correct' }
  | { type: 'none' };

/**
 * What a status question says about the request it means (status-about.ts): a request or ERP number,
 * an amount (decimal string), a day (YYYY-MM-DD), and the question itself, whose words may name a
 * counterparty or a destination. The answer is about the one request that fits, else a short list.
 */
export interface StatusAbout {
  number?: string;
  amount?: string;
  date?: string;
  text?: string;
}

/**
 * Normalized field values:
 * money → decimal string "3560.00"; number → number; date → "YYYY-MM-DD"; month → "YYYY-MM";
 * date_range → { start, end } (YYYY-MM-DD); enum → option value; text/textarea → string; user → user id;
 * attachment → string reference.
 */
export type FieldValue = string | number | { start: string; end: string };
