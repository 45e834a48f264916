import { createServer, type Server } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { DEMO_USERS, writeDirectoryFile } from '../support/directory-fixture.ts';
import { launchChromium, needBrowser } from '../support/chromium.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * Issue #14, findings 2 and 3 in a real browser: hostile text from the directory and from a card field renders as
 * text; a page on another origin cannot make the browser post to the console API; every answer carries the
 * security headers.
 */
const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">';
// Chinese words around it keep the chat in Chinese (a Latin-only answer would switch the chat's language).
const HOSTILE_ITEM = 'A4 打印纸"><script>window.__pwned=2</script>';

let tdb: TestDb;
let app: App;
let base = '';
let browser: Browser | undefined;
let server: ServerType | undefined;

beforeAll(async () => {
  tdb = await createTestDb();
  const directory = writeDirectoryFile([...DEMO_USERS, { id: 'mallory', name: HOSTILE_NAME, department: 'sales', manager: 'lisi', roles: ['employee'] }]);
  app = await startApp({ db: tdb.handle, env: { DIRECTORY_FILE: directory, CONSOLE_DEMO: 'true' } });
  base = `http://127.0.0.1:${await new Promise<number>((resolve) => {
    server = serve({ fetch: app.http.fetch, port: 0, hostname: '127.0.0.1' }, (i) => resolve(i.port));
  })}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  server?.close();
  if (app) await app.stop();
  if (tdb) await tdb.drop();
});

const pwned = (page: Page) => page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned);

describe('hostile text on the console page (Chromium)', () => {
  it('a display name with an onerror handler and a card field closing its attribute show as text, and run nothing', async (ctx) => {
    const b = needBrowser(browser, ctx);
    if (!b) return;
    const page = await b.newPage();
    const blocked: string[] = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });
    await page.goto(`${base}/console?user=mallory`);
    // The picker lists the name as the option's text.
    const option = page.locator('#user option[value="mallory"]');
    await option.waitFor({ state: 'attached' });
    expect(await option.textContent()).toBe(`${HOSTILE_NAME} (mallory)`);
    expect(await page.locator('img').count()).toBe(0);

    const say = async (text: string): Promise<void> => {
      await page.fill('#text', text);
      await page.press('#text', 'Enter');
    };
    await say('/new material_requisition');
    await page.getByText('领什么物料？').waitFor();
    await say(HOSTILE_ITEM);
    await page.getByText('领多少？').waitFor();
    await say('10');
    const card = page.locator('.card', { hasText: '领料申请 · 确认' });
    await card.waitFor();
    expect(await card.locator('input[name="item"]').inputValue()).toBe(HOSTILE_ITEM);
    await card.locator('input[name="warehouse"]').fill('一号仓');
    await card.locator('button[data-action="dialog.submit"]').click();
    await page.locator('.card .card-title', { hasText: /领料申请 · MR-\d{6}-\d{4}/ }).waitFor();
    // The submitted card shows the item in its fields: as text, with no element made of it.
    await page.locator('.card dd', { hasText: HOSTILE_ITEM }).first().waitFor();

    // The approver's card names the requester: the hostile name, as text.
    const approver = await b.newPage();
    await approver.goto(`${base}/console?user=lisi`);
    const task = approver.locator('.card', { hasText: HOSTILE_ITEM });
    await task.locator('button[data-action="approve"]').waitFor();
    expect(await task.locator('dd', { hasText: HOSTILE_NAME }).count()).toBeGreaterThan(0);

    for (const p of [page, approver]) {
      expect(await pwned(p)).toBeUndefined();
      expect(await p.locator('#feed script, #feed img, header img, select img').count()).toBe(0);
    }
    // Nothing even tried to run inline code the policy had to stop: the text never became markup.
    expect(blocked).toEqual([]);
  });

  it('a page on another origin auto-submitting a text/plain form to the console API is refused, and nothing is accepted', async (ctx) => {
    const b = needBrowser(browser, ctx);
    if (!b) return;
    // The classic JSON-smuggling form: name + "=" + value make {"user":"lisi","eventId":"forged-…","text":"我要领料="},
    // a body the console API took before (issue #14, finding 2).
    const name = JSON.stringify({ user: 'lisi', eventId: 'forged-by-another-origin', text: '我要领料' }).slice(0, -2);
    const attackerPage = `<!doctype html><html><head><meta charset="utf-8"></head><body><form id="f" method="POST" enctype="text/plain" action="${base}/console/api/messages">`
      + `<input type="hidden" name='${name}' value='"}'></form><script>document.getElementById('f').submit()</script></body></html>`;
    let attacker: Server | undefined;
    try {
      const attackerBase = `http://127.0.0.1:${await new Promise<number>((resolve) => {
        attacker = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }); res.end(attackerPage); });
        attacker.listen(0, '127.0.0.1', () => resolve((attacker!.address() as { port: number }).port));
      })}`;
      expect(attackerBase).not.toBe(base);
      const page = await b.newPage();
      const answered = page.waitForResponse((r) => r.url() === `${base}/console/api/messages`);
      await page.goto(`${attackerBase}/`);
      const res = await answered;
      expect(res.status()).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('auth.cross_origin');
      const events = await app.db.db.selectFrom('inbox_events').select('event_id').where('event_id', 'like', '%forged%').execute();
      expect(events).toEqual([]);
    } finally {
      attacker?.close();
    }
  });
});

describe('security headers on every answer', () => {
  it.each([
    ['GET', '/'], ['GET', '/console'], ['GET', '/console/api/users'], ['GET', '/console/api/inbox?user=zhangsan'],
    ['POST', '/console/api/messages'], ['GET', '/admin/api/requests'], ['GET', '/no/such/page'], ['GET', '/healthz'],
  ])('%s %s', async (method, path) => {
    const res = await fetch(`${base}${path}`, { method, redirect: 'manual', ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{' } : {}) });
    await res.arrayBuffer();
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it("the page's inline script and style carry this response's nonce, a new one each time", async () => {
    const nonces = await Promise.all([0, 1].map(async () => {
      const res = await fetch(`${base}/console`);
      const page = await res.text();
      const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(res.headers.get('content-security-policy') ?? '')?.[1];
      expect(nonce).toBeDefined();
      expect(page).toContain(`<script nonce="${nonce}">`);
      expect(page).toContain(`<style nonce="${nonce}">`);
      expect(page).not.toMatch(/\son[a-z]+=/); // no inline event handler attributes: the policy would block them
      expect(page).not.toMatch(/localStorage|sessionStorage|prompt\(/);
      return nonce;
    }));
    expect(nonces[0]).not.toBe(nonces[1]);
  });
});
