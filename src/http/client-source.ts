import type { Context } from 'hono';

/**
 * Who sent a request, as the refusal counters and the failed-auth limit key it: the peer's address, or, when the
 * peer is one of TRUSTED_PROXIES, the nearest address in X-Forwarded-For that is not one of them (the entries a
 * client writes itself are further left, so they are never taken). IPv6 addresses count per /64: one host is
 * handed a whole /64 and could otherwise rotate through it.
 */
export function clientSource(c: Context, trustedProxies: ReadonlySet<string>): string {
  const peer = peerAddress(c);
  if (peer === null) return 'unknown';
  let addr = peer;
  if (trustedProxies.has(addr)) {
    const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    while (hops.length > 0 && trustedProxies.has(addr)) addr = hops.pop()!;
  }
  return normalize(addr);
}

/** The socket's remote address under @hono/node-server (c.env.incoming); null elsewhere (app.request in tests). */
function peerAddress(c: Context): string | null {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } }; server?: { incoming?: { socket?: { remoteAddress?: string } } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? env?.server?.incoming?.socket?.remoteAddress ?? null;
}

function normalize(addr: string): string {
  const a = addr.slice(0, 64);
  if (a.startsWith('::ffff:') && a.includes('.')) return a.slice(7);
  if (!a.includes(':')) return a;
  const groups = expand(a);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : a;
}

function expand(a: string): string[] | null {
  const [head, tail, extra] = a.split('::');
  if (extra !== undefined) return null;
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  const fill = tail !== undefined ? 8 - h.length - t.length : 0;
  if (fill < 0) return null;
  const all = [...h, ...Array<string>(fill).fill('0'), ...t];
  return all.length === 8 ? all.map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')) : null;
}
