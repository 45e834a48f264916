import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { hasChromium, launchChromium, needBrowser } from '../support/chromium.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

let tdb: TestDb;
let app: App;
let base = '';
let browser: Browser | undefined;
let server: ServerType | undefined;

beforeAll(async () => {
  if (!hasChromium()) return;
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, env: { CONSOLE_DEMO: 'true' } }); // the user picker: demo mode, loopback only
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

describe('the web console in Chromium', () => {
  it('chats, renders the confirmation card, submits it, and the approver approves from the page', async (ctx) => {
    const b = needBrowser(browser, ctx);
    if (!b) return;
    const page = await b.newPage();
    await page.goto(`${base}/console?user=zhangsan`);
    const say = async (text: string): Promise<void> => {
      await page.fill('#text', text);
      await page.press('#text', 'Enter');
    };
    await say('/new material_requisition');
    await page.getByText('领什么物料？').waitFor();
    await say('A4 打印纸');
    await page.getByText('领多少？').waitFor();
    await say('10');
    const card = page.locator('.card', { hasText: '领料申请 · 确认' });
    await card.waitFor();
    expect(await card.locator('input[name="item"]').inputValue()).toBe('A4 打印纸');
    await card.locator('input[name="warehouse"]').fill('一号仓');
    await card.locator('button[data-action="dialog.submit"]').click();
    await page.locator('#toast', { hasText: /MR-\d{6}-0001/ }).waitFor();
    await page.locator('.card .card-title', { hasText: /领料申请 · MR-\d{6}-0001/ }).waitFor();
    await page.screenshot({ path: 'test-results/console-requester.png', fullPage: true }).catch(() => undefined);

    const approver = await b.newPage();
    await approver.goto(`${base}/console?user=lisi`);
    const task = approver.locator('.card', { hasText: '一号仓' });
    await task.locator('button[data-action="approve"]').click();
    await approver.locator('#toast', { hasText: '已同意' }).waitFor();
    await task.locator('.note', { hasText: '你已同意' }).waitFor();
    await page.locator('.card-sub', { hasText: '已通过' }).first().waitFor();
  });
});
