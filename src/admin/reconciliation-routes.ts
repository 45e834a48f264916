import { Hono, type Context } from 'hono';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { appendAudit } from '../audit/audit-log.ts';
import type { Clock } from '../core/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { Database } from '../db/database.ts';
import { readBodyText } from '../http/body.ts';
import { adminActor, adminTenant } from '../identity/admin-guard.ts';
import { parseJsonBody, zodFailure } from '../http/text-guard.ts';
import { closeFindingById, findingById, FINDING_KINDS, isFindingKind, listFindings, type FindingKind } from '../reconciliation/findings-repo.ts';
import type { ReconcileResult } from '../reconciliation/reconcile.ts';

export interface ReconciliationAdminDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** The tenants the configuration names (a bot's or the directory file's). */
  tenants: string[];
  /** Runs reconciliation over one tenant now (checks and digests), as the periodic run does. */
  run: (tenantId: string) => Promise<ReconcileResult>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const resolveBody = z.object({
  /** Who resolved it, for the audit trail (the API token says nothing of a person). */
  by: z.string().trim().min(1).max(100).optional(),
  note: z.string().max(2000).optional(),
}).strict();

/**
 * Admin API of reconciliation (the caller's tenant): `GET /api/reconciliation/findings` lists findings
 * (`open=true|false`, `kind=`), `POST /api/reconciliation/run` runs every check now and answers what it found, and
 * `POST /api/reconciliation/findings/:id/resolve` closes one open finding (body `{by?, note?}`), audited.
 */
export function reconciliationAdminRoutes(d: ReconciliationAdminDeps): Hono {
  const r = new Hono();
  const tenantOf = (c: Context): string => {
    const tenant = adminTenant(c);
    if (!d.tenants.includes(tenant)) throw new NotFoundError('tenant.not_found', `no tenant "${tenant}" in the configuration`);
    return tenant;
  };
  r.get('/api/reconciliation/findings', async (c) => {
    const tenant = tenantOf(c);
    const open = c.req.query('open');
    if (open !== undefined && open !== 'true' && open !== 'false') throw new ValidationError('request.invalid', 'open: true or false');
    const kind = c.req.query('kind');
    if (kind !== undefined && !isFindingKind(kind)) throw new ValidationError('request.invalid', `kind: one of ${FINDING_KINDS.join(', ')}`);
    const findings = await listFindings(d.db, tenant, { ...(open ? { open: open === 'true' } : {}), ...(kind ? { kind: kind as FindingKind } : {}) });
    return c.json({ findings });
  });
  r.post('/api/reconciliation/run', async (c) => {
    const result = await d.run(tenantOf(c));
    return c.json(result);
  });
  r.post('/api/reconciliation/findings/:id/resolve', async (c) => {
    const tenant = tenantOf(c);
    const id = c.req.param('id');
    if (!UUID.test(id)) throw new ValidationError('request.invalid', 'the finding id is a UUID');
    const body = await readBody(c);
    const found = await findingById(d.db, tenant, id);
    if (!found) throw new NotFoundError('reconciliation.finding_not_found', `no finding ${id}`);
    const at = d.clock.now();
    const closed = await d.db.transaction().execute(async (trx) => {
      const f = await closeFindingById(trx, tenant, id, at);
      if (!f) return null;
      await appendAudit(trx, {
        tenantId: tenant, at, actor: adminActor(c), action: 'reconciliation.resolved', source: 'api',
        subjectType: 'finding', subjectId: f.id, before: { closedAt: null }, after: { closedAt: at.toISOString() },
        // Who resolved it is the signed-in caller; a `by` in the body is only what they wrote, kept apart.
        meta: { kind: f.kind, key: f.key, requestId: f.requestId, ...(body.note ? { note: body.note } : {}), ...(body.by ? { by: body.by } : {}) },
      });
      return f;
    });
    if (!closed) throw new ConflictError('reconciliation.already_closed', `finding ${id} was already closed`);
    return c.json({ finding: closed });
  });
  return r;
}

async function readBody(c: Context): Promise<z.infer<typeof resolveBody>> {
  const text = (await readBodyText(c)).trim();
  const input: unknown = text ? parseJsonBody(text) : {};
  const r = resolveBody.safeParse(input);
  if (!r.success) throw zodFailure(r.error);
  return r.data;
}
