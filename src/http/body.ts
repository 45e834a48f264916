import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { AppError } from '../core/errors.ts';

/** Largest body any route accepts; platform events and card callbacks are far smaller. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The request body as text. Under the Node server a body with a Content-Length (already checked against
 * the limit by the body-limit middleware) is read straight from the socket stream, which skips building
 * a WHATWG Request and stream per call on the hot paths (card callbacks, webhooks). Anything else (chunked
 * bodies, in-process `app.request()`) goes through the standard Request.
 */
export async function readBodyText(c: Context): Promise<string> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || !c.req.header('content-length') || incoming.readableDidRead) return c.req.text();
  const from = incoming;
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    from.on('data', (b: Buffer) => {
      size += b.length;
      // Node's parser stops at Content-Length, which the middleware checked; this is a second fence.
      if (size > MAX_BODY_BYTES) reject(new AppError('request.too_large', `body over ${MAX_BODY_BYTES} bytes`, { httpStatus: 413 }));
      else chunks.push(b);
    });
    from.once('end', () => resolve(Buffer.concat(chunks, size).toString('utf8')));
    from.once('error', reject);
  });
}
