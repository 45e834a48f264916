import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { linkPerson } from '../../src/master-data/person-links.ts';
import { upsertRecords } from '../../src/master-data/records-repo.ts';
import { ConsoleClient, inputsOf, type FeedItem } from '../support/console-client.ts';
import { idle, inputValues, notes, openConfirmCard, turn } from '../support/nlu-console-kit.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * Form fields whose values are ERP master data (intents/purchase_request.yaml: supplier), through the console bot
 * (its ERP: the tenant's sandbox ledger), and the submit check for requesters the ERP does not know. Company names
 * are invented.
 */
let tdb: TestDb;
let app: App;
let cc: ConsoleClient;
const clock = fixedClock(new Date('2026-11-23T02:00:00Z'));

const SUPPLIERS = ['深圳市鲲鹏云技术有限公司', '北京宏达贸易有限公司', '上海宏达科技有限公司', '木森家居（中国）有限公司'];

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock });
  cc = new ConsoleClient(app);
  await upsertRecords(app.db.db, 'default', 'sandbox', [
    ...SUPPLIERS.map((name, i) => ({ kind: 'supplier' as const, erpId: `sup-${i}`, code: `S${i}`, name, active: true })),
    { kind: 'supplier', erpId: 'sup-old', name: '旧宏达商行', active: false },
  ], clock.now());
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

const formOf = (m: FeedItem): Record<string, string> => Object.fromEntries(Object.entries(inputValues(m)).map(([k, v]) => [k, v ?? '']));
const supplierInput = (m: FeedItem) => inputsOf(m.card).find((i) => i.name === 'supplier');
const requestsOf = (user: string) => app.db.db.selectFrom('requests').selectAll().where('requester_id', '=', user).execute();
const latest = (user: string, id: string): FeedItem => [...(cc.feeds.get(user)?.values() ?? [])].find((m) => m.id === id)!;

describe('a supplier named in chat', () => {
  it('by its short name is filled with the ERP\'s own name, and the card offers the suppliers as a select', async () => {
    const card = await (await turn(cc, 'zhangsan', '采购5台显示器，预算八千，从鲲鹏云采购')).waitFor(openConfirmCard);
    expect(inputValues(card)).toMatchObject({ supplier: '深圳市鲲鹏云技术有限公司', quantity: '5', amount: '8000.00' });
    const input = supplierInput(card);
    expect(input?.type).toBe('select');
    // The current value first, then the active suppliers by name; the deactivated one is not offered.
    expect(input?.options?.[0]).toEqual({ value: '深圳市鲲鹏云技术有限公司', label: '深圳市鲲鹏云技术有限公司' });
    expect(input?.options?.map((o) => o.value).sort()).toEqual([...SUPPLIERS].sort());
    await idle(app, cc, 'zhangsan');
    const r = await cc.click('zhangsan', card.id, 'dialog.submit', formOf(latest('zhangsan', card.id)), undefined, latest('zhangsan', card.id).revision);
    expect(r.status).toBe(200);
    const [req] = await requestsOf('zhangsan');
    expect(req?.fields).toMatchObject({ supplier: '深圳市鲲鹏云技术有限公司' });
  });

  it('that two suppliers match: the bot asks which one, and the answer that names one fills it', async () => {
    const t = await turn(cc, 'lisi', '采购5台显示器，预算八千，找宏达买');
    const asked = await t.text(/是哪一个/);
    expect(asked.text).toContain('北京宏达贸易有限公司');
    expect(asked.text).toContain('上海宏达科技有限公司');
    expect(asked.text).not.toContain('旧宏达商行');
    await idle(app, cc, 'lisi');
    expect(t.all().some(openConfirmCard)).toBe(false);
    const card = await (await turn(cc, 'lisi', '上海宏达')).waitFor(openConfirmCard);
    expect(inputValues(card)).toMatchObject({ supplier: '上海宏达科技有限公司', item: expect.stringContaining('显示器') });
  });

  it('that the ERP does not have: the question stays, with names that look alike', async () => {
    await (await turn(cc, 'wangwu', '采购2把椅子，预算一千')).waitFor(openConfirmCard);
    await idle(app, cc, 'wangwu');
    const t = await turn(cc, 'wangwu', '供应商改成木森家具');
    const m = await t.text(/ERP 里没有叫/);
    expect(m.text).toContain('木森家居（中国）有限公司');
    await idle(app, cc, 'wangwu');
    const card = await (await turn(cc, 'wangwu', '木森')).waitFor(openConfirmCard);
    expect(inputValues(card)['supplier']).toBe('木森家居（中国）有限公司');
  });

  it('edited on the card: an offered name is taken, a made-up one is refused with the reason and nothing is created', async () => {
    const card = await (await turn(cc, 'admin', '采购3台打印机，预算六千，从鲲鹏云采购')).waitFor(openConfirmCard);
    await idle(app, cc, 'admin');
    const now = latest('admin', card.id);
    const refused = await cc.click('admin', card.id, 'dialog.submit', { ...formOf(now), supplier: '完全不存在的供应商' }, undefined, now.revision);
    expect(refused.status).toBe(400);
    expect(refused.body.toast?.text).toMatch(/ERP 里没有叫「完全不存在的供应商」的供应商/);
    expect(await requestsOf('admin')).toHaveLength(0);
  });
});

describe('submitting a claim that pays the requester', () => {
  it('is refused while the ERP shares employees and the requester is not linked to one; linked, it goes through', async () => {
    // Before the ERP shares any employee, nothing is checked (the sandbox pays people by name).
    await upsertRecords(app.db.db, 'default', 'sandbox', [{ kind: 'employee', erpId: 'emp-9', name: '某员工', active: true }], clock.now());
    const card = await (await turn(cc, 'wangwu', '报销上周去北京出差的差旅费，2000元，事由参加培训')).waitFor(openConfirmCard);
    await idle(app, cc, 'wangwu');
    const t = await turn(cc, 'wangwu', '确认');
    const said = await t.text(/员工档案/);
    expect(said.text).toContain('你在 ERP（sandbox）里还没有对应的员工档案，请联系管理员关联后再提交');
    await idle(app, cc, 'wangwu');
    const now = latest('wangwu', card.id);
    expect(notes(now).some((n) => n.includes('员工档案'))).toBe(true);
    // The card's Submit is refused the same way.
    const clicked = await cc.click('wangwu', card.id, 'dialog.submit', formOf(now), undefined, now.revision);
    expect(clicked.status).toBe(400);
    expect(clicked.body.toast?.text).toContain('员工档案');
    expect((await requestsOf('wangwu')).filter((r) => r.intent_key === 'travel_expense')).toHaveLength(0);

    await linkPerson(app.db.db, { tenantId: 'default', connector: 'sandbox', userId: 'wangwu', erpId: 'emp-9', matchedBy: 'manual' }, clock.now());
    await idle(app, cc, 'wangwu');
    const again = latest('wangwu', card.id);
    const ok = await cc.click('wangwu', card.id, 'dialog.submit', formOf(again), undefined, again.revision);
    expect(ok.status).toBe(200);
    expect((await requestsOf('wangwu')).filter((r) => r.intent_key === 'travel_expense')).toHaveLength(1);
  });

  it('in English, the refusal is in English', async () => {
    const card = await (await turn(cc, 'lisi', 'reimburse my business trip to Shanghai last month, 3200 yuan, purpose: client visit')).waitFor(openConfirmCard);
    await idle(app, cc, 'lisi');
    const now = latest('lisi', card.id);
    const r = await cc.click('lisi', card.id, 'dialog.submit', formOf(now), undefined, now.revision);
    expect(r.status).toBe(400);
    expect(r.body.toast?.text).toBe('You have no employee record in the ERP (sandbox) yet. Ask an administrator to link you, then submit again.');
  });
});
