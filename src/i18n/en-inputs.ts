/**
 * Values a form refuses (src/conversation/field-coercion.ts, draft-checks.ts) and a value the database refused all
 * the same; in English, spread into en.ts. zh-inputs.ts has the same keys.
 */
export const enInputs = {
  'form.amountTooLarge': '{field} is too large: at most {max}',
  'form.numberTooLarge': '{field} is too large: at most {max}',
  'form.amountGroups': '{field}: "{value}" is not an amount I can read. Write it without commas (1234.50) or with commas every three digits (1,234.50)',
  'form.dateTooEarly': '{field} must be on or after {min}',
  'form.dateTooLate': '{field} must be on or before {max}',
  'form.notBefore': '{field} ({value}) is before {other} ({otherValue}); please correct one of them',
  'chat.valueRejected': 'I could not save that: a value in it is out of range or holds characters that cannot be stored. Your draft is unchanged; please check the amounts, dates and text, and try again.',
} as const;
