import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SandboxActions } from '../../src/actions/sandbox-actions.ts';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { ExternalServiceError } from '../../src/core/errors.ts';
import { randomIds } from '../../src/core/ids.ts';
import { getUsers } from '../../src/directory/directory-repo.ts';
import { SANDBOX_OPERATOR_ROLES } from '../../src/erp/connectors/sandbox.ts';
import type { ErpConnector } from '../../src/erp/erp-connector.ts';
import { buttonsOf, ConsoleClient, textOf, timelineItem, type FeedItem } from '../support/console-client.ts';
import { idle } from '../support/nlu-console-kit.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';
import { listByRequester } from '../../src/workflow/request-repo.ts';
import { adminToken } from '../support/admin-token.ts';

/**
 * ERP progress as the requester lives it, through the console: an intent without an ERP mapping completes at
 * approval; a document the ERP refuses shows the ERP's message and comes back on an admin's replay; the sandbox
 * ledger pays only what it has posted; every change reaches the requester once.
 */
const SEAL_USE = `key: seal_use
kind: form
prefix: SEAL
name: { zh: 用印申请, en: Seal use }
description: { zh: 申请使用公司印章。, en: Ask to use the company seal. }
examples: { zh: ["申请用印"], en: ["I need the company seal"] }
fields:
  - name: purpose
    type: text
    label: { zh: 用途, en: Purpose }
    required: true
route:
  steps:
    - name: { zh: 直属上级审批, en: Manager approval }
      approvers: { rule: manager }
`;

/** The sandbox with a switch: while `refuse` is set, creates are refused the way an ERP refuses a bad document. */
const erp = { refuse: null as string | null };
function refusing(inner: ErpConnector): ErpConnector {
  const c = Object.create(inner) as ErpConnector;
  c.createDocument = async (input, o) => {
    if (erp.refuse) throw new ExternalServiceError('sandbox-erp', 'erp.validation', erp.refuse, { retryable: false });
    return inner.createDocument(input, o);
  };
  return c;
}

let dir: string;
let tdb: TestDb;
let app: App;
let cc: ConsoleClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'intents-'));
  for (const f of readdirSync('intents').filter((n) => n.endsWith('.yaml'))) copyFileSync(join('intents', f), join(dir, f));
  writeFileSync(join(dir, 'seal_use.yaml'), SEAL_USE);
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock: fixedClock(new Date('2026-11-23T02:00:00Z')), env: { INTENTS_DIR: dir }, wrapErp: refusing });
  cc = new ConsoleClient(app);
});
afterEach(async (t) => {
  if (t.task.result?.state !== 'fail') return;
  const stuck = await app.db.db.selectFrom('outbox_jobs').select(['kind', 'status', 'attempts', 'last_error']).where('status', '!=', 'done').execute();
  console.error('jobs not done:', JSON.stringify(stuck, null, 1));
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
  rmSync(dir, { recursive: true, force: true });
});

const hasButton = (id: string) => (m: FeedItem): boolean => m.kind === 'card' && buttonsOf(m.card).some((b) => b.actionId === id);
const requesterCard = (number: string, pred: (m: FeedItem) => boolean): Promise<FeedItem> =>
  cc.waitFor('zhangsan', (m) => m.kind === 'card' && (m.card?.title ?? '').includes(number) && pred(m));
const statusOf = (m: FeedItem): string | undefined => (m.card?.blocks ?? []).flatMap((b) => (b.type === 'fields' ? b.fields : [])).find((f) => f.label === '状态')?.value;
/** What zhangsan was told about a request (texts, not cards), after everything in flight was delivered. */
async function toldAbout(number: string): Promise<string[]> {
  await idle(app, cc, 'zhangsan');
  return [...(cc.feeds.get('zhangsan')?.values() ?? [])].filter((m) => m.kind === 'text' && (m.text ?? '').includes(number)).map((m) => m.text ?? '');
}
async function approveOnCard(number: string): Promise<void> {
  const card = await cc.waitFor('lisi', (m) => hasButton('approve')(m) && (m.card?.title ?? '').includes(number));
  expect((await cc.click('lisi', card.id, 'approve')).status).toBe(200);
}

describe('ERP progress on the requester\'s card', () => {
  it('an intent without an ERP mapping completes at approval: no ERP job, no "ERP 同步失败"', async () => {
    const req = await submitDirect(app, 'seal_use', 'zhangsan', { purpose: '合同盖章' });
    expect(req.erpStatus).toBe('not_required');
    await approveOnCard(req.number);
    const done = await requesterCard(req.number, (m) => statusOf(m) === '已通过 · 已办结');
    expect(done.card?.tone).toBe('green');
    expect(await toldAbout(req.number)).toEqual([`✅ 你的用印申请 ${req.number}已审批通过，无需其他操作。`]);
    const final = [...(cc.feeds.get('zhangsan')?.values() ?? [])].find((m) => m.id === done.id);
    expect(textOf(final?.card)).not.toMatch(/ERP|同步失败|入账|付款/);
    expect(await app.db.db.selectFrom('outbox_jobs').select('id').where('kind', '=', 'erp.create').where('payload', '@>', JSON.stringify({ requestId: req.id })).execute()).toEqual([]);
    expect(await app.db.db.selectFrom('erp_documents').select('id').where('request_id', '=', req.id).execute()).toEqual([]);
    const row = await app.db.db.selectFrom('requests').select(['status', 'erp_status']).where('id', '=', req.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'approved', erp_status: 'not_required' });
    // Finished, so not among "my open requests".
    expect((await listByRequester(app.db.db, 'default', 'zhangsan', 50, { open: true })).map((r) => r.id)).not.toContain(req.id);
    const audit = await app.db.db.selectFrom('audit_log').select('action').where('chain', '=', `request:${req.id}`).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['request.submit', 'request.approve']);
  });

  it('a document the ERP refuses shows the ERP\'s message and that an admin can replay; the replay creates it', async () => {
    const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount: '88.00', date: '2026-11-20' });
    erp.refuse = '供应商“张三”不存在';
    await approveOnCard(req.number);
    const failed = await requesterCard(req.number, (m) => timelineItem(m.card, 'ERP 单据生成失败') !== undefined);
    erp.refuse = null;
    expect(statusOf(failed)).toBe('已通过 · ERP 同步失败');
    expect(timelineItem(failed.card, 'ERP 单据生成失败')?.detail).toContain('供应商“张三”不存在');
    expect(textOf(failed.card)).toContain('管理员排除原因后可以重新提交');
    const told = await toldAbout(req.number);
    expect(told.filter((x) => x.includes('未能在 ERP 生成单据'))).toHaveLength(1);
    expect(told.find((x) => x.includes('未能在 ERP 生成单据'))).toContain('供应商“张三”不存在');

    const dead = await app.db.db.selectFrom('outbox_jobs').select('id').where('kind', '=', 'erp.create').where('status', '=', 'dead')
      .where('payload', '@>', JSON.stringify({ requestId: req.id })).executeTakeFirstOrThrow();
    expect((await app.http.request(`/admin/api/jobs/${dead.id}/replay`, { method: 'POST', headers: (await adminToken(app)).headers })).status).toBe(200);
    const created = await requesterCard(req.number, (m) => timelineItem(m.card, 'ERP 单据已生成')?.status === 'done');
    const doc = await app.db.db.selectFrom('erp_documents').select(['number']).where('request_id', '=', req.id).executeTakeFirstOrThrow();
    expect(timelineItem(created.card, 'ERP 单据已生成')?.detail).toBe(`sandbox ${doc.number}`);
    expect(statusOf(created)).toBe('已通过 · 待入账');
    expect(textOf(created.card)).not.toContain('重新提交');
    const after = await toldAbout(req.number);
    expect(after.filter((x) => x.includes('已生成 ERP 单据'))).toEqual([`🧾 你的费用报销 ${req.number}已生成 ERP 单据（${doc.number}）。`]);
  });

  it('the sandbox pays only what it has posted; posted and paid reach the requester once each', async () => {
    const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount: '2000.00', date: '2026-11-20' });
    await approveOnCard(req.number);
    const doc = await until(() => app.db.db.selectFrom('erp_documents').selectAll().where('request_id', '=', req.id).executeTakeFirst(), (d) => d?.erp_id != null);
    const opCard = await cc.waitFor('wangwu', (m) => m.card?.key === `erpdoc:${doc?.id ?? ''}`);
    expect(buttonsOf(opCard.card).map((b) => b.actionId)).toEqual(['erp.post']);
    // The console refuses a button the card does not show…
    const forged = await cc.click('wangwu', opCard.id, 'erp.pay', { bank_ref: 'FORGED' });
    expect([forged.status, forged.body.error?.code]).toEqual([409, 'card.outdated']);
    // …and a Pay that reaches the handler anyway (a platform that echoes values) is refused by the ledger, in the chat's language.
    const wangwu = (await getUsers(app.db.db, 'default', ['wangwu'])).get('wangwu');
    if (!wangwu) throw new Error('wangwu is not in the directory');
    const actions = new SandboxActions({ db: app.db.db, erp: app.erp, directory: app.directory, ids: randomIds, clock: fixedClock(new Date('2026-11-23T02:00:00Z')),
      maxAttempts: 3, operatorRoles: SANDBOX_OPERATOR_ROLES, localeOf: () => 'zh' });
    const refused = await actions.handle(wangwu, 'erp.pay', doc?.id ?? '', 'FORGED', 'zh', async () => {});
    expect([refused.status, refused.error?.code, refused.toast?.text]).toEqual([409, 'erp.not_allowed_in_state', `单据 ${doc?.number} 当前状态为「已审核」，尚未入账：请先入账再付款`]);
    const en = await actions.handle(wangwu, 'erp.pay', doc?.id ?? '', 'FORGED', 'en', async () => {});
    expect(en.toast?.text).toBe(`Document ${doc?.number} is approved, not posted yet; post it before paying`);
    expect((await app.db.db.selectFrom('sandbox_erp_documents').select(['status', 'bank_ref']).where('id', '=', Number(doc?.erp_id)).executeTakeFirstOrThrow())).toEqual({ status: 'approved', bank_ref: null });

    expect((await cc.click('wangwu', opCard.id, 'erp.post')).status).toBe(200);
    const payCard = await cc.waitFor('wangwu', (m) => m.id === opCard.id && hasButton('erp.pay')(m));
    expect(buttonsOf(payCard.card).map((b) => b.actionId)).toEqual(['erp.pay']);
    expect((await cc.click('wangwu', payCard.id, 'erp.pay', { bank_ref: 'ICBC-2026-1123' })).status).toBe(200);
    const paid = await requesterCard(req.number, (m) => timelineItem(m.card, '已付款')?.status === 'done');
    expect(timelineItem(paid.card, '已付款')?.detail).toBe('¥2,000.00 · 2026-11-23 10:00 · 流水号 ICBC-2026-1123');
    // A poll that reads the same changes again tells nobody twice.
    await app.erp.syncConnector('default', 'sandbox');
    const told = await toldAbout(req.number);
    expect(told.filter((x) => x.includes('入账'))).toHaveLength(1);
    expect(told.filter((x) => x.includes('已付款'))).toHaveLength(1);
    expect(told.find((x) => x.includes('已付款'))).toMatch(new RegExp(`^💰 你的费用报销 ${req.number}已付款（¥2,000\\.00 · (2026-11-23 10:00 · )?流水号 ICBC-2026-1123）。$`));
  });
});
