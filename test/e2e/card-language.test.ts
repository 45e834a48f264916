import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { buttonsOf, ConsoleClient, type FeedItem } from '../support/console-client.ts';
import { idle, turn } from '../support/nlu-console-kit.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/*
 * Cards and notifications speak their recipient's chat language (the one they last wrote in to the bot), the
 * bot's (the console bot is zh) before they have written: request cards, sandbox operator cards, notifications.
 */
let tdb: TestDb;
let app: App;
let cc: ConsoleClient;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock: fixedClock(new Date('2019-03-04T05:06:00Z')) });
  cc = new ConsoleClient(app);
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

async function says(user: string, text: string): Promise<void> {
  await turn(cc, user, text);
  await idle(app, cc, user);
}

const labels = (m: FeedItem): string[] => buttonsOf(m.card).map((b) => b.label);
const taskCard = (user: string, number: string): Promise<FeedItem> =>
  cc.waitFor(user, (m) => m.kind === 'card' && (m.card?.title ?? '').includes(number) && buttonsOf(m.card).some((b) => b.actionId === 'approve'));
const operatorCard = (user: string, requestNumber: string): Promise<FeedItem> =>
  cc.waitFor(user, (m) => m.kind === 'card' && (m.card?.key ?? '').startsWith('erpdoc:') && (m.card?.subtitle ?? '').startsWith(`${requestNumber} · `));

describe("cards and notifications in the recipient's chat language", () => {
  it('each person reads their cards in the language they write in; the bot language before they write', async () => {
    await says('lisi', 'Hello, is anything waiting for my approval?');
    await says('wangwu', 'Hi, any payments for me today?');

    const req = await submitDirect(app, 'travel_expense', 'zhangsan', { period: '2019-02', destination: '上海', amount: '6560.00', purpose: '拜访客户' });
    const lisi = await taskCard('lisi', req.number);
    expect([lisi.card?.title, lisi.card?.subtitle]).toEqual([`Travel expense · ${req.number}`, 'Pending approval']);
    expect(labels(lisi)).toEqual(['Approve', 'Reject', 'Transfer', 'Comment only']);
    // zhangsan has not written: the bot's language.
    const mine = await cc.waitFor('zhangsan', (m) => m.kind === 'card' && m.card?.title === `差旅报销 · ${req.number}`);
    expect(mine.card?.subtitle).toBe('审批中');

    expect((await cc.click('lisi', lisi.id, 'approve')).body.toast?.text).toBe('Approved');
    const wangwu = await taskCard('wangwu', req.number);
    expect(labels(wangwu)).toContain('Approve');
    expect((await cc.click('wangwu', wangwu.id, 'approve')).body.toast?.text).toBe('Approved');
    await cc.waitForText('zhangsan', new RegExp(`^✅ 你的差旅报销 ${req.number}已审批通过`));

    // The sandbox operator card: English for wangwu, who writes English; Chinese for admin, who has not written.
    const en = await operatorCard('wangwu', req.number);
    expect([en.card?.title, en.card?.subtitle]).toEqual([expect.stringMatching(/^Sandbox ERP · SBX-\d{6}$/), `${req.number} · approved`]);
    // Pay is offered once the document is posted (the sandbox refuses a payment before).
    expect(labels(en)).toEqual(['Post']);
    const zh = await operatorCard('admin', req.number);
    expect([zh.card?.title, zh.card?.subtitle]).toEqual([expect.stringMatching(/^沙箱 ERP · SBX-\d{6}$/), `${req.number} · 已审核`]);
    expect(labels(zh)).toEqual(['入账']);

    // zhangsan now writes English: the next notification and card to him are English.
    await says('zhangsan', 'thanks a lot');
    const second = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'office', amount: '45.00', date: '2019-03-01' });
    const task = await taskCard('lisi', second.number);
    expect((await cc.click('lisi', task.id, 'reject', { comment: 'no receipt' })).status).toBe(200);
    await cc.waitForText('zhangsan', new RegExp(`^❌ Your .+ ${second.number} was rejected: no receipt\\. Edit and resubmit from the card\\.$`));
    const rejected = await cc.waitFor('zhangsan', (m) => m.kind === 'card' && (m.card?.title ?? '').endsWith(second.number) && m.card?.subtitle === 'Rejected');
    expect(labels(rejected)).toEqual(['Edit and resubmit']);
  });
});
