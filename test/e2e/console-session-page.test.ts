import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createSession } from '../../src/identity/sessions.ts';
import { DEMO_USERS, writeDirectoryFile } from '../support/directory-fixture.ts';
import { hasChromium, launchChromium, needBrowser } from '../support/chromium.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * The console page on a service without demo mode: a signed-in person is who the page acts as (no picker, their
 * name as text, the CSRF token on every POST, nothing in web storage); without a session it offers only sign-in.
 */
const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">';

let tdb: TestDb;
let app: App;
let base = '';
let browser: Browser | undefined;
let server: ServerType | undefined;

beforeAll(async () => {
  if (!hasChromium()) return;
  tdb = await createTestDb();
  const directory = writeDirectoryFile([...DEMO_USERS, { id: 'mallory', name: HOSTILE_NAME, department: 'sales', manager: 'lisi', roles: ['employee'] }]);
  app = await startApp({ db: tdb.handle, env: { DIRECTORY_FILE: directory, CONSOLE_DEMO: 'false' } });
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

describe('the console page on sessions (Chromium)', () => {
  it('signed in, it acts as that person: their name as text, no picker, POSTs carry the CSRF token and JSON', async (ctx) => {
    const b = needBrowser(browser, ctx);
    if (!b) return;
    const { setCookie } = await createSession(app.db.db, { tenantId: 'default', userId: 'mallory', via: 'feishu' }, systemClock);
    const token = /^aa_session=([^;]+)/.exec(setCookie)?.[1] ?? '';
    const context = await b.newContext();
    await context.addCookies([{ name: 'aa_session', value: token, url: base, httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    const posts: { headers: Record<string, string> }[] = [];
    page.on('request', (r) => { if (r.method() === 'POST') posts.push({ headers: r.headers() }); });
    await page.goto(`${base}/console?user=lisi`); // a user named in the URL changes nothing once signed in
    await page.locator('#who', { hasText: HOSTILE_NAME }).waitFor();
    expect(await page.locator('#picker').isHidden()).toBe(true);
    expect(await page.locator('#signin').isHidden()).toBe(true);
    await page.fill('#text', '/new material_requisition');
    await page.press('#text', 'Enter');
    await page.getByText('领什么物料？').waitFor();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.headers['content-type']).toBe('application/json');
    expect(posts[0]?.headers['x-csrf-token']).toMatch(/.{16,}/);
    const messages = await app.db.db.selectFrom('inbox_events').select('payload').execute();
    const said = messages.map((m) => JSON.stringify(m.payload)).filter((p) => p.includes('/new material_requisition'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('"mallory"');
    expect(said[0]).not.toContain('lisi');
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => {
      const g = globalThis as unknown as { localStorage: { length: number }; sessionStorage: { length: number }; document: { cookie: string } };
      return [g.localStorage.length, g.sessionStorage.length, g.document.cookie];
    })).toEqual([0, 0, '']); // the session cookie is HTTP-only: the page's script cannot read it
    await context.close();
  });

  it('signed out and no demo: the sign-in links, no composer; a link that is not http(s) is left out', async (ctx) => {
    const b = needBrowser(browser, ctx);
    if (!b) return;
    const page = await b.newPage();
    await page.goto(`${base}/console`);
    await page.locator('#signin', { hasText: '本服务尚未配置登录' }).waitFor(); // no bot has sign_in here
    expect(await page.locator('#footer').isHidden()).toBe(true);

    // The links as the session endpoint would list them for a Feishu and a DingTalk bot, plus a hostile one.
    await page.route('**/console/api/session', (route) => route.fulfill({ json: { user: null, demo: false, csrf: null, signIn: [
      { platform: 'feishu', bot: 'fs', url: '/auth/feishu/fs/start' },
      { platform: 'dingtalk', bot: 'dt', url: '/auth/dingtalk/dt/start' },
      { platform: 'dingtalk', bot: '<b>x</b>', url: 'javascript:window.__pwned=3' },
    ] } }));
    await page.reload();
    const links = page.locator('#signin-links a');
    await links.first().waitFor();
    expect(await links.evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]))).toEqual([
      ['使用飞书登录', `${base}/auth/feishu/fs/start`],
      ['使用钉钉登录 (dt)', `${base}/auth/dingtalk/dt/start`],
    ]);
    expect(await page.locator('#footer').isHidden()).toBe(true);
  });
});
