import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { linkPerson } from '../../src/master-data/person-links.ts';
import { textOf } from '../support/console-client.ts';
import { E2E_SUPPLIER, startTrytonLoop, type TrytonLoop } from '../support/tryton/erp-loop.ts';
import { approveAll, hasButton } from '../support/tryton/loop-chat.ts';
import { createRequisition, ensureEmployee, notesOf, press, requisitionState, setQuantity, setupRequisitions, type RequisitionSetup } from '../support/tryton/requisitions.ts';
import { startTryton, type TrytonServer } from '../support/tryton/start-tryton.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

/**
 * Purchase requisitions made in a real Tryton 6.0 and approved through the console, end to end: the instance maps
 * `purchase_requisition` to the intent erp_purchase_requisition; the app's own 1 s poll brings a requisition its owner
 * submitted in Tryton to chat as the owner's request (owner 张三, a Tryton employee of that name); the manager 李四
 * approves or rejects it on the task card; the decision goes back by the erp.decide job and Tryton shows it (approved
 * with 李四 as approver, or rejected with the reason in a note); the owner takes a rejected one back in Tryton, edits
 * and resubmits it, and the same chat request comes back as revision 2. Skipped where Tryton is not installed.
 */
const tryton = await startTryton();
const ID = 'tryton-origin';
const YEAR = new Date().getUTCFullYear();

describe.skipIf(!tryton)('Tryton purchase requisitions approved through the console', () => {
  const t = tryton as TrytonServer;
  let tdb: TestDb;
  let loop: TrytonLoop;
  let s: RequisitionSetup;
  let supplier: number;

  beforeAll(async () => {
    tdb = await createTestDb();
    loop = await startTrytonLoop(tdb, t, { id: ID, pollSeconds: 1, approvals: [{ docKind: 'purchase_requisition', intent: 'erp_purchase_requisition' }] });
    const owner = await ensureEmployee(loop.admin, t, '张三'); // the directory's zhangsan, by name
    s = await setupRequisitions(t, loop.admin, { ownerEmployee: owner, login: 'zhangsan-tryton', approverName: '李四' });
    // An admin links the manager to their Tryton employee, so Tryton records who approved.
    await linkPerson(loop.app.db.db, { tenantId: 'default', connector: ID, userId: 'lisi', erpId: String(s.approverEmployee), matchedBy: 'manual' }, new Date());
    [supplier] = await loop.admin.search('party.party', [['name', '=', E2E_SUPPLIER]], { limit: 1 }) as [number];
  });
  afterEach(async (c) => {
    if (c.task.result?.state !== 'fail' || !loop) return;
    const jobs = await loop.app.db.db.selectFrom('outbox_jobs').select(['kind', 'status', 'attempts', 'last_error']).where('status', '!=', 'done').execute();
    const origin = await loop.app.db.db.selectFrom('erp_originated').selectAll().execute();
    console.error('jobs not done:', JSON.stringify(jobs, null, 1), '\noriginated:', JSON.stringify(origin, null, 1));
  });
  afterAll(async () => {
    await loop?.close();
    await s?.requester.logout().catch(() => undefined);
    await tdb?.drop();
    await t.stop();
  });

  /** The chat request of requisition `id` once the poll has brought it (and `pred` holds). */
  const requestOf = async (id: number, pred: (r: { status: string; revision: number }) => boolean = () => true) => {
    const { db } = loop.app.db;
    const read = async () => {
      const row = await db.selectFrom('erp_originated').select('request_id').where('connector', '=', ID).where('erp_id', '=', String(id)).executeTakeFirst();
      return row?.request_id ? db.selectFrom('requests').selectAll().where('id', '=', row.request_id).executeTakeFirst() : undefined;
    };
    const req = await until(read, (r) => !!r && pred(r), 20_000, 50);
    if (!req || !pred(req)) throw new Error(`requisition ${id} has no chat request matching the test (${JSON.stringify(req ?? null)})`);
    return req;
  };
  const trytonState = (id: number, states: string[]) => until(() => requisitionState(loop.admin, id), (st) => !!st && states.includes(st), 20_000, 50);

  it('a requisition waiting in Tryton becomes 张三\'s request with 李四\'s task card; approved in chat, Tryton shows it approved by 李四', async () => {
    const id = await createRequisition(s.requester, {
      description: '会议室投影仪', supplyDate: `${YEAR}-12-20`,
      lines: [{ description: '激光投影仪', quantity: 2, unitPrice: '2450.00', supplier }, { description: '吊装支架', quantity: 2, unitPrice: '150.00' }],
    });
    await press(s.requester, id, 'wait', 'waiting');
    const req = await requestOf(id);
    expect(req).toMatchObject({ requester_id: 'zhangsan', intent_key: 'erp_purchase_requisition', status: 'pending', revision: 1, amount: '5200.00' });
    expect(req.fields).toMatchObject({ title: '会议室投影仪', amount: '5200.00', supplier: E2E_SUPPLIER, items: '激光投影仪 × 2; 吊装支架 × 2' });
    expect(req.erp_origin).toMatchObject({ connector: ID, erpId: String(id), state: 'waiting', total: '5200.00', owner: { name: '张三' } });

    const task = await loop.cc.waitFor('lisi', (m) => hasButton('approve')(m) && (m.card?.title ?? '').includes(req.number));
    expect(textOf(task.card)).toContain('会议室投影仪');
    await approveAll(loop.cc, req.number, ['lisi']);
    expect(await trytonState(id, ['approved', 'processing'])).toMatch(/approved|processing/);
    const [row] = await loop.admin.read<{ approved_by: number | null }>('purchase.requisition', [id], ['approved_by']);
    expect(row?.approved_by).toBe(s.approverEmployee);
    const done = await until(() => requestOf(id), (r) => (r.erp_origin as { decision?: { status?: string } } | null)?.decision?.status === 'done', 20_000, 50);
    expect(done).toMatchObject({ status: 'approved', erp_origin: { state: 'approved', decision: { decision: 'approve', revision: 1, status: 'done' } } });
  });

  it('rejected in chat with a reason: Tryton shows it rejected with the reason in a note; edited and resubmitted there, the same request comes back as revision 2 and is approved', async () => {
    const id = await createRequisition(s.requester, { description: '办公椅更换', supplyDate: `${YEAR}-12-21`, lines: [{ description: '人体工学椅', quantity: 8, unitPrice: '900.00', supplier }] });
    await press(s.requester, id, 'wait', 'waiting');
    const first = await requestOf(id);
    expect(first.amount).toBe('7200.00');
    const task = await loop.cc.waitFor('lisi', (m) => hasButton('reject')(m) && (m.card?.title ?? '').includes(first.number));
    const reason = '先换 4 把，其余下季度再说';
    expect((await loop.cc.click('lisi', task.id, 'reject', { comment: reason })).status).toBe(200);
    expect(await trytonState(id, ['rejected'])).toBe('rejected');
    const notes = await until(() => notesOf(s.requester, id), (n) => n.length > 0, 20_000, 50);
    expect(notes.map((n) => n.message)).toEqual([`${reason}\n— 李四`]);
    await requestOf(id, (r) => r.status === 'rejected');

    // 张三 takes it back in Tryton, orders four, submits again.
    await press(s.requester, id, 'draft', 'draft');
    await setQuantity(s.requester, id, 4);
    await press(s.requester, id, 'wait', 'waiting');
    const second = await requestOf(id, (r) => r.revision === 2 && r.status === 'pending');
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ number: first.number, amount: '3600.00', fields: expect.objectContaining({ items: '人体工学椅 × 4' }) });
    await approveAll(loop.cc, first.number, ['lisi']);
    expect(await trytonState(id, ['approved', 'processing'])).toMatch(/approved|processing/);
    const done = await until(() => requestOf(id), (r) => (r.erp_origin as { decision?: { status?: string } } | null)?.decision?.status === 'done', 20_000, 50);
    expect(done).toMatchObject({ status: 'approved', revision: 2, erp_origin: { decision: { decision: 'approve', revision: 2 } } });
    expect(await notesOf(s.requester, id)).toHaveLength(1);
  });
});
