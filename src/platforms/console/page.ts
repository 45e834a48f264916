import type { Locale } from '../../core/locale.ts';
import { t, type PlainKey } from '../../i18n/catalog.ts';
import { escapeHtml, scriptJson } from '../../http/html-escape.ts';
import { PAGE_SCRIPT } from './page-script.ts';

/**
 * The web chat console: signed in, it acts as that person; in demo mode it offers a user picker; otherwise it shows
 * the sign-in links. Chat, click card buttons. Plain HTML + JS, no build step. Its own words are in the console
 * bot's language (cards and replies speak each chat's own). Returns the page for a response's CSP nonce: the inline
 * <style> and <script> carry it, and nothing else on the page can run (src/http/security-headers.ts).
 */
export function consolePage(locale: Locale): (nonce: string) => string {
  const text = (key: PlainKey): string => escapeHtml(t(locale, key));
  const texts = {
    usersFailed: t(locale, 'console.page.usersFailed', { status: '{status}' }),
    sessionFailed: t(locale, 'console.page.sessionFailed', { status: '{status}' }),
    signedInAs: t(locale, 'console.page.signedInAs', { name: '{name}' }),
    signInWith: t(locale, 'console.page.signInWith', { platform: '{platform}' }),
    demo: t(locale, 'console.page.demo'),
    noSignIn: t(locale, 'console.page.noSignIn'),
    platforms: { feishu: t(locale, 'signIn.platform.feishu'), dingtalk: t(locale, 'signIn.platform.dingtalk') },
  };
  const parts = html(locale, text).split('{nonce}');
  const script = `const T = ${scriptJson(texts)};\n${PAGE_SCRIPT}`;
  return (nonce) => parts.join(escapeHtml(nonce)).replace('{script}', () => script);
}

function html(locale: Locale, text: (key: PlainKey) => string): string {
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${text('console.page.title')}</title>
<style nonce="{nonce}">
[hidden]{display:none!important}
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f3f4f6;color:#111}
header{display:flex;gap:12px;align-items:center;padding:10px 16px;background:#1f2937;color:#fff}
header select{font-size:14px;padding:4px}
#feed{max-width:760px;margin:0 auto;padding:16px 16px 96px;display:flex;flex-direction:column;gap:10px}
.msg{max-width:85%}.msg.me{align-self:flex-end;background:#2563eb;color:#fff;padding:8px 12px;border-radius:12px}
.msg.bot-text{background:#fff;padding:8px 12px;border-radius:12px;box-shadow:0 1px 2px #0002}
.card{background:#fff;border-radius:10px;box-shadow:0 1px 3px #0003;overflow:hidden;min-width:360px}
.card-head{padding:10px 14px;color:#fff}.card-title{font-weight:600}.card-sub{font-size:12px;opacity:.9}
.tone-blue{background:#2563eb}.tone-green{background:#16a34a}.tone-red{background:#dc2626}.tone-orange{background:#ea580c}.tone-grey{background:#6b7280}.tone-purple{background:#7c3aed}
.card-body{padding:10px 14px;display:flex;flex-direction:column;gap:8px}
.fields{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:0}.fields dt{color:#6b7280}.fields dd{margin:0}
.note{background:#fef3c7;padding:6px 8px;border-radius:6px;margin:0}.text{margin:0}
.timeline{margin:0;padding-left:18px}.timeline li{margin:2px 0}.tl-detail{display:block;font-size:12px;color:#6b7280}
.tl-done::marker{color:#16a34a}.tl-current{font-weight:600}.tl-rejected{color:#dc2626}.tl-pending,.tl-skipped{color:#9ca3af}
.card-form{display:flex;flex-direction:column;gap:6px}.card-form label{display:flex;flex-direction:column;font-size:13px;gap:2px}
.card-form input,.card-form select,.card-form textarea{font-size:14px;padding:5px;border:1px solid #d1d5db;border-radius:6px}
.actions{display:flex;gap:8px;flex-wrap:wrap}.btn{border:0;border-radius:6px;padding:6px 14px;cursor:pointer;font-size:14px}
.btn-primary{background:#2563eb;color:#fff}.btn-danger{background:#dc2626;color:#fff}.btn-default{background:#e5e7eb}
footer{position:fixed;bottom:0;left:0;right:0;background:#fff;border-top:1px solid #e5e7eb;padding:10px}
footer form{max-width:760px;margin:0 auto;display:flex;gap:8px}footer input{flex:1;font-size:15px;padding:8px}
#toast{position:fixed;top:56px;right:16px;padding:8px 14px;border-radius:8px;background:#111;color:#fff}
#signin{max-width:760px;margin:40px auto;padding:16px;background:#fff;border-radius:10px;display:flex;flex-direction:column;gap:12px}
#signin-links{display:flex;gap:8px;flex-wrap:wrap}#signin a{text-decoration:none}
</style></head><body>
<header><b>${text('console.page.brand')}</b><span id="who"></span><label id="picker" hidden>${text('console.page.user')} <select id="user"></select></label></header>
<section id="signin" hidden><p id="signin-text">${text('console.page.signInPrompt')}</p><div id="signin-links"></div></section>
<div id="feed"></div><div id="toast" hidden></div>
<footer id="footer" hidden><form id="composer"><input id="text" autocomplete="off" placeholder="${text('console.page.placeholder')}"><button class="btn btn-primary">${text('console.page.send')}</button></form></footer>
<script nonce="{nonce}">{script}</script></body></html>`;
}
