import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fieldNames } from '../../src/conversation/llm/llm-tool-schema.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { ConsoleClient, type FeedItem } from '../support/console-client.ts';
import { idle, inputValues, openConfirmCard, turn, type TurnView } from '../support/nlu-console-kit.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { startFakeOpenAi, type FakeOpenAiServer, type FakeReply } from '../fakes/openai-server.ts';

/**
 * NLU_MODE=llm: the model may fill and correct a draft, but a submit needs the person's own confirm (a confirm
 * word the offline rules recognise, /submit, or the card's Submit button). A model "confirm" on any other text is
 * dropped; its field changes still land on the draft and the card shows them before anything is submitted.
 */
const NOW = new Date('2026-11-23T02:00:00Z');
let fake: FakeOpenAiServer;
let tdb: TestDb;
let app: App;
let cc: ConsoleClient;
/** The app's log lines (info and up), to see what it says when it holds a model confirm back. */
const logs: { msg?: string; reason?: string; changed?: string[]; source?: string; userId?: string }[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAi();
  tdb = await createTestDb();
  const logger = pino({ level: 'info' }, { write: (line: string) => { logs.push(JSON.parse(line) as (typeof logs)[number]); } });
  app = await startApp({ db: tdb.handle, clock: fixedClock(NOW), logger, env: { NLU_MODE: 'llm', OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'sk-test', LOG_LEVEL: 'error' } });
  cc = new ConsoleClient(app);
});
afterAll(async () => {
  await app.stop();
  await Promise.all([tdb.drop(), fake.close()]);
});

/** A resolve_turn call as a strict-schema model sends it: every field present, null when not given. */
function call(action: string, intent: string | null, given: Record<string, string> = {}): FakeReply {
  const fields = Object.fromEntries(fieldNames(app.catalog).map((n) => [n, given[n] ?? null]));
  return { kind: 'tool', args: { action, intent, fields } };
}

const requestsOf = (user: string) => app.db.db.selectFrom('requests').select(['id', 'number', 'fields', 'status']).where('requester_id', '=', user).execute();
const draftOf = async (user: string) => (await app.db.db.selectFrom('dialog_sessions').select('state').where('user_id', '=', user).executeTakeFirst())?.state;
const latest = (user: string, m: FeedItem): FeedItem => cc.feeds.get(user)?.get(m.id) ?? m;
const formOf = (m: FeedItem): Record<string, string> => Object.fromEntries(Object.entries(inputValues(m)).map(([k, v]) => [k, v ?? '']));

/** Opens a complete travel draft (2500 to Shanghai) through the model; returns its confirmation card once settled. */
async function openDraft(user: string): Promise<FeedItem> {
  fake.script(call('start_intent', 'travel_expense', { destination: '上海', amount: '2500', purpose: '拜访客户' }));
  const card = await (await turn(cc, user, '报销这个月去上海见客户的差旅费2500')).waitFor(openConfirmCard);
  await idle(app, cc, user);
  expect(inputValues(latest(user, card)).amount).toBe('2500.00');
  return latest(user, card);
}

/** Says `text` to the bot with the model scripted to answer `reply`; waits until everything it caused is delivered. */
async function say(user: string, text: string, reply: FakeReply): Promise<TurnView> {
  const before = fake.completions;
  fake.script(reply);
  const t = await turn(cc, user, text);
  await idle(app, cc, user);
  expect(fake.completions - before).toBe(1); // the model did answer this turn (no offline fallback hid it)
  return t;
}

describe('a model confirm is not the person\'s confirm (NLU_MODE=llm)', () => {
  it('"hello there" + model set amount=9999 and confirm: nothing submitted, the card shows 9999; "确认" then submits 9999', async () => {
    const card = await openDraft('zhangsan');
    const hello = await say('zhangsan', 'hello there', call('confirm', 'travel_expense', { amount: '9999' }));
    expect(await requestsOf('zhangsan')).toEqual([]);
    // The change is on the refreshed card (same message, a newer revision) and the person is told to check it.
    const refreshed = latest('zhangsan', card);
    expect(refreshed.revision).toBeGreaterThan(card.revision);
    expect(openConfirmCard(refreshed)).toBe(true);
    expect(inputValues(refreshed).amount).toBe('9999.00');
    expect(hello.all().some((m) => m.kind === 'text' && /check the card|核对/i.test(m.text ?? ''))).toBe(true);
    expect(await draftOf('zhangsan')).toMatchObject({ stage: 'confirming', fields: { amount: '9999.00', destination: '上海' } });
    expect(logs.filter((l) => l.userId === 'zhangsan' && /confirm the person did not give/.test(l.msg ?? '')))
      .toEqual([expect.objectContaining({ reason: 'not_a_confirm_reply', changed: ['amount'], source: 'llm' })]);

    await say('zhangsan', '确认', call('confirm', null));
    const reqs = await requestsOf('zhangsan');
    expect(reqs).toHaveLength(1);
    expect(reqs[0]?.fields).toMatchObject({ amount: '9999.00', destination: '上海', purpose: '拜访客户' });
    expect(await draftOf('zhangsan')).toBeNull();
  });

  it('after a held model confirm, the card\'s Submit button submits the amount the card shows', async () => {
    const card = await openDraft('lisi');
    await say('lisi', 'hello there', call('confirm', 'travel_expense', { amount: '9999' }));
    expect(await requestsOf('lisi')).toEqual([]);
    const shown = latest('lisi', card);
    expect(inputValues(shown).amount).toBe('9999.00');
    const r = await cc.click('lisi', shown.id, 'dialog.submit', formOf(shown), undefined, shown.revision);
    expect(r.status).toBe(200);
    await idle(app, cc, 'lisi');
    const reqs = await requestsOf('lisi');
    expect(reqs.map((q) => q.fields)).toEqual([expect.objectContaining({ amount: '9999.00' })]);
  });

  it('a model confirm on unrelated sentences (English, Chinese) submits nothing and leaves the draft as it was', async () => {
    const card = await openDraft('wangwu');
    const before = await draftOf('wangwu');
    for (const text of ['could you book a meeting room for Thursday afternoon', '下午帮我看看打印机是不是又卡纸了']) {
      const t = await say('wangwu', text, call('confirm', null));
      expect(await requestsOf('wangwu')).toEqual([]);
      // Nothing was understood as the person's confirm: the hint says how to submit.
      expect(t.all().some((m) => m.kind === 'text' && /submit|确认/i.test(m.text ?? ''))).toBe(true);
    }
    expect(await draftOf('wangwu')).toMatchObject({ id: (before as { id: string }).id, stage: 'confirming', fields: { amount: '2500.00' } });
    expect(openConfirmCard(latest('wangwu', card))).toBe(true);
  });

  it('a confirm word that came with a model change shows the change first; the next confirm submits it', async () => {
    const earlier = (await requestsOf('lisi')).length; // lisi's request from the Submit-button test
    const card = await openDraft('lisi');
    await say('lisi', 'ok', call('confirm', 'travel_expense', { amount: '8888' }));
    expect(await requestsOf('lisi')).toHaveLength(earlier);
    expect(inputValues(latest('lisi', card)).amount).toBe('8888.00');
    await say('lisi', 'ok', call('confirm', null));
    const reqs = await requestsOf('lisi');
    expect(reqs).toHaveLength(earlier + 1);
    expect(reqs.map((q) => q.fields)).toContainEqual(expect.objectContaining({ amount: '8888.00' }));
  });

  it('the model cannot withdraw or cancel a submitted request: its "cancel" only ever touches the open draft', async () => {
    const [mine] = await requestsOf('zhangsan');
    expect(mine?.status).toBe('pending');
    const t = await say('zhangsan', '把我刚提交的那张差旅单撤回吧', call('cancel', 'travel_expense'));
    expect(t.all().some((m) => m.kind === 'text' && /没有进行中的申请/.test(m.text ?? ''))).toBe(true);
    expect((await requestsOf('zhangsan')).map((q) => q.status)).toEqual(['pending']);
  });
});
