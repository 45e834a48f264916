import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import type { Database } from '../db/database.ts';
import * as outboxRepo from '../outbox/outbox-repo.ts';
import * as requestRepo from '../workflow/request-repo.ts';
import { adminTenant } from '../identity/admin-guard.ts';

/** Admin API (JSON): requests with tasks and audit trail, dead letters and replay (the audit check: audit-admin-routes.ts). */
export function adminRoutes(db: Kysely<Database>, onReplay: () => void): Hono {
  const r = new Hono();
  r.get('/api/requests', async (c) => {
    const tenant = adminTenant(c);
    const rows = await db.selectFrom('requests').selectAll().where('tenant_id', '=', tenant).orderBy('created_at', 'desc').limit(200).execute();
    return c.json({ requests: rows.map(requestRepo.toRequest) });
  });
  r.get('/api/requests/:id', async (c) => {
    const tenant = adminTenant(c);
    const req = await requestRepo.findRequest(db, tenant, c.req.param('id'));
    if (!req) throw new NotFoundError('request.not_found', 'no such request');
    const [tasks, audit, erp] = await Promise.all([
      requestRepo.listTasks(db, req.id),
      db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenant).where('chain', '=', `request:${req.id}`).orderBy('seq').execute(),
      db.selectFrom('erp_documents').selectAll().where('request_id', '=', req.id).execute(),
    ]);
    return c.json({ request: req, tasks, audit, erp });
  });
  r.get('/api/jobs/dead', async (c) => c.json({ jobs: await outboxRepo.listDead(db) }));
  r.post('/api/jobs/:id/replay', async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isInteger(id)) throw new ValidationError('request.invalid', 'job id must be an integer');
    if (!(await outboxRepo.replay(db, id))) throw new NotFoundError('outbox.not_dead', `job ${id} is not dead-lettered`);
    onReplay();
    return c.json({ replayed: id });
  });
  return r;
}
