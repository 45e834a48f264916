/**
 * The console page's script (plain JS, no build step), run under the page's CSP with the response's nonce.
 * Every value from the server reaches the DOM through textContent, `.value`, dataset or a checked href, never
 * innerHTML, so a display name or a card field holding markup shows as the text it is. No token is kept in web
 * storage: who the page acts as comes from the HTTP-only session cookie, read back through GET <base>/api/session
 * ({ user, demo, csrf, signIn }); unsafe calls carry the session's CSRF token in x-csrf-token and JSON bodies.
 * `T` (the page's texts) is defined before this script by page.ts.
 */
export const PAGE_SCRIPT = String.raw`
const $ = (s) => document.querySelector(s);
// Each console bot's page talks to its own API: /console/api for the first bot, /console/<bot>/api for the others.
const BASE = location.pathname.replace(/\/+$/, '') + '/api';
let me = '', csrf = null, cursor = 0, generation = 0;
const els = new Map();
function api(path, init){
  init = init || {};
  const headers = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (csrf && init.method && init.method !== 'GET') headers['x-csrf-token'] = csrf;
  return fetch(BASE + path, { method: init.method || 'GET', body: init.body, headers, credentials: 'same-origin' });
}
const post = (path, body) => api(path, { method: 'POST', body: JSON.stringify(body) });
function h(tag, cls, text){ const el = document.createElement(tag); if (cls) el.className = cls; if (text != null) el.textContent = String(text); return el; }
const pick = (v, allowed, dflt) => (allowed.includes(v) ? v : dflt);
function toast(t){ if(!t) return; const el = $('#toast'); el.textContent = t.text; el.dataset.type = t.type; el.hidden = false; clearTimeout(el._t); el._t = setTimeout(() => { el.hidden = true; }, 3000); }
function fail(template, status){ toast({ type: 'error', text: template.replace('{status}', String(status)) }); }
function webUrl(u){ try { const x = new URL(u, location.href); return x.protocol === 'http:' || x.protocol === 'https:' ? x.href : null; } catch (e) { return null; } }

// Cards: the neutral card model (src/core/card-view.ts) built with DOM calls; class names only from fixed lists.
function renderCard(card){
  const root = h('div', 'card'); root.dataset.key = card.key || '';
  const head = h('div', 'card-head tone-' + pick(card.tone, ['blue','green','red','orange','grey','purple'], 'grey'));
  head.append(h('div', 'card-title', card.title));
  if (card.subtitle) head.append(h('div', 'card-sub', card.subtitle));
  const body = h('div', 'card-body');
  for (const b of card.blocks || []) { const el = block(b); if (el) body.append(el); }
  root.append(head, body);
  return root;
}
function block(b){
  switch (b.type) {
    case 'text': return h('p', 'text', b.text);
    case 'note': return h('p', 'note', b.text);
    case 'divider': return h('hr');
    case 'link': {
      // Opened in a new tab without a way back to this page; anything but http(s) stays text.
      const p = h('p', 'link'); const url = webUrl(b.url);
      if (!url) { p.textContent = b.label; return p; }
      const a = h('a', null, b.label); a.href = url; a.target = '_blank'; a.rel = 'noopener noreferrer'; p.append(a);
      return p;
    }
    case 'fields': { const dl = h('dl', 'fields'); for (const f of b.fields) dl.append(h('dt', null, f.label), h('dd', null, f.value)); return dl; }
    case 'timeline': {
      const ol = h('ol', 'timeline');
      for (const i of b.items) {
        const li = h('li', 'tl-' + pick(i.status, ['done','current','pending','rejected','skipped'], 'pending'));
        li.append(h('span', 'tl-label', i.label));
        if (i.detail) li.append(h('span', 'tl-detail', i.detail));
        ol.append(li);
      }
      return ol;
    }
    case 'actions': return buttons(b.buttons);
    case 'form': { const f = h('form', 'card-form'); for (const i of b.inputs) f.append(input(i)); f.append(buttons(b.buttons)); return f; }
  }
  return null;
}
function buttons(list){
  const d = h('div', 'actions');
  for (const b of list) {
    const el = h('button', 'btn btn-' + pick(b.style, ['primary','danger','default'], 'default'), b.label);
    el.type = 'button'; el.dataset.action = b.actionId;
    if (b.confirm) el.dataset.confirm = b.confirm.title + ' ' + b.confirm.text;
    d.append(el);
  }
  return d;
}
function input(i){
  const label = h('label'); label.append(h('span', null, i.label + (i.required ? ' *' : '')));
  const value = i.value == null ? '' : String(i.value);
  let el;
  if (i.type === 'select' || (i.type === 'user' && i.options)) {
    el = h('select'); const empty = h('option'); empty.value = ''; el.append(empty);
    for (const o of i.options || []) { const op = h('option', null, o.label); op.value = o.value; op.selected = o.value === value; el.append(op); }
  } else if (i.type === 'textarea') { el = h('textarea'); el.value = value; }
  else {
    el = h('input'); el.type = i.type === 'date' ? 'date' : i.type === 'month' ? 'month' : 'text'; el.value = value;
    if (i.type === 'money' || i.type === 'number') el.inputMode = 'decimal';
  }
  el.name = i.name; el.required = !!i.required; label.append(el);
  return label;
}

function show(m){
  let el = els.get(m.id);
  if (!el) { el = h('div'); el.dataset.id = m.id; els.set(m.id, el); $('#feed').append(el); }
  el.dataset.revision = String(m.revision);
  if (m.kind === 'text') { el.className = 'msg bot-text'; el.textContent = m.text; }
  else { el.className = 'msg bot-card'; el.replaceChildren(renderCard(m.card)); }
  window.scrollTo(0, document.body.scrollHeight);
}
const pause = () => new Promise((r) => setTimeout(r, 1000));
async function poll(gen){
  while (gen === generation) {
    try {
      const r = await api('/inbox?user=' + encodeURIComponent(me) + '&after=' + cursor + '&waitMs=20000');
      if (gen !== generation) return;
      if (!r.ok) { await pause(); continue; }
      const body = await r.json(); cursor = body.cursor; body.messages.forEach(show);
    } catch (e) { await pause(); }
  }
}
function actAs(id){
  me = id; cursor = 0; els.clear(); $('#feed').replaceChildren(); generation++;
  $('#footer').hidden = false; poll(generation);
}

// Demo mode (the server allows it to clients on its own machine only): pick any user, kept in the URL.
async function demo(){
  $('#who').textContent = T.demo;
  const r = await api('/users');
  if (!r.ok) { fail(T.usersFailed, r.status); return; }
  const { users } = await r.json();
  const sel = $('#user');
  sel.replaceChildren(...users.map((u) => { const o = h('option', null, u.name + ' (' + u.id + ')'); o.value = u.id; return o; }));
  let user = new URLSearchParams(location.search).get('user') || '';
  if (!users.some((u) => u.id === user)) user = users[0] ? users[0].id : '';
  sel.value = user; $('#picker').hidden = false;
  const pickUser = (u) => { history.replaceState(null, '', '?user=' + encodeURIComponent(u)); actAs(u); };
  sel.onchange = () => pickUser(sel.value);
  if (user) pickUser(user);
}
function signIn(options){
  const box = $('#signin'); box.hidden = false;
  const links = $('#signin-links');
  if (!options.length) { $('#signin-text').textContent = T.noSignIn; return; }
  const perPlatform = (p) => options.filter((o) => o.platform === p).length;
  for (const o of options) {
    const url = webUrl(o.url); if (!url) continue;
    const name = T.platforms[o.platform] || o.platform;
    const a = h('a', 'btn btn-primary', T.signInWith.replace('{platform}', name) + (perPlatform(o.platform) > 1 ? ' (' + o.bot + ')' : ''));
    a.href = url; links.append(a);
  }
}
async function start(){
  const r = await api('/session');
  if (!r.ok) { fail(T.sessionFailed, r.status); return; }
  const s = await r.json();
  csrf = s.csrf || null;
  if (s.user) { $('#who').textContent = T.signedInAs.replace('{name}', s.user.name); actAs(s.user.id); }
  else if (s.demo) await demo();
  else signIn(s.signIn || []);
}

$('#composer').addEventListener('submit', async (e) => {
  e.preventDefault(); const text = $('#text').value.trim(); if (!text || !me) return; $('#text').value = '';
  $('#feed').append(h('div', 'msg me', text));
  const r = await post('/messages', { user: me, text });
  if (!r.ok) { const b = await r.json().catch(() => null); toast({ type: 'error', text: b && b.error ? b.error.message : 'HTTP ' + r.status }); }
});
// Enter in a card's input must not submit (navigate) the card's form: cards act through their buttons only.
document.addEventListener('submit', (e) => { if (e.target.closest('.card-form')) e.preventDefault(); });
document.addEventListener('click', async (e) => {
  const btn = e.target.closest('button[data-action]'); if (!btn) return;
  if (btn.dataset.confirm && !confirm(btn.dataset.confirm)) return;
  const msg = btn.closest('[data-id]'); const formEl = btn.closest('form'); const form = {};
  if (formEl) for (const el of formEl.elements) if (el.name) form[el.name] = el.value;
  btn.disabled = true;
  try {
    const r = await post('/actions', { user: me, messageId: msg.dataset.id, revision: Number(msg.dataset.revision), actionId: btn.dataset.action, form });
    const b = await r.json().catch(() => ({}));
    toast(b.toast || (b.error && { type: 'error', text: b.error.message }));
  } finally { btn.disabled = false; }
});
start();
`;
