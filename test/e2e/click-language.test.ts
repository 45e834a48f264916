import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { buttonsOf, ConsoleClient, type FeedItem } from '../support/console-client.ts';
import { idle, turn } from '../support/nlu-console-kit.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/*
 * A click carries no language, so its toast speaks the one its person last wrote in to the bot, and the
 * bot's (the console bot is zh) before they have written anything.
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

async function lisiTask(amount: string): Promise<FeedItem> {
  const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'office', amount, date: '2019-03-01' });
  return cc.waitFor('lisi', (m) => m.kind === 'card' && (m.card?.title ?? '').includes(req.number) && buttonsOf(m.card).some((b) => b.actionId === 'approve'));
}

async function says(user: string, text: string): Promise<void> {
  await turn(cc, user, text);
  await idle(app, cc, user);
}

describe("click answers in the chat's language", () => {
  it("the bot's language before the person writes, then the language they last wrote in", async () => {
    const first = await lisiTask('45.00');
    const silent = await cc.click('lisi', first.id, 'reject', { comment: '' });
    expect([silent.status, silent.body.toast?.text]).toEqual([400, '驳回需要填写原因']);

    await says('lisi', 'Hello, is anything waiting for my approval?');
    const english = await cc.click('lisi', first.id, 'reject', { comment: '' });
    expect([english.status, english.body.toast?.text]).toEqual([400, 'A reason is required to reject']);
    await app.outbox.stop(); // the card keeps its buttons, so the redelivery reaches the handler
    try {
      const approved = await cc.click('lisi', first.id, 'approve', {}, 'evt-lang-approve');
      expect([approved.status, approved.body.toast?.text]).toEqual([200, 'Approved']);
      const again = await cc.click('lisi', first.id, 'approve', {}, 'evt-lang-approve');
      expect([again.status, again.body.toast?.text]).toEqual([409, 'This action was already handled']);
      // A second click with its own event id on the task it already approved: the engine's refusal, in English.
      const late = await cc.click('lisi', first.id, 'approve', {}, 'evt-lang-approve-2');
      expect([late.status, late.body.toast?.text]).toEqual([409, 'This task was already handled (approved)']);
    } finally {
      app.outbox.start();
    }

    await says('lisi', '好的，谢谢');
    const second = await lisiTask('46.00');
    const chinese = await cc.click('lisi', second.id, 'reject', { comment: '' });
    expect([chinese.status, chinese.body.toast?.text]).toEqual([400, '驳回需要填写原因']);
    // A message with no language of its own ("3000") leaves the chat's language as it was.
    await says('lisi', '3000');
    expect((await cc.click('lisi', second.id, 'approve')).body.toast?.text).toBe('已同意');
    // The console's own refusal (a button on a view that changed since) speaks it too.
    await cc.waitFor('lisi', (m) => m.id === second.id && m.revision > second.revision);
    const stale = await cc.click('lisi', second.id, 'approve', {}, undefined, second.revision);
    expect([stale.status, stale.body.error?.code, stale.body.toast?.text]).toEqual([409, 'card.outdated', '这张卡片已经更新，请看最新内容后再操作']);
    await says('lisi', 'thanks');
    const staleEn = await cc.click('lisi', second.id, 'approve', {}, undefined, second.revision);
    expect(staleEn.body.toast?.text).toBe('This card has changed; look at it again before acting');
  });
});
