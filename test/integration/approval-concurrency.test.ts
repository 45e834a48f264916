import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { buttonsOf, ConsoleClient } from '../support/console-client.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

let tdb: TestDb;
let app: App;
let cc: ConsoleClient;

beforeAll(async () => {
  tdb = await createTestDb(24);
  app = await startApp({ db: tdb.handle });
  cc = new ConsoleClient(app);
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

describe('concurrent approvals', () => {
  it('20 concurrent approve clicks on one task → exactly one transition, 19 "already handled"', async () => {
    const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount: '300.00', date: '2026-11-20' });
    const card = await cc.waitFor('lisi', (m) => m.kind === 'card' && buttonsOf(m.card).some((b) => b.actionId === 'approve'));
    // Freeze card updates so every click reaches the engine with the same (soon stale) card.
    await app.outbox.stop();
    const results = await Promise.all(Array.from({ length: 20 }, () => cc.click('lisi', card.id, 'approve')));
    const ok = results.filter((r) => r.status === 200);
    const handled = results.filter((r) => r.status === 409 && r.body.error?.code === 'workflow.already_handled');
    console.log('20 concurrent approve clicks → %d transition, %d already handled', ok.length, handled.length);
    expect(ok).toHaveLength(1);
    expect(handled).toHaveLength(19);
    const after = await app.db.db.selectFrom('requests').selectAll().where('id', '=', req.id).executeTakeFirstOrThrow();
    expect(after.status).toBe('approved');
    expect(after.version).toBe(req.version + 1);
    const audit = await app.db.db.selectFrom('audit_log').selectAll().where('subject_id', '=', req.id).where('action', '=', 'request.approve').execute();
    expect(audit).toHaveLength(1);
    const erpJobs = await app.db.db.selectFrom('outbox_jobs').selectAll().where('kind', '=', 'erp.create').execute();
    expect(erpJobs).toHaveLength(1);
    app.outbox.start();
  });

  it('a redelivered click (same event id) is acknowledged and changes nothing', async () => {
    const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'office', amount: '45.00', date: '2026-11-21' });
    const card = await cc.waitFor('lisi', (m) => m.kind === 'card' && (m.card?.title ?? '').includes(req.number) && buttonsOf(m.card).some((b) => b.actionId === 'approve'));
    await app.outbox.stop();
    const first = await cc.click('lisi', card.id, 'approve', {}, 'cb-evt-42');
    const again = await cc.click('lisi', card.id, 'approve', {}, 'cb-evt-42');
    app.outbox.start();
    expect(first.status).toBe(200);
    expect([again.status, again.body.error?.code]).toEqual([409, 'workflow.already_handled']);
    const rows = await app.db.db.selectFrom('inbox_events').selectAll().where('event_id', '=', 'cb-evt-42').execute();
    expect(rows).toHaveLength(1);
    const audit = await app.db.db.selectFrom('audit_log').selectAll().where('chain', '=', `request:${req.id}`).execute();
    expect(audit.map((a) => a.action)).toEqual(['request.submit', 'request.approve']);
  });

  it('a contract over 500k goes through department leader, finance and admin in order', async () => {
    const req = await submitDirect(app, 'contract_approval', 'zhangsan', { counterparty: '星河科技', amount: '800000.00', contract_type: 'sales' });
    const tasks = () => app.db.db.selectFrom('approval_tasks').selectAll().where('request_id', '=', req.id).where('status', '=', 'pending').execute();
    const [leader] = await tasks();
    expect((await app.approvals.act('default', req.id, { type: 'approve', actor: leader?.approver_id ?? '', taskId: leader?.id ?? '' }, 'api')).ok).toBe(true);
    const [finance] = await tasks();
    expect((await app.approvals.act('default', req.id, { type: 'approve', actor: finance?.approver_id ?? '', taskId: finance?.id ?? '' }, 'api')).ok).toBe(true);
    const pending = await tasks();
    expect(pending.map((t) => t.approver_id).sort()).toEqual(['admin']);
    const out = await app.approvals.act('default', req.id, { type: 'approve', actor: 'admin', taskId: pending[0]?.id ?? '' }, 'api');
    expect(out.ok && out.request.status).toBe('approved');
  });
});
