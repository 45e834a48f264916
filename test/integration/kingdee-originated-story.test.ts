import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { K3_USERS } from '../fakes/kingdee-erp-user.ts';
import { startFakeKingdee, type FakeKingdee } from '../fakes/kingdee-server.ts';
import { buttonsOf, ConsoleClient, textOf, type FeedItem } from '../support/console-client.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

/**
 * Purchase requisitions made in Kingdee K3 Cloud (the strict loopback fake), approved in the console: the instance's
 * `approvals` map them to an `origin: erp` intent (test/fixtures/intents/k3_requisition.yaml); the bill's maker
 * (K3 user 张三) is the requester, their manager 李四 decides; approve audits the bill, reject takes it back to its
 * maker with the reason in its note, and the resubmitted bill is revision 2 of the same request. Polls by hand.
 */
const T = 'default';
const REQ = 'PUR_Requisition';
const clock = fixedClock(new Date('2026-12-01T02:00:00Z'));
let dir: string;
let tdb: TestDb;
let app: App;
let k3: FakeKingdee;
let cc: ConsoleClient;

beforeAll(async () => {
  k3 = await startFakeKingdee({ clock, customFields: ['F_BOT_ExtKey'] });
  dir = mkdtempSync(join(tmpdir(), 'aa-k3-origin-'));
  const [erps, bots, intents] = ['erps', 'bots', 'intents'].map((d) => join(dir, d)) as [string, string, string];
  for (const d of [erps, bots, intents]) mkdirSync(d);
  for (const f of readdirSync('intents').filter((n) => n.endsWith('.yaml'))) copyFileSync(join('intents', f), join(intents, f));
  copyFileSync('test/fixtures/intents/k3_requisition.yaml', join(intents, 'k3_requisition.yaml'));
  writeFileSync(join(erps, 'k3.yaml'), `id: k3\nkind: kingdee\nbase_url: ${k3.baseUrl}\n`
    + 'credentials: { app_id: K3_APP_ID, app_secret: K3_APP_SECRET, username: K3_USER }\n'
    + 'poll_interval_seconds: 3600\napprovals:\n  - { doc_kind: purchase_requisition, intent: k3_requisition }\n'
    + `settings: { acct_id: '${k3.acctId}', lock_retry: { attempts: 2, backoff_ms: 0 } }\n`);
  writeFileSync(join(bots, 'console.yaml'), readFileSync('bots/console.yaml', 'utf8').replace('erp: sandbox', 'erp: k3'));
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock, env: { ERPS_DIR: erps, BOTS_DIR: bots, INTENTS_DIR: intents, K3_APP_ID: k3.appId, K3_APP_SECRET: k3.appSecret, K3_USER: k3.username } });
  cc = new ConsoleClient(app);
});
afterAll(async () => {
  await app?.stop();
  await tdb?.drop();
  await k3?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const poll = () => app.originated.syncConnector(T, 'k3');
const hasButton = (id: string) => (m: FeedItem): boolean => m.kind === 'card' && buttonsOf(m.card).some((b) => b.actionId === id);
const about = (number: string) => (m: FeedItem): boolean => m.kind === 'card' && (m.card?.title ?? '').includes(number);
const bill = (id: number) => k3.ledger.find(REQ, String(id));
const ops = (id: number): string[] => k3.calls.filter((c) => !c.service.endsWith('ExecuteBillQuery') && JSON.stringify(c.body).includes(String(id))).map((c) => c.service.split('.').pop() ?? '');

function submitInK3(note: string, qty: number, amount: number) {
  k3.ledger.advance(60_000);
  return k3.erpUsers.create(K3_USERS.zhang!, REQ, {
    FApplicationDate: '2026-12-03', FNote: note, FApplicantId: { FStaffNumber: 'E001' }, FCurrencyId: { FNumber: 'PRE001' },
    FBillTypeID: { FNUMBER: 'CGSQD01_SYS' },
    FEntity: [{ FMaterialId: { FNumber: 'M001' }, FReqQty: qty, FReqAmount: amount, FSuggestSupplierId: { FNumber: 'S001' } }],
  });
}

async function requestOf(erpId: number) {
  const row = await until(() => app.db.db.selectFrom('erp_originated').select('request_id').where('erp_id', '=', String(erpId)).executeTakeFirst(), (r) => !!r?.request_id);
  const req = await app.db.db.selectFrom('requests').selectAll().where('id', '=', row!.request_id!).executeTakeFirstOrThrow();
  const tasks = await app.db.db.selectFrom('approval_tasks').selectAll().where('request_id', '=', req.id).orderBy('created_at').execute();
  return { req, tasks };
}

async function decideOnCard(user: string, number: string, op: 'approve' | 'reject', comment?: string): Promise<void> {
  const card = await cc.waitFor(user, (m) => about(number)(m) && hasButton(op)(m));
  const res = await cc.click(user, card.id, op, comment ? { comment } : {});
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe('ERP-originated approvals through Kingdee K3 Cloud', () => {
  it('a submitted bill reaches its maker\'s manager; approved in chat, K3 has it audited', async () => {
    const b = submitInK3('新员工办公椅', 2, 1200);
    expect(await poll()).toBe(1);
    const { req, tasks } = await requestOf(b.id);
    expect(req).toMatchObject({ requester_id: 'zhangsan', intent_key: 'k3_requisition', status: 'pending', revision: 1, erp_status: 'not_required' });
    expect(req.fields).toMatchObject({ title: '办公椅', erp_number: b.no, amount: '1200.00', items: '办公椅 × 2', supplier: '上海办公用品有限公司' });
    expect(tasks.map((t) => t.approver_id)).toEqual(['lisi']);
    const card = await cc.waitFor('lisi', (m) => about(req.number)(m) && hasButton('approve')(m));
    expect(textOf(card.card)).toContain(b.no);

    await decideOnCard('lisi', req.number, 'approve');
    await until(async () => bill(b.id)?.status, (s) => s === 'C');
    expect(ops(b.id)).toEqual(['Audit']);
    await until(() => requestOf(b.id), (r) => (r.req.erp_origin as { decision?: { status: string } } | null)?.decision?.status === 'done');
    expect((await requestOf(b.id)).req).toMatchObject({ status: 'approved', erp_origin: { state: 'approved' } });
    expect(await poll(), 'K3 reporting the audit is a repeat').toBe(0);
  });

  it('rejected with a reason → back with its maker (撤销) with the reason in its note; edited and resubmitted → revision 2 of the same request → approved', async () => {
    const b = submitInK3('销售部笔记本', 2, 9800);
    await poll();
    const first = await requestOf(b.id);
    const reason = '型号太贵，换成 14 寸的';
    await decideOnCard('lisi', first.req.number, 'reject', reason);
    await until(async () => bill(b.id)?.status, (s) => s === 'A');
    await until(async () => bill(b.id)?.header.get('fnote'), (n) => n === reason);
    expect(ops(b.id)).toEqual(['CancelAssign', 'Save']);
    await until(() => requestOf(b.id), (r) => r.req.status === 'rejected');

    k3.ledger.advance(60_000);
    k3.erpUsers.edit(REQ, b.id, { FNote: '换成 14 寸', FEntity: [{ FMaterialId: { FNumber: 'M001' }, FReqQty: 2, FReqAmount: 7600, FSuggestSupplierId: { FNumber: 'S001' } }] });
    k3.erpUsers.submit(REQ, b.id);
    expect(await poll()).toBe(1);
    const second = await requestOf(b.id);
    expect(second.req).toMatchObject({ id: first.req.id, number: first.req.number, status: 'pending', revision: 2, amount: '7600.00' });
    expect(second.tasks.filter((t) => t.revision === 2).map((t) => [t.approver_id, t.status])).toEqual([['lisi', 'pending']]);

    await decideOnCard('lisi', first.req.number, 'approve');
    await until(async () => bill(b.id)?.status, (s) => s === 'C');
    expect(ops(b.id)).toEqual(['CancelAssign', 'Save', 'Audit']);
    await until(() => requestOf(b.id), (r) => r.req.status === 'approved');
  });
});
