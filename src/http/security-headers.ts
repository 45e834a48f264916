import { randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    /** The script/style nonce of this response, once a page asked for one (cspNonce). */
    cspNonce: string;
  }
}

/**
 * The nonce a page puts on its inline <script> and <style> elements. A new one per response (16 random bytes, as
 * the CSP spec asks for "at least 128 bits": w3.org/TR/CSP3/#security-nonces), so markup injected into a page can't
 * know it and its scripts don't run. The headers middleware reads it back into the response's policy.
 */
export function cspNonce(c: Context): string {
  const had = c.get('cspNonce');
  if (had) return had;
  const nonce = randomBytes(16).toString('base64');
  c.set('cspNonce', nonce);
  return nonce;
}

/**
 * The Content-Security-Policy of a response. Scripts run only with this response's nonce (no 'unsafe-inline', no
 * inline event handlers, no eval); a response that issued no nonce (JSON, errors, metrics) allows no script at all.
 * Styles: same-origin sheets and the nonce'd <style>. Nothing may frame us (frame-ancestors, the CSP successor of
 * X-Frame-Options), no <base> may re-point relative URLs, forms post only to us, plugins never load.
 */
export function contentSecurityPolicy(nonce: string | undefined): string {
  const script = nonce ? `'nonce-${nonce}'` : `'none'`;
  const style = nonce ? `'self' 'nonce-${nonce}'` : `'self'`;
  return [
    `default-src 'self'`, `script-src ${script}`, `style-src ${style}`, `img-src 'self' data:`, `object-src 'none'`,
    `frame-ancestors 'none'`, `base-uri 'none'`, `form-action 'self'`,
  ].join('; ');
}

/**
 * Security headers on every response (pages, API answers, errors, 404s, health): set after the handler ran, so no
 * route can forget them and the policy can name the nonce the page used.
 * - X-Frame-Options DENY: frame-ancestors for browsers that predate CSP 2 (clickjacking of the card buttons).
 * - X-Content-Type-Options nosniff: a JSON answer carrying hostile text is never sniffed into HTML or script.
 * - Referrer-Policy no-referrer: console URLs carry user ids and sign-in callbacks carry OAuth codes; no page of
 *   ours needs to tell another site where the visitor came from. (Its one side effect, "Origin: null" on form
 *   navigations, touches nothing: our pages post with fetch(), whose Origin stays real, and the APIs take JSON only.)
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const headers: [string, string][] = [
      ['content-security-policy', contentSecurityPolicy(c.get('cspNonce'))], ['x-frame-options', 'DENY'],
      ['x-content-type-options', 'nosniff'], ['referrer-policy', 'no-referrer'],
    ];
    try {
      for (const [k, v] of headers) c.res.headers.set(k, v);
    } catch {
      // Headers of a Response passed through from fetch() are immutable: copy it into one whose headers we own.
      c.res = new Response(c.res.body, c.res);
      for (const [k, v] of headers) c.res.headers.set(k, v);
    }
  };
}
