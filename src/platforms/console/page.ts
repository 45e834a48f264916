import type { Locale } from '../../core/locale.ts';
import { t, type PlainKey } from '../../i18n/catalog.ts';

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The web chat console: pick a demo user, chat, click card buttons. Plain HTML + JS, no build step. Its own
 * words are in the console bot's language (cards and replies speak each chat's own).
 */
export function consolePage(locale: Locale): string {
  const text = (key: PlainKey): string => escapeHtml(t(locale, key));
  // Texts the script shows, as a JS object literal ("<" escaped so no text can close the script element).
  const scriptTexts = JSON.stringify({ tokenPrompt: t(locale, 'console.page.tokenPrompt'), usersFailed: t(locale, 'console.page.usersFailed', { status: '{status}' }) }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${text('console.page.title')}</title>
<style>
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
#toast{position:fixed;top:56px;right:16px;padding:8px 14px;border-radius:8px;background:#111;color:#fff;display:none}
</style></head><body>
<header><b>${text('console.page.brand')}</b><label>${text('console.page.user')} <select id="user"></select></label><span id="status"></span></header>
<div id="feed"></div><div id="toast"></div>
<footer><form id="composer"><input id="text" autocomplete="off" placeholder="${text('console.page.placeholder')}"><button class="btn btn-primary">${text('console.page.send')}</button></form></footer>
<script>
const T = ${scriptTexts};
const $ = (s) => document.querySelector(s);
let user = new URLSearchParams(location.search).get('user') || '';
let cursor = 0, generation = 0;
const els = new Map();
// With CONSOLE_TOKEN set on the server, the API wants a bearer token: asked for once, kept for the tab.
async function api(path, init){
  const send = () => { const t = sessionStorage.getItem('consoleToken'); return fetch(path, t ? {...init, headers:{...(init&&init.headers), authorization:'Bearer '+t}} : init); };
  let r = await send();
  if(r.status===401 && !declined){ const t = prompt(T.tokenPrompt); if(t){ sessionStorage.setItem('consoleToken', t.trim()); r = await send(); } else declined = true; }
  return r;
}
let declined = false;
function toast(t){ if(!t) return; const el=$('#toast'); el.textContent=t.text; el.style.display='block'; el.dataset.type=t.type; clearTimeout(el._t); el._t=setTimeout(()=>el.style.display='none',3000); }
function show(m){
  let el = els.get(m.id);
  if(!el){ el=document.createElement('div'); el.dataset.id=m.id; els.set(m.id, el); $('#feed').appendChild(el); }
  el.dataset.revision = m.revision;
  if(m.kind==='text'){ el.className='msg bot-text'; el.textContent=m.text; }
  else { el.className='msg bot-card'; el.innerHTML=m.html; }
  window.scrollTo(0, document.body.scrollHeight);
}
async function poll(gen){
  while(gen===generation){
    try{
      const r = await api('/console/api/inbox?user='+encodeURIComponent(user)+'&after='+cursor+'&waitMs=20000&html=1');
      if(gen!==generation) return;
      if(!r.ok){ await new Promise(r=>setTimeout(r,1000)); continue; }
      const body = await r.json(); cursor = body.cursor; body.messages.forEach(show);
    }catch(e){ await new Promise(r=>setTimeout(r,1000)); }
  }
}
function switchUser(u){ user=u; cursor=0; els.clear(); $('#feed').innerHTML=''; generation++; history.replaceState(null,'','?user='+encodeURIComponent(u)); poll(generation); }
async function loadUsers(){
  const r = await api('/console/api/users');
  if(!r.ok){ toast({type:'error',text:T.usersFailed.replace('{status}', r.status)}); return; }
  const { users } = await r.json();
  const sel = $('#user'); sel.innerHTML = users.map(u=>'<option value="'+u.id+'">'+u.name+' ('+u.id+')</option>').join('');
  if(!user || !users.some(u=>u.id===user)) user = users[0] ? users[0].id : '';
  sel.value = user; sel.onchange = () => switchUser(sel.value); switchUser(user);
}
$('#composer').onsubmit = async (e) => {
  e.preventDefault(); const text=$('#text').value.trim(); if(!text) return; $('#text').value='';
  const me=document.createElement('div'); me.className='msg me'; me.textContent=text; $('#feed').appendChild(me);
  const r = await api('/console/api/messages',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({user,text})});
  if(!r.ok){ const b=await r.json(); toast({type:'error',text:b.error.message}); }
};
document.addEventListener('click', async (e) => {
  const btn = e.target.closest('button[data-action]'); if(!btn) return;
  if(btn.dataset.confirm && !confirm(btn.dataset.confirm)) return;
  const msg = btn.closest('[data-id]'); const formEl = btn.closest('form'); const form = {};
  if(formEl) for (const el of formEl.elements) if(el.name) form[el.name]=el.value;
  btn.disabled = true;
  try{
    const r = await api('/console/api/actions',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({user,messageId:msg.dataset.id,revision:Number(msg.dataset.revision),actionId:btn.dataset.action,form})});
    const b = await r.json(); toast(b.toast || (b.error && {type:'error',text:b.error.message}));
  } finally { btn.disabled = false; }
});
loadUsers();
</script></body></html>`;
}
