import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { startRestAdapter, type RestAdapterFake } from '../fakes/rest-adapter.ts';
import type { OriginLine } from '../fakes/rest-adapter-origin.ts';
import { buttonsOf, ConsoleClient, textOf, type FeedItem } from '../support/console-client.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

/**
 * Documents made in an ERP behind the generic REST adapter, approved in the console: the instance's `approvals`
 * map purchase requisitions to an `origin: erp` intent (test/fixtures/intents/rest_requisition.yaml); the owner
 * (张三 in the ERP) gets the request, the approvers the cards, and every decision lands on the fake adapter's
 * document with the approver and the reason. Polls are run by hand (the instance's interval is an hour).
 */
const PREFIX = '/erp-adapter/v1';
const T = 'default';
const clock = fixedClock(new Date('2026-12-01T02:00:00Z'));
let dir: string;
let tdb: TestDb;
let app: App;
let fake: RestAdapterFake;
let cc: ConsoleClient;

beforeAll(async () => {
  fake = await startRestAdapter({ prefix: PREFIX, clock });
  dir = mkdtempSync(join(tmpdir(), 'aa-origin-'));
  const [erps, bots, intents] = ['erps', 'bots', 'intents'].map((d) => join(dir, d)) as [string, string, string];
  for (const d of [erps, bots, intents]) mkdirSync(d);
  for (const f of readdirSync('intents').filter((n) => n.endsWith('.yaml'))) copyFileSync(join('intents', f), join(intents, f));
  copyFileSync('test/fixtures/intents/rest_requisition.yaml', join(intents, 'rest_requisition.yaml'));
  writeFileSync(join(erps, 'acme.yaml'), `id: acme-rest\nkind: rest\nbase_url: ${fake.url}\ncredentials: { token: ACME_TOKEN }\n`
    + 'poll_interval_seconds: 3600\napprovals:\n  - { doc_kind: purchase_requisition, intent: rest_requisition }\n'
    + `settings: { path_prefix: ${PREFIX}, decisions: true }\n`);
  writeFileSync(join(bots, 'console.yaml'), readFileSync('bots/console.yaml', 'utf8').replace('erp: sandbox', 'erp: acme-rest'));
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock, env: { ERPS_DIR: erps, BOTS_DIR: bots, INTENTS_DIR: intents, ACME_TOKEN: fake.token } });
  cc = new ConsoleClient(app);
});
afterEach(() => { expect(fake.violations.splice(0), 'the fake adapter kept to the contract').toEqual([]); });
afterAll(async () => {
  await app?.stop();
  await tdb?.drop();
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const zhang = { id: 'E-7', name: '张三' };
const poll = () => app.originated.syncConnector(T, 'acme-rest');
const hasButton = (id: string) => (m: FeedItem): boolean => m.kind === 'card' && buttonsOf(m.card).some((b) => b.actionId === id);
const about = (number: string) => (m: FeedItem): boolean => m.kind === 'card' && (m.card?.title ?? '').includes(number);

function submitInErp(title: string, lines: OriginLine[]) {
  clock.advance(60_000);
  return fake.origin.create({ owner: zhang, title, lines, party: 'Acme Supplies', date: '2026-12-10' });
}

/** The chat request of an ERP document, with its approval tasks. */
async function requestOf(erpId: string) {
  const row = await until(() => app.db.db.selectFrom('erp_originated').select('request_id').where('erp_id', '=', erpId).executeTakeFirst(), (r) => !!r?.request_id);
  const req = await app.db.db.selectFrom('requests').selectAll().where('id', '=', row!.request_id!).executeTakeFirstOrThrow();
  const tasks = await app.db.db.selectFrom('approval_tasks').selectAll().where('request_id', '=', req.id).orderBy('created_at').execute();
  return { req, tasks };
}

/** Clicks `op` on the approver's card of that request (waiting for the card to offer it). */
async function decideOnCard(user: string, number: string, op: 'approve' | 'reject', comment?: string): Promise<void> {
  const card = await cc.waitFor(user, (m) => about(number)(m) && hasButton(op)(m));
  const res = await cc.click(user, card.id, op, comment ? { comment } : {});
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe('ERP-originated approvals through the REST adapter', () => {
  it('a waiting document reaches the approver; approved in chat, the ERP shows it approved by that approver', async () => {
    const doc = submitInErp('Monitors for the new hires', [{ item: 'Monitor', quantity: '2', amount: '2400.00', unit: 'pc' }]);
    expect(await poll()).toBe(1);
    const { req, tasks } = await requestOf(doc.id);
    expect(req).toMatchObject({ requester_id: 'zhangsan', intent_key: 'rest_requisition', status: 'pending', revision: 1, erp_status: 'not_required' });
    expect(req.fields).toMatchObject({ title: 'Monitors for the new hires', erp_number: doc.number, amount: '2400.00', items: 'Monitor × 2', supplier: 'Acme Supplies' });
    expect(tasks.map((t) => t.approver_id)).toEqual(['lisi']);
    const card = await cc.waitFor('lisi', (m) => about(req.number)(m) && hasButton('approve')(m));
    expect(textOf(card.card)).toContain(doc.number);

    await decideOnCard('lisi', req.number, 'approve');
    await until(async () => fake.origin.find(doc.id)?.state, (s) => s === 'approved');
    expect(fake.origin.find(doc.id)?.decisions).toEqual([{ decision: 'approve', reason: null, approver: { name: '李四' }, at: clock.now().toISOString(), via: 'adapter' }]);
    const done = await until(() => requestOf(doc.id), (r) => (r.req.erp_origin as { decision?: { status: string } } | null)?.decision?.status === 'done');
    expect(done.req).toMatchObject({ status: 'approved', erp_origin: { state: 'approved', decision: { decision: 'approve', revision: 1 } } });
    expect(await poll(), 'the ERP reporting the approval is a repeat').toBe(0);
  });

  it('rejected with a reason → the ERP has it back with its owner; the resubmission is revision 2 of the same request; the old card is superseded', async () => {
    const doc = submitInErp('Laptops for the sales team', [{ item: 'Laptop', quantity: '2', amount: '12000.00' }]);
    await poll();
    const first = await requestOf(doc.id);
    await decideOnCard('lisi', first.req.number, 'approve');
    const reason = '型号太贵，换成 14 寸的';
    await decideOnCard('wangwu', first.req.number, 'reject', reason);
    await until(async () => fake.origin.find(doc.id)?.state, (s) => s === 'rejected');
    expect(fake.origin.find(doc.id)).toMatchObject({ reject_reason: reason, decisions: [{ decision: 'reject', reason, approver: { name: '王五' }, via: 'adapter' }] });
    await until(() => requestOf(doc.id), (r) => r.req.status === 'rejected');

    clock.advance(60_000);
    fake.origin.edit(doc.id, { lines: [{ item: 'Laptop 14"', quantity: '2', amount: '9000.00' }] });
    fake.origin.resubmit(doc.id);
    expect(await poll()).toBe(1);
    const second = await requestOf(doc.id);
    expect(second.req).toMatchObject({ id: first.req.id, number: first.req.number, status: 'pending', revision: 2, amount: '9000.00' });
    expect(second.tasks.filter((t) => t.revision === 2).map((t) => [t.approver_id, t.status])).toEqual([['lisi', 'pending']]);
    // 王五 decided revision 1 and has no part in revision 2 (under 10,000): their card says it was superseded.
    await cc.waitFor('wangwu', (m) => about(first.req.number)(m) && textOf(m.card).includes('已被第 2 次提交取代'));
    expect(buttonsOf((await cc.waitFor('wangwu', about(first.req.number))).card).map((b) => b.actionId)).not.toContain('approve');

    await decideOnCard('lisi', first.req.number, 'approve');
    await until(async () => fake.origin.find(doc.id)?.state, (s) => s === 'approved');
    expect(fake.origin.find(doc.id)?.decisions.map((d) => [d.decision, d.approver?.name])).toEqual([['reject', '王五'], ['approve', '李四']]);
    await until(() => requestOf(doc.id), (r) => r.req.status === 'approved');
  });

  it('a document deleted in the ERP while pending closes the chat request and tells its owner', async () => {
    const doc = submitInErp('Office chairs', [{ item: 'Chair', quantity: '4', amount: '1600.00' }]);
    await poll();
    const { req } = await requestOf(doc.id);
    await cc.waitFor('lisi', (m) => about(req.number)(m) && hasButton('approve')(m));
    clock.advance(60_000);
    fake.origin.remove(doc.id);
    expect(await poll()).toBe(1);
    const closed = await requestOf(doc.id);
    expect(closed.req).toMatchObject({ status: 'withdrawn', erp_origin: { state: 'deleted' } });
    expect(closed.tasks.map((t) => t.status)).toEqual(['cancelled']);
    await cc.waitFor('zhangsan', (m) => m.kind === 'text' && (m.text ?? '').includes(req.number) && (m.text ?? '').includes('已在 ERP 中删除'));
    await until(async () => {
      await cc.sync('lisi');
      return [...(cc.feeds.get('lisi')?.values() ?? [])].filter(about(req.number));
    }, (cards) => cards.length > 0 && cards.every((m) => !hasButton('approve')(m)));
  });

  it('a document changed in the ERP while pending becomes a new revision for the approvers', async () => {
    const doc = submitInErp('Desks', [{ item: 'Desk', quantity: '2', amount: '3000.00' }]);
    await poll();
    const { req } = await requestOf(doc.id);
    clock.advance(60_000);
    fake.origin.edit(doc.id, { lines: [{ item: 'Desk', quantity: '3', amount: '4500.00' }] });
    expect(await poll()).toBe(1);
    const changed = await requestOf(doc.id);
    expect(changed.req).toMatchObject({ id: req.id, status: 'pending', revision: 2, amount: '4500.00' });
    expect(changed.tasks.map((t) => [t.revision, t.status])).toEqual([[1, 'cancelled'], [2, 'pending']]);
    await decideOnCard('lisi', req.number, 'approve');
    await until(async () => fake.origin.find(doc.id)?.state, (s) => s === 'approved');
    const sent = fake.requests.filter((r) => r.method === 'POST' && r.path.includes(`${doc.id}/decide`));
    expect(sent.map((r) => r.body)).toEqual([{ decision: 'approve', approver: { name: '李四' } }]);
  });
});
