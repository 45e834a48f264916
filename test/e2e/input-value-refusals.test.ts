import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { buttonsOf, ConsoleClient, inputsOf, textOf, type FeedItem } from '../support/console-client.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

/**
 * Values a form must refuse, through the console as people use it (chat answers and the confirmation card): an
 * amount past what the amount column holds (numeric(18,2)) or past the intent's `max`, commas that are no thousands
 * separators, a year 0001, a return date before the departure (`not_before`). Each is said once in the chat's
 * language, naming the field; the draft keeps its other fields; no request is written; no inbox event fails.
 */
let tdb: TestDb;
let app: App;
let cc: ConsoleClient;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock: fixedClock(new Date('2026-11-23T02:00:00Z')) });
  cc = new ConsoleClient(app);
});
afterAll(async () => {
  await app?.stop();
  await tdb?.drop();
});

const count = async (q: string): Promise<number> => Number((await sql<{ n: string }>`select count(*) as n from ${sql.raw(q)}`.execute(app.db.db)).rows[0]?.n);
const requests = (): Promise<number> => count('requests');
const texts = (user: string): string[] => [...(cc.feeds.get(user)?.values() ?? [])].filter((m) => m.kind === 'text').map((m) => m.text ?? '');
const isConfirm = (m: FeedItem): boolean => m.kind === 'card' && buttonsOf(m.card).some((b) => b.actionId === 'dialog.submit');

/** Says `text` and waits for the answer matching `re`; returns every text that came with it. */
async function answer(user: string, text: string, re: RegExp): Promise<string[]> {
  const before = texts(user).length;
  expect((await cc.say(user, text)).status).toBe(202);
  await cc.waitForText(user, re);
  return texts(user).slice(before);
}

/** A travel draft up to its confirmation card: destination 北京, amount 3000, purpose 培训. */
async function travelDraft(user: string): Promise<FeedItem> {
  await answer(user, '/new travel_expense', /去了哪里/);
  await answer(user, '北京', /多少钱/);
  await answer(user, '3000', /事由/);
  expect((await cc.say(user, '培训')).status).toBe(202);
  return cc.waitFor(user, (m) => isConfirm(m) && textOf(m.card).includes('培训'));
}

describe('amounts in chat', () => {
  it('refuses an amount past the amount column, and one past the intent maximum, naming the field; the draft keeps the rest', async () => {
    await answer('zhangsan', '/new travel_expense', /去了哪里/);
    await answer('zhangsan', '北京', /多少钱/);
    const overflow = await answer('zhangsan', '10000000000000000', /金额（元）过大/);
    expect(overflow.filter((t) => /过大/.test(t))).toHaveLength(1);
    await answer('zhangsan', '200万', /金额（元）.*1000000/);
    // "1,2,3" is not 123: commas only as thousands separators.
    const groups = await answer('zhangsan', '1,2,3', /不是能识别的金额/);
    expect(groups.join(' ')).not.toMatch(/123\.00/);
    await answer('zhangsan', '1,234.50', /事由/);
    expect((await cc.say('zhangsan', '培训')).status).toBe(202);
    const card = await cc.waitFor('zhangsan', (m) => isConfirm(m) && textOf(m.card).includes('培训'));
    expect(inputsOf(card.card).find((i) => i.name === 'destination')?.value).toBe('北京');
    expect(inputsOf(card.card).find((i) => i.name === 'amount')?.value).toMatch(/1,?234\.5/);
    expect(await requests()).toBe(0);
  });

  it('a draft holding an overflowing amount (saved before these checks): /submit answers once, nothing is written, nothing retried', async () => {
    await travelDraft('lisi');
    await sql`update dialog_sessions set state = jsonb_set(state, '{fields,amount}', '"10000000000000000.00"') where user_id = 'lisi'`.execute(app.db.db);
    const said = await answer('lisi', '/submit', /过大/);
    expect(said.filter((t) => /过大/.test(t))).toHaveLength(1);
    expect(await until(() => count(`inbox_events where status = 'pending'`), (n) => n === 0)).toBe(0);
    const troubled = await sql`select status, attempts, error from inbox_events where status = 'failed' or error is not null`.execute(app.db.db);
    expect(troubled.rows).toEqual([]);
    expect(await requests()).toBe(0);
  });
});

describe('the confirmation card', () => {
  it('refuses the intent maximum, a year 0001 and a return before the departure (both fields named); nothing is written', async () => {
    const card = await travelDraft('wangwu');
    const click = (form: Record<string, string>) => cc.click('wangwu', card.id, 'dialog.submit', form, undefined, card.revision);
    const tooMuch = await click({ amount: '1000000.01' });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error?.message).toMatch(/金额（元）.*1000000/);

    const year1 = await submitLatest({ start_date: '0001-01-01' });
    expect(year1.status).toBe(400);
    expect(year1.body.error?.message).toMatch(/出发日期不能早于 1900-01-01/);

    const back = await submitLatest({ start_date: '2026-11-20', end_date: '2026-11-18' });
    expect(back.status).toBe(400);
    expect(back.body.error?.message).toMatch(/返回日期（2026-11-18）早于出发日期（2026-11-20）/);
    expect(await requests()).toBe(0);

    // The draft kept its fields: a good pair goes through.
    expect(textOf((await latestCard()).card)).toContain('北京');
    const ok = await submitLatest({ start_date: '2026-11-18', end_date: '2026-11-20' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(await requests()).toBe(1);
  });
});

async function latestCard(): Promise<FeedItem> {
  await cc.sync('wangwu', 0);
  const cards = [...(cc.feeds.get('wangwu')?.values() ?? [])].filter(isConfirm);
  const last = cards.at(-1);
  if (!last) throw new Error('no confirmation card');
  return last;
}

/**
 * Submits the card wangwu sees now. A refused submit may refresh the card (a new revision, delivered by the outbox a
 * moment later); a click on the revision before that answers 409 card.outdated, as it would for a person, who then
 * clicks on the refreshed card: so does this, a few times at most.
 */
async function submitLatest(form: Record<string, string>): ReturnType<typeof cc.click> {
  for (let i = 0; ; i++) {
    const card = await latestCard();
    const r = await cc.click('wangwu', card.id, 'dialog.submit', form, undefined, card.revision);
    if (r.status !== 409 || i >= 5) return r;
    await cc.sync('wangwu', 200);
  }
}
