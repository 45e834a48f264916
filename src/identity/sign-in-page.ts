import type { Locale } from '../core/locale.ts';
import { escapeHtml } from '../http/html-escape.ts';
import { t } from '../i18n/catalog.ts';

/**
 * The page a sign-in that could not finish shows: one sentence in the bot's language, and a link to start again
 * (a path of ours). No script, nothing from the request but what is escaped.
 */
export function signInPage(locale: Locale, message: string, againHref?: string): string {
  const again = againHref ? `<p><a href="${escapeHtml(againHref)}">${escapeHtml(t(locale, 'signIn.again'))}</a></p>` : '';
  return [
    '<!doctype html>',
    `<html lang="${escapeHtml(t(locale, 'signIn.htmlLang'))}"><head><meta charset="utf-8">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(t(locale, 'signIn.title'))}</title></head>`,
    `<body><main><h1>${escapeHtml(t(locale, 'signIn.title'))}</h1><p role="alert">${escapeHtml(message)}</p>${again}</main></body></html>`,
  ].join('\n');
}
