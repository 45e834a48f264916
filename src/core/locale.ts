export type Locale = 'zh' | 'en';

/**
 * The language a message is written in, or null when it carries none: a slash command, a number
 * ("3000"), a date, a single letter. Any Han character means Chinese; two Latin letters mean English.
 */
export function writtenLocale(text: string): Locale | null {
  if (text.trimStart().startsWith('/')) return null; // slash commands are not a language choice
  const cjk = (text.match(/[\u4e00-\u9fff]/g) ?? []).length;
  const latin = (text.match(/[A-Za-z]/g) ?? []).length;
  if (cjk > 0) return 'zh';
  return latin >= 2 ? 'en' : null;
}
