import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (nothing downloaded); .ci/run installs it. */
export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Whether this machine has the browser the page tests use. */
export const hasChromium = (): boolean => existsSync(CHROMIUM);

/** The browser, or undefined where it is not installed (needBrowser then skips, or fails under CI). */
export async function launchChromium(): Promise<Browser | undefined> {
  return hasChromium() ? chromium.launch({ executablePath: CHROMIUM, args: ARGS }) : undefined;
}

/** The launched browser; without one a test is skipped on a developer's machine and fails under CI. */
export function needBrowser(browser: Browser | undefined, ctx: { skip: (note: string) => void }): Browser | undefined {
  if (browser) return browser;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing (CI installs it in .ci/run)`);
  ctx.skip(`${CHROMIUM} not installed: apt-get install chromium`);
  return undefined;
}
