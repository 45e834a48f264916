import { Hono } from 'hono';
import type { AuditReport } from '../audit/verify-audit.ts';

/**
 * GET /api/audit/verify: what `npm run audit:verify` prints (rows, signed heads, checkpoints): `ok` is true only when
 * all three hold, and each broken chain is named with its problem.
 */
export function auditAdminRoutes(verify: () => Promise<AuditReport>): Hono {
  const r = new Hono();
  r.get('/api/audit/verify', async (c) => {
    const report = await verify();
    return c.json(report);
  });
  return r;
}
