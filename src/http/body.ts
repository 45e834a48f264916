import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../core/errors.ts';

/** Largest body any route accepts; platform events and card callbacks are far smaller. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The Node request behind a hono context, when served by @hono/node-server (not for `app.request()`). */
function nodeRequest(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

/** A declared Content-Length without Transfer-Encoding (Node's parser then reads exactly that many bytes). */
function declaredLength(c: Context): number | undefined {
  const incoming = nodeRequest(c);
  const header = (name: string): string | undefined => (incoming ? (incoming.headers[name] as string | undefined) : c.req.header(name));
  const len = header('content-length');
  return len !== undefined && header('transfer-encoding') === undefined ? Number.parseInt(len, 10) : undefined;
}

/**
 * Refuses bodies over MAX_BODY_BYTES with `onError`. A declared length is checked from the header alone;
 * only chunked bodies are counted while buffering (hono's bodyLimit). Checking `c.req.raw.body`, as that
 * middleware does first, would build a WHATWG Request and stream for every request, GETs included.
 */
export function limitBody(onError: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const chunked = bodyLimit({ maxSize: MAX_BODY_BYTES, onError });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const len = declaredLength(c);
    if (len === undefined) return chunked(c, next);
    if (!(len <= MAX_BODY_BYTES)) return onError(c);
    return next();
  };
}

/**
 * The request body as text. Under the Node server a body with a declared length (already checked by
 * limitBody) is read straight from the socket stream, without a WHATWG Request and stream per call on
 * the hot paths (card callbacks, webhooks). Anything else (chunked bodies, buffered by limitBody;
 * in-process `app.request()`) goes through the standard Request.
 */
export async function readBodyText(c: Context): Promise<string> {
  const incoming = nodeRequest(c);
  if (!incoming || declaredLength(c) === undefined || incoming.readableDidRead) return c.req.text();
  const from = incoming;
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    from.on('data', (b: Buffer) => {
      size += b.length;
      // Node's parser stops at Content-Length, which limitBody checked; this is a second fence.
      if (size > MAX_BODY_BYTES) reject(new AppError('request.too_large', `body over ${MAX_BODY_BYTES} bytes`, { httpStatus: 413 }));
      else chunks.push(b);
    });
    from.once('end', () => resolve(Buffer.concat(chunks, size).toString('utf8')));
    from.once('error', reject);
  });
}
