import type { Locale } from '../conversation/resolver.ts';

/** Replies follow the language the user writes in; the bot's locale decides for mixed or empty text. */
export function detectLocale(text: string, fallback: Locale): Locale {
  if (text.trimStart().startsWith('/')) return fallback; // slash commands are not a language choice
  const cjk = (text.match(/[\u4e00-\u9fff]/g) ?? []).length;
  const latin = (text.match(/[A-Za-z]/g) ?? []).length;
  if (cjk > 0) return 'zh';
  return latin >= 2 ? 'en' : fallback;
}
