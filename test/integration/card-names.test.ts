import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { ConsoleClient, textOf, timelineItem } from '../support/console-client.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

let tdb: TestDb;
let app: App;
let cc: ConsoleClient;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle });
  cc = new ConsoleClient(app);
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

describe('names on request cards', () => {
  it('an approver who has since left the directory keeps their name on the timeline; the transfer picker lists active people only', async () => {
    const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount: '88.00', date: '2026-11-20' });
    const task = await app.db.db.selectFrom('approval_tasks').select('id').where('request_id', '=', req.id).executeTakeFirstOrThrow();
    await app.outbox.drain();
    // lisi approves, then leaves the company: the directory marks him inactive.
    expect((await app.approvals.act('default', req.id, { type: 'approve', actor: 'lisi', taskId: task.id }, 'api')).ok).toBe(true);
    await app.outbox.drain();
    const before = await cc.waitFor('zhangsan', (m) => m.kind === 'card' && textOf(m.card).includes(req.number) && textOf(m.card).includes('已通过'));
    await sql`update users set active = false where id = 'lisi'`.execute(app.db.db);
    app.directory.invalidate('default');
    // A later change re-renders every card: zhangsan comments.
    expect((await app.approvals.act('default', req.id, { type: 'comment', actor: 'zhangsan', text: '谢谢' }, 'api')).ok).toBe(true);
    await app.outbox.drain();
    const card = await cc.waitFor('zhangsan', (m) => m.id === before.id && m.revision > before.revision);
    expect(timelineItem(card.card, '直属上级审批')?.detail).toContain('李四');
    const people = await app.directory.people('default');
    expect(people.active.map((p) => p.id)).not.toContain('lisi');
    expect(people.name('zhangsan')).toBe('张三');
  });
});
