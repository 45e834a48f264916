import type { Hono } from 'hono';
import { expect } from 'vitest';

/**
 * A browser for sign-in stories: keeps the cookies the app sets (requests to the app go in-process, as the app's
 * PUBLIC_URL origin) and follows nothing by itself, so each hop (app → platform → app) is checked as it happens.
 */
export class SignInBrowser {
  readonly cookies = new Map<string, string>();
  /** Set-Cookie values of the last answer from the app, raw (for attribute checks). */
  lastSetCookies: string[] = [];

  constructor(private readonly http: Hono, readonly publicUrl: string) {}

  /** A request to the app at `pathOrUrl` (a path, or a URL under PUBLIC_URL), with this browser's cookies. */
  async app(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    const path = pathOrUrl.startsWith(this.publicUrl) ? pathOrUrl.slice(this.publicUrl.length) : pathOrUrl;
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await this.http.request(path, { ...init, headers });
    this.lastSetCookies = res.headers.getSetCookie();
    for (const sc of this.lastSetCookies) {
      const [pair, ...attrs] = sc.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (attrs.some((a) => a.trim().toLowerCase() === 'max-age=0') || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** A visit to the platform's page (the fake), answering its redirect. */
  async platform(url: string): Promise<Response> {
    return fetch(url, { redirect: 'manual' });
  }

  /** start → the platform's page → back to the app's callback: answers the callback's response. */
  async signIn(start: string, onPlatformPage: () => void): Promise<Response> {
    const toPlatform = await this.app(start);
    expect(toPlatform.status).toBe(302);
    onPlatformPage();
    const back = await this.platform(toPlatform.headers.get('location')!);
    expect(back.status).toBe(302);
    const callback = back.headers.get('location')!;
    expect(callback.startsWith(this.publicUrl)).toBe(true);
    return this.app(callback);
  }
}
