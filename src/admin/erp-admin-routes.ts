import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/database.ts';
import { connectorHealth, type FeedInfo } from '../erp/erp-health.ts';

/**
 * Admin API of the ERP connectors: `GET /api/erp/connectors` lists each instance's health (last poll attempt and
 * success, last error, lag, documents still open and failing); `?tenant=` narrows it to one tenant.
 */
export function erpAdminRoutes(db: Kysely<Database>, feeds: FeedInfo[], clock: Clock): Hono {
  const r = new Hono();
  r.get('/api/erp/connectors', async (c) => {
    const tenant = c.req.query('tenant');
    const mine = tenant ? feeds.filter((f) => f.tenant === tenant) : feeds;
    return c.json({ connectors: await connectorHealth(db, mine, clock.now()) });
  });
  return r;
}
