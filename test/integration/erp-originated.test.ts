import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import type { ErpConnector } from '../../src/erp/erp-connector.ts';
import { connectorHealth } from '../../src/erp/erp-health.ts';
import { ErpOriginated } from '../../src/erp/erp-originated.ts';
import type { ErpDecidePayload } from '../../src/jobs/job-kinds.ts';
import { IntentVersions } from '../../src/workflow/intent-versions.ts';
import { MemoryApprovalInbox } from '../fakes/memory-approval-inbox.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * The ERP-originated loop in the service, against an in-memory ERP that keeps the port's rules (the connectors are
 * tested against real Tryton, the Kingdee fake and the REST fake): a waiting document becomes its owner's request,
 * the chat decision goes back, a rejection returns it, the resubmission rejoins the same request as revision 2.
 */
let tdb: TestDb;
let app: App;
let erp: MemoryApprovalInbox;
let originated: ErpOriginated;
let connectorId: string;
const T = 'default';

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, noWorkers: true });
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});
beforeEach(async () => {
  erp = new MemoryApprovalInbox();
  const id = `mem${Math.random().toString(36).slice(2, 8)}`;
  connectorId = id;
  const intents = new IntentVersions(app.db.db, app.catalog);
  await intents.sync(T);
  originated = new ErpOriginated({
    db: app.db.db, connectors: new Map([[id, { id, erp: 'mem', approvals: erp } as unknown as ErpConnector]]),
    instances: new Map([[id, { tenant: T, mappings: [{ docKind: 'purchase_requisition', intent: 'erp_purchase_requisition' }] }]]),
    approvals: app.approvals, intents, clock: { now: () => new Date('2026-12-01T02:00:00Z') }, logger: pino({ level: 'silent' }),
    originFor: async (_t, _c, _b, userId) => ({ platform: 'console', botId: 'console', userExternalId: userId }),
  });
});

const zhang = { erpId: 'E-7', name: '张三' };
const lines = [{ item: 'Monitor', quantity: '2', amount: '2400.00' }, { item: 'Keyboard', quantity: '2', amount: '300.00' }];

async function requestOf(erpId: string) {
  const row = await app.db.db.selectFrom('erp_originated').select('request_id').where('erp_id', '=', erpId).executeTakeFirstOrThrow();
  const req = await app.db.db.selectFrom('requests').selectAll().where('id', '=', row.request_id!).executeTakeFirstOrThrow();
  const tasks = await app.db.db.selectFrom('approval_tasks').selectAll().where('request_id', '=', req.id).orderBy('created_at').execute();
  return { req, tasks };
}

async function decideJob(requestId: string): Promise<ErpDecidePayload[]> {
  const jobs = await app.db.db.selectFrom('outbox_jobs').select('payload').where('kind', '=', 'erp.decide').where('payload', '@>', JSON.stringify({ requestId }) as never).orderBy('id').execute();
  return jobs.map((j) => j.payload as ErpDecidePayload);
}

describe('ERP-originated approvals', () => {
  it('a waiting document becomes its owner\'s request; approval goes back to the ERP with the approver', async () => {
    erp.submit('101', zhang, lines);
    expect(await originated.syncConnector(T, connectorId)).toBe(1);
    const { req, tasks } = await requestOf('101');
    expect(req).toMatchObject({ requester_id: 'zhangsan', status: 'pending', intent_key: 'erp_purchase_requisition', erp_status: 'not_required' });
    expect(req.fields).toMatchObject({ amount: '2700.00', erp_number: 'REQ-101', items: 'Monitor × 2; Keyboard × 2' });
    expect(req.erp_origin).toMatchObject({ number: 'REQ-101', state: 'waiting', total: '2700.00', owner: { name: '张三' } });
    expect(tasks.map((t) => t.approver_id)).toEqual(['lisi']);
    // A second poll with nothing new changes nothing.
    expect(await originated.syncConnector(T, connectorId)).toBe(0);

    expect((await app.approvals.act(T, req.id, { type: 'approve', actor: 'lisi', taskId: tasks[0]!.id }, 'api')).ok).toBe(true);
    const [job] = await decideJob(req.id);
    expect(job).toMatchObject({ decision: 'approve', revision: 1 });
    await originated.decide(T, job!);
    expect(erp.state('101')?.state).toBe('approved');
    expect(erp.decisions).toEqual([{ id: '101', decision: 'approve', approver: { name: '李四' } }]);
    const after = await requestOf('101');
    expect(after.req.status).toBe('approved');
    expect(after.req.erp_origin).toMatchObject({ state: 'approved', decision: { decision: 'approve', status: 'done', revision: 1 } });
    // The ERP's own report of the approval is a repeat.
    expect(await originated.syncConnector(T, connectorId)).toBe(0);
  });

  it('reject → the ERP gets the reason; the owner edits and resubmits → the same request, revision 2, approved', async () => {
    erp.submit('202', zhang, lines);
    await originated.syncConnector(T, connectorId);
    const first = await requestOf('202');
    expect((await app.approvals.act(T, first.req.id, { type: 'reject', actor: 'lisi', taskId: first.tasks[0]!.id, reason: '型号不对，换成 27 寸' }, 'api')).ok).toBe(true);
    const [job] = await decideJob(first.req.id);
    await originated.decide(T, job!);
    expect(erp.state('202')).toMatchObject({ state: 'rejected', rejectReason: '型号不对，换成 27 寸' });
    expect(await originated.syncConnector(T, connectorId)).toBe(0);

    erp.setState('202', 'draft');
    erp.edit('202', [{ item: 'Monitor 27"', quantity: '2', amount: '2800.00' }]);
    erp.setState('202', 'waiting');
    await originated.syncConnector(T, connectorId);
    const second = await requestOf('202');
    expect(second.req.id).toBe(first.req.id);
    expect(second.req).toMatchObject({ status: 'pending', revision: 2, amount: '2800.00' });
    const open = second.tasks.filter((t) => t.revision === 2);
    expect(open.map((t) => t.status)).toEqual(['pending']);
    expect((await app.approvals.act(T, second.req.id, { type: 'approve', actor: 'lisi', taskId: open[0]!.id }, 'api')).ok).toBe(true);
    const jobs = await decideJob(second.req.id);
    expect(jobs.map((j) => [j.decision, j.revision])).toEqual([['reject', 1], ['approve', 2]]);
    await originated.decide(T, jobs[1]!);
    expect(erp.state('202')?.state).toBe('approved');
  });

  it('pulled back to draft, deleted, or decided in the ERP while pending → the chat request is closed; a change restarts it', async () => {
    erp.submit('301', zhang, lines);
    erp.submit('302', zhang, lines);
    erp.submit('303', zhang, lines);
    erp.submit('304', zhang, lines);
    await originated.syncConnector(T, connectorId);
    erp.setState('301', 'draft');
    erp.remove('302');
    erp.setState('303', 'approved');
    erp.edit('304', [{ item: 'Monitor', quantity: '3', amount: '3600.00' }]);
    await originated.syncConnector(T, connectorId);
    expect((await requestOf('301')).req.status).toBe('withdrawn');
    expect((await requestOf('302')).req.status).toBe('withdrawn');
    expect((await requestOf('302')).req.erp_origin).toMatchObject({ state: 'deleted' });
    expect((await requestOf('303')).req.status).toBe('withdrawn');
    const changed = await requestOf('304');
    expect(changed.req).toMatchObject({ status: 'pending', revision: 2, amount: '3600.00' });
    expect(changed.tasks.map((t) => [t.revision, t.status])).toEqual([[1, 'cancelled'], [2, 'pending']]);
    // The requester cannot withdraw or resubmit it in chat: that happens in the ERP.
    const w = await app.approvals.act(T, changed.req.id, { type: 'withdraw', actor: 'zhangsan' }, 'api');
    expect(w.ok ? null : w.error.code).toBe('workflow.erp_owned');
  });

  it('an owner not in the directory is not lost: it waits and is applied once the person exists', async () => {
    erp.submit('401', { erpId: 'E-99', name: '赵六' }, lines);
    expect(await originated.syncConnector(T, connectorId)).toBe(0);
    const row = await app.db.db.selectFrom('erp_originated').selectAll().where('erp_id', '=', '401').executeTakeFirstOrThrow();
    expect(row.request_id).toBeNull();
    expect(row.last_error).toContain('赵六');
    await app.db.db.insertInto('erp_person_links').values({ tenant_id: T, connector: connectorId, user_id: 'zhangsan', erp_id: 'E-99', matched_by: 'manual', updated_at: new Date() }).execute();
    expect(await originated.syncConnector(T, connectorId)).toBe(1);
    expect((await requestOf('401')).req.requester_id).toBe('zhangsan');
  });

  it('an ERP that is down: the poll fails and keeps its cursor; a decision is retried, a refusal shows on the card', async () => {
    erp.submit('501', zhang, lines);
    erp.down = true;
    await expect(originated.syncConnector(T, connectorId)).rejects.toMatchObject({ code: 'erp.unavailable' });
    const [health] = await connectorHealth(app.db.db, [{ connector: connectorId, tenant: T, kind: 'mem', pollIntervalMs: 60_000 }], new Date('2026-12-01T02:00:30Z'));
    expect(health?.feeds).toEqual([{ feed: 'approvals', lastAttemptAt: '2026-12-01T02:00:00.000Z', lastSuccessAt: null, lastError: 'ERP answered 503', lagSeconds: null }]);
    erp.down = false;
    expect(await originated.syncConnector(T, connectorId)).toBe(1);
    const { req, tasks } = await requestOf('501');
    await app.approvals.act(T, req.id, { type: 'approve', actor: 'lisi', taskId: tasks[0]!.id }, 'api');
    const [job] = await decideJob(req.id);
    erp.down = true;
    await expect(originated.decide(T, job!)).rejects.toMatchObject({ code: 'erp.unavailable' });
    expect((await requestOf('501')).req.erp_origin).not.toHaveProperty('decision');
    erp.down = false;
    erp.setState('501', 'draft'); // the owner pulled it back meanwhile: the ERP refuses the approval
    await expect(originated.decide(T, job!)).rejects.toMatchObject({ code: 'erp.not_allowed_in_state' });
    expect((await requestOf('501')).req.erp_origin).toMatchObject({ decision: { status: 'failed', decision: 'approve' } });
  });
});
