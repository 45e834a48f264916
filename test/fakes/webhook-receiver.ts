import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An integration endpoint that dedupes by Idempotency-Key, as a well-behaved receiver does.
 * `hangFirst` keeps the first delivery open forever (the worker dies while waiting for it).
 */
export async function startWebhookReceiver(o: { hangFirst?: boolean } = {}) {
  const deliveries: { key: string; body: string }[] = [];
  const effects = new Map<string, string>();
  const hanging: ServerResponse[] = [];
  let onFirst: () => void = () => {};
  const first = new Promise<void>((r) => { onFirst = r; });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? '');
      deliveries.push({ key, body });
      if (deliveries.length === 1) onFirst();
      if (o.hangFirst && deliveries.length === 1) { hanging.push(res); return; }
      if (!effects.has(key)) effects.set(key, body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url, deliveries, effects, firstDelivery: first,
    close: () => new Promise<void>((r) => { for (const h of hanging) h.destroy(); server.closeAllConnections(); server.close(() => r()); }),
  };
}
