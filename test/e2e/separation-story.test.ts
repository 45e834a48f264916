import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import type { ResolvedStep } from '../../src/workflow/approval-states.ts';
import { ConsoleClient, type FeedItem } from '../support/console-client.ts';
import { DEMO_USERS, writeDirectoryFile } from '../support/directory-fixture.ts';
import { hasButton, idle, inputValues, notes, openConfirmCard, routeLine, turn } from '../support/nlu-console-kit.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * Separation of duties through the console: the manager's transfer to the finance approver (who would then approve
 * both steps), a transfer to the requester, a finance member's own claim at the finance step, and what the route
 * preview says of it, in zh and en. Two org charts: finance of two (wangwu, zhaoliu), and the demo's finance of one.
 */
const ZHAOLIU = { id: 'zhaoliu', name: '赵六', department: 'finance', manager: 'admin', roles: ['employee', 'finance'] };
const TRIP_ZH = '报销上周去北京出差的差旅费，6560元，事由参加培训';
const TRIP_EN = 'reimburse my business trip to Shanghai last month, 6560 yuan, purpose: client visit';

interface Ctx { tdb: TestDb; app: App; cc: ConsoleClient }
function useApp(env: () => Record<string, string>): Ctx {
  const ctx = {} as Ctx;
  beforeAll(async () => {
    ctx.tdb = await createTestDb();
    ctx.app = await startApp({ db: ctx.tdb.handle, clock: fixedClock(new Date('2026-12-06T02:00:00Z')), env: env() });
    ctx.cc = new ConsoleClient(ctx.app);
  });
  afterAll(async () => {
    await ctx.app.stop();
    await ctx.tdb.drop();
  });
  return ctx;
}

const pendingTasks = (app: App, requestId: string) => app.db.db.selectFrom('approval_tasks').select(['approver_id', 'step_index', 'status'])
  .where('request_id', '=', requestId).orderBy('created_at').execute();
const onRequest = (number: string) => (m: FeedItem): boolean => hasButton('approve')(m) && (m.card?.title ?? '').includes(number);
const formOf = (m: FeedItem): Record<string, string> => Object.fromEntries(Object.entries(inputValues(m)).map(([k, v]) => [k, v ?? '']));

async function confirmCard(c: Ctx, user: string, text: string): Promise<FeedItem> {
  const card = await (await turn(c.cc, user, text)).waitFor(openConfirmCard);
  await idle(c.app, c.cc, user);
  return [...(c.cc.feeds.get(user)?.values() ?? [])].find((m) => m.id === card.id) ?? card;
}

describe('finance of two, transfers refused (the default)', () => {
  const c = useApp(() => ({ DIRECTORY_FILE: writeDirectoryFile([...DEMO_USERS, ZHAOLIU]) }));

  it("the manager's transfer to a finance approver, and to the requester, are refused; nothing changes", async () => {
    const req = await submitDirect(c.app, 'expense_claim', 'zhangsan', { category: 'meal', amount: '3000.00', date: '2026-12-01' });
    const card = await c.cc.waitFor('lisi', onRequest(req.number));
    const toFinance = await c.cc.click('lisi', card.id, 'transfer', { transfer_to: 'wangwu' });
    expect([toFinance.status, toFinance.body.error?.code]).toEqual([400, 'workflow.sod_transfer']);
    expect(toFinance.body.toast?.text).toMatch(/不能转交给王五：对方是本申请后续步骤（财务审批）的审批人/);
    const toRequester = await c.cc.click('lisi', card.id, 'transfer', { transfer_to: 'zhangsan' });
    expect([toRequester.status, toRequester.body.error?.code]).toEqual([400, 'workflow.sod_transfer']);
    expect(toRequester.body.toast?.text).toMatch(/申请人不能|不能审批自己的申请/);
    expect(await pendingTasks(c.app, req.id)).toEqual([{ approver_id: 'lisi', step_index: 0, status: 'pending' }]);
    // The way stays open: lisi approves, and the finance step is finance's.
    expect((await c.cc.click('lisi', card.id, 'approve')).status).toBe(200);
    const finance = await c.cc.waitFor('wangwu', onRequest(req.number));
    expect((await c.cc.click('wangwu', finance.id, 'approve')).status).toBe(200);
  });

  it("a finance member's own claim: the preview says why, and the finance step is the other member's (not skipped)", async () => {
    const card = await confirmCard(c, 'wangwu', TRIP_ZH);
    expect(routeLine(card)).toContain('财务审批（赵六）');
    expect(notes(card)).toContain('职责分离 · 财务审批：王五是申请人；由本步骤其他审批人审批');
    const res = await c.cc.click('wangwu', card.id, 'dialog.submit', formOf(card), undefined, card.revision);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const req = await c.app.db.db.selectFrom('requests').selectAll().where('requester_id', '=', 'wangwu').executeTakeFirstOrThrow();
    expect((req.route as ResolvedStep[]).map((s) => s.approvers)).toEqual([['admin'], ['zhaoliu']]);
    const admin = await c.cc.waitFor('admin', onRequest(req.number));
    expect((await c.cc.click('admin', admin.id, 'approve')).status).toBe(200);
    await c.cc.waitFor('zhaoliu', onRequest(req.number));
    expect(await pendingTasks(c.app, req.id)).toEqual([
      { approver_id: 'admin', step_index: 0, status: 'approved' }, { approver_id: 'zhaoliu', step_index: 1, status: 'pending' },
    ]);
  });

  it('the same preview in English', async () => {
    const card = await confirmCard(c, 'wangwu', TRIP_EN);
    expect(notes(card)).toContain("Separation of duties · Finance approval: 王五 is the requester; the step's other approvers take it");
  });
});

describe('finance of one, later steps reassigned on transfer (separation.transfer: reassign)', () => {
  let dir = '';
  const c = useApp(() => {
    dir = mkdtempSync(join(tmpdir(), 'intents-'));
    for (const f of readdirSync('intents').filter((n) => n.endsWith('.yaml'))) copyFileSync(join('intents', f), join(dir, f));
    const claim = readFileSync(join('intents', 'expense_claim.yaml'), 'utf8');
    writeFileSync(join(dir, 'expense_claim.yaml'), `${claim}\nseparation:\n  transfer: reassign\n`);
    return { INTENTS_DIR: dir };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the transfer goes through and the finance step goes to the fallback, so the finance approver approves one step only', async () => {
    const req = await submitDirect(c.app, 'expense_claim', 'zhangsan', { category: 'meal', amount: '3000.00', date: '2026-12-01' });
    const card = await c.cc.waitFor('lisi', onRequest(req.number));
    expect((await c.cc.click('lisi', card.id, 'transfer', { transfer_to: 'wangwu' })).status).toBe(200);
    const after = await c.app.db.db.selectFrom('requests').select('route').where('id', '=', req.id).executeTakeFirstOrThrow();
    // Nobody else in finance: the next default fallback, zhangsan's manager's manager.
    expect((after.route as ResolvedStep[])[1]).toMatchObject({ approvers: ['admin'], separation: { removed: [{ userId: 'wangwu', why: 'other_step' }], fallback: 'managers_manager' } });
    const mine = await c.cc.waitFor('wangwu', onRequest(req.number));
    expect((await c.cc.click('wangwu', mine.id, 'approve')).status).toBe(200);
    await c.cc.waitFor('admin', onRequest(req.number));
    expect(await pendingTasks(c.app, req.id)).toEqual([
      { approver_id: 'lisi', step_index: 0, status: 'transferred' }, { approver_id: 'wangwu', step_index: 0, status: 'approved' },
      { approver_id: 'admin', step_index: 1, status: 'pending' },
    ]);
  });

  it("a finance member's own claim with no one to take the finance step: the preview says so and the submit is refused", async () => {
    const card = await confirmCard(c, 'wangwu', TRIP_ZH);
    expect(routeLine(card)).toMatch(/「财务审批」没有可审批的人/);
    const res = await c.cc.click('wangwu', card.id, 'dialog.submit', formOf(card), undefined, card.revision);
    expect(res.status).toBe(400);
    expect(res.body.toast?.text).toMatch(/「财务审批」没有可审批的人/);
    expect(await c.app.db.db.selectFrom('requests').select('id').where('requester_id', '=', 'wangwu').execute()).toEqual([]);
  });
});
