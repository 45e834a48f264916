import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { DEMO_USERS, writeDirectoryFile } from '../support/directory-fixture.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { adminToken } from '../support/admin-token.ts';

/**
 * Cycle times over a scripted month: requests made through the real approval service and the sandbox ERP, the
 * clock moved by hand between submission, each approval, the ERP document, posting and payment. Hours are
 * relative to T0 = 2026-11-02T00:00Z (08:00 in Asia/Shanghai, the default time zone). Every figure below is
 * worked out by hand with nearest-rank percentiles (rank ceil(p·n) of the sorted values).
 */
const T0 = Date.parse('2026-11-02T00:00:00Z');
const H = 3600_000;
/** A service token with admin:read (set once the app runs). */
let TOKEN = '';
const clock = fixedClock(new Date(T0 - 30 * H));
/** zhaoliu: a finance-department employee whose manager is admin (the demo people are in sales, finance, hq). */
const USERS = [...DEMO_USERS, { id: 'zhaoliu', name: '赵六', department: 'finance', manager: 'admin', roles: ['employee'] }];

let tdb: TestDb;
let app: App;
const ids = new Map<string, string>();

const expense = (amount: string) => ({ category: 'meal', amount, date: '2026-11-01' });
const purchase = (amount: string) => ({ item: '显示器', quantity: 2, amount });

async function submit(name: string, intent: string, requester: string, fields: Record<string, unknown>): Promise<void> {
  ids.set(name, (await submitDirect(app, intent, requester, fields)).id);
}
async function pendingTask(name: string, approver: string): Promise<string> {
  const t = await app.db.db.selectFrom('approval_tasks').select('id').where('request_id', '=', ids.get(name) ?? '').where('approver_id', '=', approver)
    .where('status', '=', 'pending').executeTakeFirstOrThrow();
  return t.id;
}
async function decide(name: string, approver: string, reject = false): Promise<void> {
  const taskId = await pendingTask(name, approver);
  const out = await app.approvals.act('default', ids.get(name) ?? '', reject ? { type: 'reject', actor: approver, taskId, reason: '超出标准' } : { type: 'approve', actor: approver, taskId }, 'api');
  expect(out.ok).toBe(true);
}
async function createDoc(name: string): Promise<void> {
  await app.erp.createForRequest('default', ids.get(name) ?? '');
}
/** Moves the sandbox ledger (post or pay) and reports the move to the request, as an operator's click does. */
async function ledger(name: string, op: 'post' | 'pay'): Promise<void> {
  const doc = await app.db.db.selectFrom('erp_documents').selectAll().where('request_id', '=', ids.get(name) ?? '').executeTakeFirstOrThrow();
  const l = app.erp.connector(doc.connector).ledger;
  if (!l || !doc.erp_id) throw new Error('not a sandbox document');
  const ref = { erp: 'sandbox', docKind: doc.doc_kind as 'payable', formId: 'sandbox_document', id: doc.erp_id, externalKey: doc.external_key };
  const moved = op === 'post' ? await l.post(ref, app.db.db) : await l.pay(ref, `BANK-${name}`, app.db.db);
  expect(moved.changed).toBe(true);
  await app.erp.applyChange('default', doc.connector, { snapshot: moved.snapshot });
}

/** [hours after T0, what happens]: run in time order with the clock set to each. */
const SCRIPT: [number, () => Promise<void>][] = [
  // R0: before the window (2026-11-01 12:00 local).
  [-20, () => submit('R0', 'expense_claim', 'zhangsan', expense('50.00'))], [-19, () => decide('R0', 'lisi')],
  // R1: 2026-11-02 00:30 local, still 11-01 in UTC: inside a window that starts 11-02 in Shanghai.
  [-7.5, () => submit('R1', 'expense_claim', 'zhangsan', expense('100.00'))], [-5.5, () => decide('R1', 'lisi')],
  [-5, () => createDoc('R1')], [-2, () => ledger('R1', 'post')], [3, () => ledger('R1', 'pay')],
  // R2: two steps (over 2000: finance after the manager).
  [0, () => submit('R2', 'expense_claim', 'zhangsan', expense('3000.00'))], [1, () => decide('R2', 'lisi')], [4, () => decide('R2', 'wangwu')],
  [5, () => createDoc('R2')], [7, () => ledger('R2', 'post')], [11, () => ledger('R2', 'pay')],
  [1, () => submit('R3', 'expense_claim', 'zhaoliu', expense('500.00'))], [7, () => decide('R3', 'admin')],
  [7 + 1 / 3, () => createDoc('R3')], [8 + 1 / 3, () => ledger('R3', 'post')], [9 + 1 / 3, () => ledger('R3', 'pay')],
  [2, () => submit('R4', 'purchase_request', 'zhangsan', purchase('800.00'))], [10, () => decide('R4', 'lisi')],
  [12, () => createDoc('R4')], [18, () => ledger('R4', 'post')],
  // R5: approved, its ERP document not made yet.
  [3, () => submit('R5', 'purchase_request', 'zhaoliu', purchase('20000.00'))], [6, () => decide('R5', 'admin')], [8, () => decide('R5', 'wangwu')],
  [4, () => submit('R9', 'expense_claim', 'zhangsan', expense('60.00'))], [5, () => decide('R9', 'lisi', true)],
  // Still pending at now = +62: R6 (24 h SLA) and R8 (48 h) are past it, R7 is not.
  [12, () => submit('R6', 'expense_claim', 'zhaoliu', expense('70.00'))],
  [13, () => submit('R8', 'purchase_request', 'zhaoliu', purchase('900.00'))],
  [40, () => submit('R7', 'purchase_request', 'zhangsan', purchase('1000.00'))],
];
const NOW = 62;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock, env: { DIRECTORY_FILE: writeDirectoryFile(USERS) }, noWorkers: true });
  TOKEN = (await adminToken(app, 'default', ['admin:read'])).token;
  // Stable sort: events at the same hour keep their order above.
  for (const [at, step] of [...SCRIPT].sort((a, b) => a[0] - b[0])) {
    clock.set(new Date(T0 + at * H));
    await step();
  }
  clock.set(new Date(T0 + NOW * H));
});
afterAll(async () => {
  await app?.stop();
  await tdb?.drop();
});

async function get(path: string, token: string | null = TOKEN): Promise<{ status: number; body: any }> {
  const res = await app.http.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.json() };
}
const stage = (count: number, p50Hours: number | null, p90Hours: number | null) => ({ count, p50Hours, p90Hours });
const none = stage(0, null, null);

describe('GET /admin/api/cycle-times', () => {
  it('per intent and per department: counts and nearest-rank p50/p90 hours of each stage, in the tenant\'s days', async () => {
    const { status, body } = await get('/admin/api/cycle-times?from=2026-11-02&to=2026-11-04');
    expect(status).toBe(200);
    expect(body.window).toEqual({ start: '2026-11-01T16:00:00.000Z', end: '2026-11-04T16:00:00.000Z' });
    expect([body.timeZone, body.percentile, body.now]).toEqual(['Asia/Shanghai', 'nearest-rank', '2026-11-04T14:00:00.000Z']);
    // expense_claim: R1 R2 R3 R9 R6. Approved R1 2h, R2 4h, R3 6h; ERP 0.5, 1, 0.33; posted 3, 2, 1; paid 5, 4, 1; submit→paid 10.5, 11, 8.33.
    // purchase_request: R4 R5 R8 R7. Approved R4 8h, R5 5h; R4 ERP 2h, posted 6h; nothing paid.
    expect(body.byIntent).toEqual([
      { intent: 'expense_claim', count: 5, stages: { submitToApproved: stage(3, 4, 6), approvedToErpCreated: stage(3, 0.5, 1), erpCreatedToPosted: stage(3, 2, 3),
        postedToPaid: stage(3, 4, 5), submitToPaid: stage(3, 10.5, 11) } },
      { intent: 'purchase_request', count: 4, stages: { submitToApproved: stage(2, 5, 8), approvedToErpCreated: stage(1, 2, 2), erpCreatedToPosted: stage(1, 6, 6),
        postedToPaid: none, submitToPaid: none } },
    ]);
    // sales (zhangsan): R1 R2 R4 R9 R7; finance (zhaoliu): R3 R5 R6 R8.
    expect(body.byDepartment).toEqual([
      { department: { id: 'finance', name: '财务部' }, count: 4, stages: { submitToApproved: stage(2, 5, 6), approvedToErpCreated: stage(1, 0.3, 0.3),
        erpCreatedToPosted: stage(1, 1, 1), postedToPaid: stage(1, 1, 1), submitToPaid: stage(1, 8.3, 8.3) } },
      { department: { id: 'sales', name: '销售部' }, count: 5, stages: { submitToApproved: stage(3, 4, 8), approvedToErpCreated: stage(3, 1, 2),
        erpCreatedToPosted: stage(3, 3, 6), postedToPaid: stage(2, 4, 5), submitToPaid: stage(2, 10.5, 11) } },
    ]);
  });

  it('pending tasks past their intent\'s SLA at the clock\'s now, and each approver\'s waits', async () => {
    const { body } = await get('/admin/api/cycle-times?from=2026-11-02&to=2026-11-04');
    // R6 waited 50 h (SLA 24); R8 49 h (SLA 48) and R7 22 h.
    expect(body.pendingPastSla).toEqual([
      { intent: 'expense_claim', slaHours: 24, pending: 1, pastSla: 1 },
      { intent: 'purchase_request', slaHours: 48, pending: 2, pastSla: 1 },
    ]);
    // lisi: R1 2 h, R2 1 h, R9 1 h (a rejection), R4 8 h (R0 acted before the window); R7 pending 22 h.
    // wangwu: R2 3 h (from lisi's approval), R5 2 h. admin: R3 6 h, R5 3 h; R6 and R8 pending, R6 for 50 h.
    expect(body.approvers).toEqual([
      { approver: { id: 'admin', name: '管理员' }, acted: 2, p50Hours: 3, p90Hours: 6, pending: 2, oldestPendingHours: 50 },
      { approver: { id: 'lisi', name: '李四' }, acted: 4, p50Hours: 1, p90Hours: 8, pending: 1, oldestPendingHours: 22 },
      { approver: { id: 'wangwu', name: '王五' }, acted: 2, p50Hours: 2, p90Hours: 3, pending: 0, oldestPendingHours: null },
    ]);
  });

  it('filters by intent and by the requester\'s department; the day boundary is the tenant\'s midnight', async () => {
    const sales = (await get('/admin/api/cycle-times?from=2026-11-02&to=2026-11-04&department=sales')).body;
    expect(sales.byDepartment.map((d: { department: { id: string } }) => d.department.id)).toEqual(['sales']);
    expect(sales.byIntent.map((i: { intent: string; count: number }) => [i.intent, i.count])).toEqual([['expense_claim', 3], ['purchase_request', 2]]);
    expect(sales.pendingPastSla).toEqual([{ intent: 'purchase_request', slaHours: 48, pending: 1, pastSla: 0 }]);
    expect(sales.approvers.map((a: { approver: { id: string }; acted: number }) => [a.approver.id, a.acted])).toEqual([['lisi', 4], ['wangwu', 1]]);

    const claims = (await get('/admin/api/cycle-times?from=2026-11-02&to=2026-11-04&intent=expense_claim')).body;
    expect(claims.byIntent.map((i: { intent: string }) => i.intent)).toEqual(['expense_claim']);
    expect(claims.byDepartment.map((d: { department: { id: string }; count: number }) => [d.department.id, d.count])).toEqual([['finance', 2], ['sales', 3]]);

    // 11-01 in Shanghai: R0 only; R1 (11-01 16:30 UTC) is already 11-02 there.
    const nov1 = (await get('/admin/api/cycle-times?from=2026-11-01&to=2026-11-01')).body;
    expect(nov1.byIntent).toEqual([{ intent: 'expense_claim', count: 1, stages: { submitToApproved: stage(1, 1, 1), approvedToErpCreated: none,
      erpCreatedToPosted: none, postedToPaid: none, submitToPaid: none } }]);
    expect(nov1.approvers.map((a: { approver: { id: string }; acted: number; pending: number }) => [a.approver.id, a.acted, a.pending]))
      .toEqual([['admin', 0, 2], ['lisi', 1, 1]]);
    expect((await get('/admin/api/cycle-times?from=2026-11-05&to=2026-11-30')).body.byIntent).toEqual([]);
  });

  it('groups by the department the requester is in now', async () => {
    await app.db.db.updateTable('users').set({ department_id: 'sales' }).where('id', '=', 'zhaoliu').execute();
    try {
      const { body } = await get('/admin/api/cycle-times?from=2026-11-02&to=2026-11-04');
      expect(body.byDepartment.map((d: { department: { id: string }; count: number }) => [d.department.id, d.count])).toEqual([['sales', 9]]);
    } finally {
      await app.db.db.updateTable('users').set({ department_id: 'finance' }).where('id', '=', 'zhaoliu').execute();
    }
  });

  it.each([
    ['?to=2026-11-04', 'report.date_required', 'from is required'],
    ['?from=2026-11-02', 'report.date_required', 'to is required'],
    ['?from=2026-02-30&to=2026-03-02', 'report.invalid_date', 'from "2026-02-30" is not a calendar date'],
    ['?from=2026/11/02&to=2026-11-04', 'report.invalid_date', 'from "2026/11/02"'],
    ['?from=2026-11-02&to=2026-13-01', 'report.invalid_date', 'to "2026-13-01"'],
    ['?from=2026-11-05&to=2026-11-02', 'report.invalid_range', 'from (2026-11-05) is after to (2026-11-02)'],
    ['?from=2025-01-01&to=2026-01-02', 'report.range_too_long', 'spans 367 days; at most 366'],
    ['?from=2026-11-02&to=2026-11-04&intent=Expense-Claim', 'report.invalid_filter', 'intent "Expense-Claim"'],
  ])('%s → 400 %s', async (query, code, message) => {
    const { status, body } = await get(`/admin/api/cycle-times${query}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe(code);
    expect(body.error.message).toContain(message);
  });

  it('takes a whole leap year (366 days)', async () => {
    expect((await get('/admin/api/cycle-times?from=2024-01-01&to=2024-12-31')).status).toBe(200);
  });

  it('needs the admin token like the rest of /admin/api', async () => {
    expect((await get('/admin/api/cycle-times?from=2026-11-02&to=2026-11-04', null)).status).toBe(401);
    expect((await get('/admin/api/cycle-times?from=2026-11-02&to=2026-11-04', `${TOKEN}x`)).status).toBe(401);
    expect((await get(`/admin/api/requests/${ids.get('R2')}/timeline`, null)).status).toBe(401);
  });
});

describe('GET /admin/api/requests/:id/timeline', () => {
  const at = (h: number): string => new Date(T0 + h * H).toISOString();

  it('every step, who and when, the ERP document, and the request\'s stages', async () => {
    const { status, body } = await get(`/admin/api/requests/${ids.get('R2')}/timeline`);
    expect(status).toBe(200);
    const tl = body.timeline;
    expect([tl.intent, tl.status, tl.revision, tl.submittedAt, tl.revisionSubmittedAt]).toEqual(['expense_claim', 'approved', 1, at(0), at(0)]);
    expect(tl.requester).toEqual({ id: 'zhangsan', name: '张三', department: { id: 'sales', name: '销售部' } });
    expect(tl.steps.map((s: { index: number; approvedAt: string; tasks: { approver: { id: string }; status: string; createdAt: string; actedAt: string }[] }) =>
      [s.index, s.approvedAt, s.tasks.map((t) => [t.approver.id, t.status, t.createdAt, t.actedAt])])).toEqual([
      [0, at(1), [['lisi', 'approved', at(0), at(1)]]],
      [1, at(4), [['wangwu', 'approved', at(1), at(4)]]],
    ]);
    expect(tl.decision).toEqual({ status: 'approved', at: at(4) });
    expect(tl.erp).toEqual([expect.objectContaining({ connector: 'sandbox', status: 'paid', createdAt: at(5), postedAt: at(7), paidAt: at(11) })]);
    expect(tl.stageHours).toEqual({ submitToApproved: 4, approvedToErpCreated: 1, erpCreatedToPosted: 2, postedToPaid: 4, submitToPaid: 11 });
  });

  it('a pending request: the waiting task, no decision, no ERP document', async () => {
    const tl = (await get(`/admin/api/requests/${ids.get('R8')}/timeline`)).body.timeline;
    expect(tl.steps).toEqual([expect.objectContaining({ index: 0, approvedAt: null, tasks: [expect.objectContaining({ approver: { id: 'admin', name: '管理员' }, status: 'pending', actedAt: null })] })]);
    expect([tl.decision, tl.erp]).toEqual([null, []]);
    expect(Object.values(tl.stageHours)).toEqual([null, null, null, null, null]);
  });

  it('a rejected request: the rejection with its reason, never "approved"', async () => {
    const tl = (await get(`/admin/api/requests/${ids.get('R9')}/timeline`)).body.timeline;
    expect(tl.decision).toEqual({ status: 'rejected', at: at(5) });
    expect(tl.steps[0]).toMatchObject({ approvedAt: null, tasks: [{ approver: { id: 'lisi' }, status: 'rejected', actedAt: at(5), comment: '超出标准' }] });
    expect(tl.stageHours.submitToApproved).toBeNull();
  });

  it.each(['00000000-0000-4000-8000-000000000000', 'not-a-uuid'])('%s → 404', async (id) => {
    const { status, body } = await get(`/admin/api/requests/${id}/timeline`);
    expect([status, body.error.code]).toEqual([404, 'request.not_found']);
  });
});
