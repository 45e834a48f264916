import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/database.ts';
import { connectorHealth, type FeedInfo } from '../erp/erp-health.ts';
import { adminTenant } from '../identity/admin-guard.ts';

/**
 * Admin API of the ERP connectors: `GET /api/erp/connectors` lists each instance's health (last poll attempt and
 * success, last error, lag, documents still open and failing); the caller's tenant's instances only.
 */
export function erpAdminRoutes(db: Kysely<Database>, feeds: FeedInfo[], clock: Clock): Hono {
  const r = new Hono();
  r.get('/api/erp/connectors', async (c) => {
    const tenant = adminTenant(c);
    const mine = feeds.filter((f) => f.tenant === tenant);
    return c.json({ connectors: await connectorHealth(db, mine, clock.now()) });
  });
  return r;
}
