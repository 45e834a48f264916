import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { AppError } from '../core/errors.ts';
import { DB_UNAVAILABLE, isDatabaseUnavailable, isValueRejected, VALUE_REJECTED } from '../db/db-errors.ts';

/** One error shape for every route: `{ error: { code, message } }` with the error's status. */
export function errorHandler(logger: Logger) {
  return (err: Error, c: Context): Response => {
    // The database dropped or cannot be reached: a 503 the sender retries (platforms redeliver), not a 500 bug.
    if (isDatabaseUnavailable(err)) {
      logger.warn({ err, path: c.req.path }, 'request failed: database unavailable');
      return c.json({ error: { code: DB_UNAVAILABLE, message: 'the database is unavailable; try again shortly' } }, 503, { 'retry-after': '1' });
    }
    // A value that got past validation and the database refused: the request's fault, and resending it fails again.
    if (isValueRejected(err)) {
      logger.warn({ err, path: c.req.path }, 'request refused by the database: a value out of range or not storable');
      return c.json({ error: { code: VALUE_REJECTED, message: 'a value in the request is out of range or holds characters that cannot be stored' } }, 400);
    }
    if (err instanceof AppError) {
      if (err.httpStatus >= 500) logger.error({ err, path: c.req.path }, 'request failed');
      return c.json({ error: err.toJSON() }, err.httpStatus as 400);
    }
    if (err instanceof HTTPException) {
      return c.json({ error: { code: `http.${err.status}`, message: err.message || 'request rejected' } }, err.status);
    }
    logger.error({ err, path: c.req.path }, 'unhandled error');
    return c.json({ error: { code: 'internal.error', message: 'internal error' } }, 500);
  };
}
