import { Hono } from 'hono';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../../src/db/db-errors.ts';
import { errorHandler } from '../../../src/http/error-handler.ts';

describe('errorHandler', () => {
  const app = new Hono();
  app.onError(errorHandler(pino({ level: 'silent' })));
  app.post('/dropped', () => { throw new DatabaseUnavailableError(new Error('Connection terminated unexpectedly')); });
  app.post('/wrapped', () => { throw new Error('turn failed', { cause: new DatabaseUnavailableError(new Error('Query read timeout')) }); });
  app.post('/bug', () => { throw new Error('undefined is not a function'); });

  it('a request the database dropped answers 503 db.unavailable with Retry-After, so the sender redelivers', async () => {
    for (const path of ['/dropped', '/wrapped']) {
      const res = await app.request(path, { method: 'POST' });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toEqual({ error: { code: 'db.unavailable', message: 'the database is unavailable; try again shortly' } });
    }
  });

  it('anything else stays a 500 internal.error', async () => {
    const res = await app.request('/bug', { method: 'POST' });
    expect([res.status, await res.json()]).toEqual([500, { error: { code: 'internal.error', message: 'internal error' } }]);
  });
});
