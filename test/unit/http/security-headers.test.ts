import { Hono } from 'hono';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../../../src/http/error-handler.ts';
import { contentSecurityPolicy, cspNonce, securityHeaders } from '../../../src/http/security-headers.ts';

function app(): Hono {
  const a = new Hono();
  a.onError(errorHandler(pino({ level: 'silent' })));
  a.use('*', securityHeaders());
  a.notFound((c) => c.json({ error: { code: 'http.not_found', message: 'no route' } }, 404));
  a.get('/page', (c) => { const n = cspNonce(c); return c.html(`<script nonce="${n}">1</script><style nonce="${cspNonce(c)}"></style>`); });
  a.get('/json', (c) => c.json({ ok: true }));
  a.get('/boom', () => { throw new Error('bug'); });
  a.get('/passthrough', () => Response.redirect('http://127.0.0.1/elsewhere', 302)); // a Response with immutable headers
  return a;
}

const FIXED: Record<string, string> = { 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

describe('securityHeaders', () => {
  it.each(['/page', '/json', '/boom', '/nowhere', '/passthrough'])('%s carries every header', async (path) => {
    const res = await app().request(path);
    for (const [k, v] of Object.entries(FIXED)) expect(res.headers.get(k)).toBe(v);
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const d of ["default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "object-src 'none'"]) expect(csp).toContain(d);
    expect(csp).not.toContain("'unsafe-inline'");
    expect(csp).not.toContain("'unsafe-eval'");
  });

  it("a page's script-src is its own nonce, the one in its markup; other answers allow no script", async () => {
    const a = app();
    const [one, two] = [await a.request('/page'), await a.request('/page')];
    const nonceOf = (res: Response) => /script-src 'nonce-([^']+)'/.exec(res.headers.get('content-security-policy') ?? '')?.[1];
    const n1 = nonceOf(one);
    expect(n1).toMatch(/^[A-Za-z0-9+/]{22}==$/); // 16 random bytes
    expect(await one.text()).toBe(`<script nonce="${n1}">1</script><style nonce="${n1}"></style>`);
    expect(nonceOf(two)).not.toBe(n1);
    expect((await a.request('/json')).headers.get('content-security-policy')).toContain("script-src 'none'");
  });

  it('the policy text', () => {
    expect(contentSecurityPolicy('abc')).toBe("default-src 'self'; script-src 'nonce-abc'; style-src 'self' 'nonce-abc'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  });
});
