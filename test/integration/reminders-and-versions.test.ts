import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { loadIntentCatalog } from '../../src/config/intent-catalog.ts';
import { IntentVersions } from '../../src/workflow/intent-versions.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { remindOverdue } from '../../src/workflow/sla-reminders.ts';
import { ConsoleClient } from '../support/console-client.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

const clock = fixedClock(new Date('2026-11-23T02:00:00Z'));
let tdb: TestDb;
let app: App;
let cc: ConsoleClient;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock });
  cc = new ConsoleClient(app);
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

describe('reminders', () => {
  it('the requester can remind (催办) once per cooldown; the approver is notified', async () => {
    const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'transport', amount: '88.00', date: '2026-11-22' });
    const first = await app.approvals.act('default', req.id, { type: 'remind', actor: 'zhangsan', cooldownMs: 30 * 60_000 }, 'card');
    expect(first.ok).toBe(true);
    await cc.waitForText('lisi', /提醒你尽快审批/);
    clock.advance(10 * 60_000);
    const again = await app.approvals.act('default', req.id, { type: 'remind', actor: 'zhangsan', cooldownMs: 30 * 60_000 }, 'card');
    expect(again.ok ? 'ok' : again.error.code).toBe('workflow.remind_cooldown');
    clock.advance(25 * 60_000);
    expect((await app.approvals.act('default', req.id, { type: 'remind', actor: 'zhangsan', cooldownMs: 30 * 60_000 }, 'card')).ok).toBe(true);
  });

  it('tasks pending past the intent SLA get one automatic reminder per SLA period', async () => {
    const req = await submitDirect(app, 'material_requisition', 'zhangsan', { item: '打印纸', quantity: 10, warehouse: '一号仓' });
    expect(await remindOverdue(app.db.db, app.catalog, app.approvals, clock.now())).toBe(0);
    clock.advance(9 * 3600_000); // material_requisition: sla_hours 8
    const sent = await remindOverdue(app.db.db, app.catalog, app.approvals, clock.now());
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(await remindOverdue(app.db.db, app.catalog, app.approvals, clock.now())).toBe(0);
    const task = await app.db.db.selectFrom('approval_tasks').selectAll().where('request_id', '=', req.id).executeTakeFirstOrThrow();
    expect(task.remind_count).toBe(1);
    // The timer sent it, so the approver is not told the requester asked.
    await cc.waitForText('lisi', /已超过审批时限/);
    const jobs = await app.db.db.selectFrom('outbox_jobs').select('payload').where('kind', '=', 'message.send').execute();
    const reminders = jobs.map((j) => j.payload as { notify?: { requestId: string; message: { kind: string; by?: string } } })
      .filter((p) => p.notify?.requestId === req.id && p.notify.message.kind === 'reminder');
    expect(reminders.map((p) => p.notify?.message.by)).toEqual(['system']);
  });

  it('overdue tasks of a short-SLA intent are reminded even behind 201 pending tasks of a longer SLA that are not due', async () => {
    clock.advance(48 * 3600_000);
    await remindOverdue(app.db.db, app.catalog, app.approvals, clock.now()); // whatever earlier tests left
    for (let i = 0; i < 201; i++) {
      await submitDirect(app, 'travel_expense', 'zhangsan', { period: '2026-11', destination: '北京', amount: '100.00', purpose: `拜访客户 ${i}` }); // sla_hours 24
    }
    const urgent = await submitDirect(app, 'material_requisition', 'zhangsan', { item: '笔', quantity: 1, warehouse: '一号仓' }); // sla_hours 8
    clock.advance(9 * 3600_000);
    await remindOverdue(app.db.db, app.catalog, app.approvals, clock.now());
    const task = await app.db.db.selectFrom('approval_tasks').select('remind_count').where('request_id', '=', urgent.id).executeTakeFirstOrThrow();
    expect(task.remind_count).toBe(1);
  });

  it('a pending request whose intent left the catalog is still reminded, after the default 24 h', async () => {
    const req = await submitDirect(app, 'material_requisition', 'zhangsan', { item: '订书机', quantity: 2, warehouse: '一号仓' });
    await app.db.db.updateTable('requests').set({ intent_key: 'retired_intent' }).where('id', '=', req.id).execute();
    clock.advance(9 * 3600_000);
    await remindOverdue(app.db.db, app.catalog, app.approvals, clock.now());
    const count = async () => (await app.db.db.selectFrom('approval_tasks').select('remind_count').where('request_id', '=', req.id).executeTakeFirstOrThrow()).remind_count;
    expect(await count()).toBe(0); // not after the material SLA (8 h): the intent is gone
    clock.advance(16 * 3600_000);
    await remindOverdue(app.db.db, app.catalog, app.approvals, clock.now());
    expect(await count()).toBe(1);
  });
});

describe('intent versions', () => {
  it('a changed definition gets a new version; requests keep the one they were created under', async () => {
    const versions = new IntentVersions(app.db.db, app.catalog);
    await versions.sync('default');
    const v1 = versions.versionOf('travel_expense');
    const changed = loadIntentCatalog('intents');
    const def = changed.get('travel_expense');
    if (!def) throw new Error('missing');
    def.sla_hours = 12; // an admin edits the YAML
    const entry = changed.entry('travel_expense');
    if (entry) entry.contentHash = 'edited';
    const next = new IntentVersions(app.db.db, changed);
    await next.sync('default');
    expect(next.versionOf('travel_expense')).toBe(v1 + 1);
    expect((await next.definition('default', 'travel_expense', v1))?.sla_hours).toBe(24);
    expect((await next.definition('default', 'travel_expense', v1 + 1))?.sla_hours).toBe(12);
  });
});
