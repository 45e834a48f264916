import type { Localized } from '../config/intent-schema.ts';
import type { Locale } from '../core/locale.ts';

/** Picks the text for a locale. Card and message texts are written as { zh, en } pairs next to their use. */
export function t(locale: Locale, text: Localized): string {
  return text[locale];
}
