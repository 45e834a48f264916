import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientSource } from '../../../src/http/client-source.ts';

/** The source the refusal counters and the failed-auth limit key on. */
async function sourceOf(peer: string | null, xff: string | undefined, proxies: string[]): Promise<string> {
  const app = new Hono();
  app.get('/', (c) => c.text(clientSource(c, new Set(proxies))));
  const res = await app.request('/', { headers: xff ? { 'x-forwarded-for': xff } : {} }, peer === null ? undefined : { incoming: { socket: { remoteAddress: peer } } });
  return res.text();
}

describe('clientSource', () => {
  it.each([
    ['the peer, X-Forwarded-For ignored from an untrusted peer', '203.0.113.5', '198.51.100.1', [], '203.0.113.5'],
    ['behind a trusted proxy: the address it saw', '10.0.0.2', '198.51.100.1', ['10.0.0.2'], '198.51.100.1'],
    ['a client-written entry left of the proxy\'s is not taken', '10.0.0.2', '1.2.3.4, 198.51.100.1', ['10.0.0.2'], '198.51.100.1'],
    ['two trusted hops', '10.0.0.2', '198.51.100.1, 10.0.0.3', ['10.0.0.2', '10.0.0.3'], '198.51.100.1'],
    ['IPv4-mapped IPv6', '::ffff:203.0.113.5', undefined, [], '203.0.113.5'],
    ['IPv6 counts per /64', '2001:db8:1:2:aaaa::1', undefined, [], '2001:db8:1:2::/64'],
    ['no socket (in-process request)', null, '198.51.100.1', [], 'unknown'],
  ] as const)('%s', async (_name, peer, xff, proxies, want) => {
    expect(await sourceOf(peer, xff, [...proxies])).toBe(want);
  });
});
