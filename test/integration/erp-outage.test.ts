import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { ExternalServiceError } from '../../src/core/errors.ts';
import type { ErpConnector } from '../../src/erp/erp-connector.ts';
import { ConsoleClient, timelineItem } from '../support/console-client.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';
import { adminToken } from '../support/admin-token.ts';

/** The sandbox ERP behind an outage switch: while down (or for the next `failNext` calls), creates fail like a 503. */
function withOutage(inner: ErpConnector, state: { down: boolean; failNext: number; calls: number; refuse: string | null }): ErpConnector {
  return {
    id: inner.id, erp: inner.erp, capabilities: () => inner.capabilities(),
    createDocument: async (input) => {
      state.calls++;
      if (state.refuse) throw new ExternalServiceError('erp', 'erp.validation', state.refuse, { retryable: false });
      if (state.failNext > 0) state.failNext--;
      else if (!state.down) return inner.createDocument(input);
      throw new ExternalServiceError('erp', 'erp.unavailable', 'ERP answered 503', { retryable: true, retryAfterMs: 20 });
    },
    findByExternalKey: (k, key) => inner.findByExternalKey(k, key), submit: (r) => inner.submit(r), approve: (r) => inner.approve(r),
    reverse: (r, o) => inner.reverse(r, o), getStatus: (r) => inner.getStatus(r), listChanges: (c, o) => inner.listChanges(c, o),
  };
}

const erp = { down: false, failNext: 0, calls: 0, refuse: null as string | null };
let tdb: TestDb;
let app: App;
let cc: ConsoleClient;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, env: { OUTBOX_MAX_ATTEMPTS: '3' }, wrapErp: (c) => withOutage(c, erp) });
  cc = new ConsoleClient(app);
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

async function approveAsLisi(requestId: string): Promise<void> {
  const task = await app.db.db.selectFrom('approval_tasks').selectAll().where('request_id', '=', requestId).executeTakeFirstOrThrow();
  expect((await app.approvals.act('default', requestId, { type: 'approve', actor: 'lisi', taskId: task.id }, 'api')).ok).toBe(true);
}


const requestRow = (id: string) => () => app.db.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('an ERP that is down', () => {
  it('a short outage is retried with backoff and the document is created once', async () => {
    const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount: '150.00', date: '2026-11-20' });
    erp.failNext = 2; // two failed attempts, the third of three succeeds
    erp.calls = 0;
    await approveAsLisi(req.id);
    const row = await until(requestRow(req.id), (r) => r.erp_status === 'created');
    expect(row.erp_status).toBe('created');
    expect(erp.calls).toBe(3);
    const docs = await app.db.db.selectFrom('sandbox_erp_documents').selectAll().where('external_key', 'like', `%${req.number}%`).execute();
    expect(docs).toHaveLength(1);
  });

  it('a long outage dead-letters the job, the cards say it failed, and a replay creates the document once', async () => {
    const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'transport', amount: '66.00', date: '2026-11-21' });
    erp.down = true;
    await approveAsLisi(req.id);
    const failed = await until(requestRow(req.id), (r) => r.erp_status === 'failed');
    expect(failed.erp_status).toBe('failed');
    const card = await cc.waitFor('zhangsan', (m) => (m.card?.title ?? '').includes(req.number) && timelineItem(m.card, 'ERP 单据生成失败') !== undefined);
    expect(card).toBeDefined();
    const dead = await app.db.db.selectFrom('outbox_jobs').selectAll().where('kind', '=', 'erp.create').where('status', '=', 'dead').execute();
    expect(dead).toHaveLength(1);
    expect(dead[0]?.attempts).toBe(3);
    expect(dead[0]?.last_error).toContain('ERP answered 503');

    erp.down = false;
    const replay = await app.http.request(`/admin/api/jobs/${dead[0]?.id}/replay`, { method: 'POST', headers: (await adminToken(app)).headers });
    expect(replay.status).toBe(200);
    const created = await until(requestRow(req.id), (r) => r.erp_status === 'created');
    expect(created.erp_status).toBe('created');
    const docs = await app.db.db.selectFrom('sandbox_erp_documents').selectAll().where('external_key', 'like', `%${req.number}%`).execute();
    expect(docs).toHaveLength(1);
    const audit = await app.db.db.selectFrom('audit_log').select('action').where('chain', '=', `request:${req.id}`).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['request.submit', 'request.approve', 'request.erp_failed', 'request.erp_created']);
  });

  it('a refusal fails at once with the ERP\'s own words on the card and in the trail; a replay after the fix creates it once', async () => {
    const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount: '42.00', date: '2026-11-22' });
    erp.refuse = 'Party "Zhang San" does not exist';
    erp.calls = 0;
    await approveAsLisi(req.id);
    await until(requestRow(req.id), (r) => r.erp_status === 'failed');
    expect(erp.calls).toBe(1);
    const dead = await app.db.db.selectFrom('outbox_jobs').selectAll().where('kind', '=', 'erp.create').where('status', '=', 'dead')
      .where(sql<boolean>`payload->>'requestId' = ${req.id}`).executeTakeFirstOrThrow();
    expect(dead.attempts).toBe(1);
    const doc = await app.db.db.selectFrom('erp_documents').selectAll().where('request_id', '=', req.id).executeTakeFirstOrThrow();
    expect(doc.last_error).toBe('erp.validation: Party "Zhang San" does not exist');
    const card = await cc.waitFor('zhangsan', (m) => (m.card?.title ?? '').includes(req.number) && JSON.stringify(m.card).includes('Party \\"Zhang San\\" does not exist'));
    expect(card).toBeDefined();
    // The poll finds the ERP answering: a refusal is not resumed by it, only by an admin.
    await app.erp.syncConnector('default', 'sandbox');
    expect((await app.db.db.selectFrom('outbox_jobs').select('status').where('id', '=', dead.id).executeTakeFirstOrThrow()).status).toBe('dead');

    erp.refuse = null;
    expect((await app.http.request(`/admin/api/jobs/${dead.id}/replay`, { method: 'POST', headers: (await adminToken(app)).headers })).status).toBe(200);
    await until(requestRow(req.id), (r) => r.erp_status === 'created');
    const docs = await app.db.db.selectFrom('sandbox_erp_documents').selectAll().where('external_key', 'like', `%${req.number}%`).execute();
    expect(docs).toHaveLength(1);
  });

  it('creations that ran out of attempts while the ERP was down resume by themselves once a poll reaches it', async () => {
    const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'transport', amount: '18.50', date: '2026-11-23' });
    erp.down = true;
    await approveAsLisi(req.id);
    await until(requestRow(req.id), (r) => r.erp_status === 'failed');
    erp.down = false;
    await app.erp.syncConnector('default', 'sandbox');
    await until(requestRow(req.id), (r) => r.erp_status === 'created');
    const docs = await app.db.db.selectFrom('sandbox_erp_documents').selectAll().where('external_key', 'like', `%${req.number}%`).execute();
    expect(docs).toHaveLength(1);
  });
});
