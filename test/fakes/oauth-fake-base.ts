import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';

/** A request an OAuth fake received (sign-in calls only; proxied ones are not recorded). */
export interface OAuthRequest { method: string; path: string; query: Record<string, string>; headers: Record<string, string>; body: unknown }

/**
 * What the Feishu and DingTalk sign-in fakes share: a loopback server, a log of requests, "the platform is down"
 * (a path that never answers until the fake closes), and an optional upstream: every path the fake does not serve is
 * forwarded there, so a bot's one base URL can reach both this fake and the messaging fake (feishu-server.ts,
 * dingtalk-server.ts) in a test that runs the whole platform.
 */
export interface OAuthFakeBase {
  url: string;
  requests: OAuthRequest[];
  /** Paths that hang: the request is held, unanswered, as a platform that stopped answering would. */
  hang: Set<string>;
  close(): Promise<void>;
}

/** A random code or token as the platforms issue them (url-safe). */
export const opaque = (prefix: string): string => `${prefix}${randomBytes(18).toString('base64url')}`;

export async function startOAuthFake(
  routes: (app: Hono) => void, opts: { upstream?: string | undefined; onProxied?: (path: string, status: number, body: string) => void } = {},
): Promise<OAuthFakeBase> {
  const app = new Hono();
  const requests: OAuthRequest[] = [];
  const hang = new Set<string>();
  let release: () => void = () => {};
  const closed = new Promise<void>((r) => { release = r; });
  const proxied = new Set<string>();
  app.use('*', async (c, next) => {
    if (hang.has(c.req.path)) {
      await closed;
      return c.text('', 503);
    }
    const text = c.req.method === 'GET' ? '' : await c.req.raw.clone().text();
    let body: unknown = text;
    try { body = text ? JSON.parse(text) : undefined; } catch { /* keep the raw text */ }
    const entry = { method: c.req.method, path: c.req.path, query: c.req.query(), headers: Object.fromEntries(c.req.raw.headers), body };
    await next();
    if (!proxied.has(c.req.path)) requests.push(entry);
    proxied.delete(c.req.path);
  });
  routes(app);
  if (opts.upstream) {
    const upstream = opts.upstream.replace(/\/+$/, '');
    app.all('*', async (c: Context) => {
      proxied.add(c.req.path);
      const url = new URL(c.req.url);
      const headers = new Headers(c.req.raw.headers);
      headers.delete('host');
      headers.delete('content-length');
      const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? undefined : await c.req.raw.arrayBuffer();
      const res = await fetch(`${upstream}${url.pathname}${url.search}`, { method: c.req.method, headers, ...(body ? { body } : {}), redirect: 'manual' });
      const text = await res.text();
      opts.onProxied?.(url.pathname, res.status, text);
      const out = new Headers(res.headers);
      out.delete('content-length');
      out.delete('content-encoding');
      out.delete('transfer-encoding');
      return new Response(text, { status: res.status, headers: out });
    });
  }
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hang,
    async close() {
      release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
