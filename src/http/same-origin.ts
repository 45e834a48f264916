import type { Context, MiddlewareHandler } from 'hono';

/**
 * The browser-facing APIs a page of ours calls: every console bot's API (/console/api, /console/<bot>/api), the admin
 * API and the sign-in routes. Webhooks and platform callbacks are not here: they are signed by their platform and
 * come from servers, not browsers.
 */
const GUARDED = /^\/(?:console\/(?:[a-z0-9][a-z0-9-]*\/)?api|admin\/api|auth)(?:\/|$)/;

/** Methods a cross-site page can make a browser send with the visitor's cookies (RFC 9110 §9.2.1 "safe" ones aside). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SameOriginOptions {
  /** Origins pages of ours are served from besides a loopback address (TRUSTED_ORIGINS: the public URL behind a proxy). */
  trustedOrigins: readonly string[];
}

/**
 * Cross-site request forgery defence for the APIs above, on unsafe methods:
 * - JSON bodies only (415 request.unsupported_media_type). An HTML form can send only urlencoded, multipart or
 *   text/plain bodies, and a cross-origin fetch() with application/json needs a CORS preflight, which this service
 *   never grants (fetch.spec.whatwg.org/#cors-safelisted-request-header): a forged request cannot carry JSON.
 * - The Origin header, which browsers send on every POST (fetch.spec.whatwg.org/#origin-header), must be ours
 *   (403 auth.cross_origin); "null" (sandboxed frames, no-referrer form posts) is never ours. Without Origin, a
 *   Sec-Fetch-Site other than same-origin or none (w3c.github.io/webappsec-fetch-metadata/#sec-fetch-site-header)
 *   is refused too. Clients that send neither (curl, servers, tests) are not browsers and can't be forged into.
 * "Ours" is a configured origin, or the Host the request was sent to when that is a loopback address: a Host named
 * by the client could be any DNS name rebound to this machine (DNS rebinding makes Origin and Host agree), so a
 * name is trusted only once configured.
 */
export function sameOriginGuard(o: SameOriginOptions): MiddlewareHandler {
  const trusted = new Set(o.trustedOrigins.map((s) => new URL(s).origin));
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || !GUARDED.test(c.req.path)) return next();
    const origin = c.req.header('origin');
    if (origin !== undefined) {
      if (!isOurOrigin(origin, { scheme: new URL(c.req.url).protocol, host: c.req.header('host') }, trusted)) return crossOrigin(c, `requests from ${origin.slice(0, 100)} are refused; a page served elsewhere needs its origin in TRUSTED_ORIGINS`);
    } else {
      const site = c.req.header('sec-fetch-site');
      if (site !== undefined && site !== 'same-origin' && site !== 'none') return crossOrigin(c, `a ${site.slice(0, 20)} request is refused`);
    }
    if (!jsonOrNoBody(c)) {
      return c.json({ error: { code: 'request.unsupported_media_type', message: 'the body must be JSON (content-type: application/json)' } }, 415);
    }
    return next();
  };
}

function crossOrigin(c: Context, message: string): Response {
  return c.json({ error: { code: 'auth.cross_origin', message } }, 403);
}

/** A declared content type must be application/json (parameters such as charset allowed); a body needs one. */
function jsonOrNoBody(c: Context): boolean {
  const type = c.req.header('content-type');
  if (type !== undefined) return type.split(';')[0]!.trim().toLowerCase() === 'application/json';
  const length = c.req.header('content-length');
  return c.req.header('transfer-encoding') === undefined && (length === undefined || Number(length) === 0);
}

/**
 * Whether a page at `origin` is ours: a configured origin, or exactly the scheme, loopback host and port the request
 * was sent to (`sentTo`: the scheme this server was reached at and the Host header; default ports normalized).
 */
export function isOurOrigin(origin: string, sentTo: { scheme: string; host: string | undefined }, trusted: ReadonlySet<string>): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" and anything else that is not a serialized origin
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (trusted.has(url.origin)) return true;
  if (!sentTo.host) return false;
  let sent: URL;
  try {
    sent = new URL(`${sentTo.scheme}//${sentTo.host}`);
  } catch {
    return false;
  }
  return sent.origin === url.origin && isLoopback(url.hostname);
}

/** Names that always reach this machine: 127.0.0.0/8, ::1, localhost (browsers resolve it to loopback themselves). */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}
