import { expect } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { buttonsOf, inputsOf, textOf, type ConsoleClient, type FeedItem } from './console-client.ts';

/**
 * Helpers for the NLU stories: a chat turn that only looks at what the turn produced (messages new or
 * updated since it was sent), waiting until the app is idle, and the shared travel-expense story.
 */
const key = (m: FeedItem): string => `${m.id}@${m.revision}`;

export interface TurnView {
  /** The first message of this turn matching `pred` (waits for delivery). */
  waitFor(pred: (m: FeedItem) => boolean): Promise<FeedItem>;
  text(re: RegExp): Promise<FeedItem>;
  /** Everything this turn delivered so far (call after `idle`). */
  all(): FeedItem[];
}

export async function turn(cc: ConsoleClient, user: string, text: string): Promise<TurnView> {
  await cc.sync(user, 0);
  const before = new Set([...(cc.feeds.get(user)?.values() ?? [])].map(key));
  const res = await cc.say(user, text);
  expect(res.status).toBe(202);
  const fresh = (m: FeedItem): boolean => !before.has(key(m));
  return {
    waitFor: (pred) => cc.waitFor(user, (m) => fresh(m) && pred(m)),
    text: (re) => cc.waitFor(user, (m) => fresh(m) && m.kind === 'text' && re.test(m.text ?? '')),
    all: () => [...(cc.feeds.get(user)?.values() ?? [])].filter(fresh),
  };
}

/** Waits until every accepted message is handled and every outbox job is done, then reads the user's feed. */
export async function idle(app: App, cc: ConsoleClient, user: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const inbox = await app.db.db.selectFrom('inbox_events').select('id').where('status', '=', 'pending').execute();
    const jobs = await app.db.db.selectFrom('outbox_jobs').select('id').where('status', 'in', ['pending', 'running']).execute();
    if (inbox.length === 0 && jobs.length === 0) break;
    if (Date.now() > deadline) throw new Error(`not idle: ${inbox.length} inbound, ${jobs.length} jobs`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await cc.sync(user, 0);
}

export const isDialogCard = (m: FeedItem): boolean => m.kind === 'card' && (m.card?.key ?? '').startsWith('dialog:');
export const hasButton = (id: string) => (m: FeedItem): boolean => m.kind === 'card' && buttonsOf(m.card).some((b) => b.actionId === id);
export const openConfirmCard = (m: FeedItem): boolean => isDialogCard(m) && hasButton('dialog.submit')(m);

/** Input name → value of a confirmation card. */
export function inputValues(m: FeedItem): Record<string, string | undefined> {
  return Object.fromEntries(inputsOf(m.card).map((i) => [i.name, i.value]));
}

export function notes(m: FeedItem): string[] {
  return (m.card?.blocks ?? []).flatMap((b) => (b.type === 'note' ? [b.text] : []));
}

export function routeLine(m: FeedItem): string {
  return (m.card?.blocks ?? []).flatMap((b) => (b.type === 'text' && /审批流程|Approval route/.test(b.text) ? [b.text] : [])).join('');
}

/** What the travel story ends with, whichever resolver understood it. */
export const TRAVEL_STORY_FIELDS = { period: '2026-11', destination: '上海', amount: '25000.00', purpose: '拜访客户' };

/**
 * 报销上周去上海出差的差旅费 → two questions → card → 金额改成3000 (in place) → 金额改成2.5万 (in place, policy
 * warning, finance in the route) → 确认 → the number in chat and on the card. Returns the request number.
 */
export async function travelStory(app: App, cc: ConsoleClient, user: string): Promise<string> {
  const t1 = await turn(cc, user, '报销上周去上海出差的差旅费');
  await t1.text(/^一共花了多少钱？$/);
  await idle(app, cc, user);
  // Two message.send jobs: the outbox may deliver them in either order (see the report on per-chat ordering).
  expect(t1.all().map((m) => m.text).sort()).toEqual(['一共花了多少钱？', '好的，开始填写「差旅报销」。'].sort());

  await (await turn(cc, user, '2500')).text(/^出差事由是什么？$/);

  const card = await (await turn(cc, user, '拜访客户')).waitFor(openConfirmCard);
  expect(inputValues(card)).toMatchObject({ period: '2026-11', destination: '上海', amount: '2500.00', purpose: '拜访客户' });
  expect(card.card?.title).toBe('差旅报销 · 确认');
  expect(routeLine(card)).toBe('审批流程: 直属上级审批（李四）');
  expect(notes(card)).toEqual([]);

  const fixed = await (await turn(cc, user, '金额改成3000')).waitFor((m) => m.id === card.id && m.revision > card.revision);
  expect(inputValues(fixed).amount).toBe('3000.00');
  const big = await (await turn(cc, user, '金额改成2.5万')).waitFor((m) => m.id === card.id && m.revision > fixed.revision);
  expect(inputValues(big).amount).toBe('25000.00');
  expect(notes(big)).toEqual(['⚠ 单次差旅报销超过 2 万元，需附行程单和发票。']);
  expect(routeLine(big)).toBe('审批流程: 直属上级审批（李四） → 财务审批（王五）');
  await idle(app, cc, user);
  expect([...(cc.feeds.get(user)?.values() ?? [])].filter(openConfirmCard)).toHaveLength(1); // corrected in place, never re-sent

  const t6 = await turn(cc, user, '确认');
  const said = await t6.text(/^已提交，单号 TRV-\d{6}-\d{4}。/);
  const number = /TRV-\d{6}-\d{4}/.exec(said.text ?? '')?.[0] ?? '';
  const receipt = await t6.waitFor((m) => m.id === card.id && !hasButton('dialog.submit')(m));
  expect(textOf(receipt.card)).toContain(`已提交，单号 ${number}`);
  const req = await app.db.db.selectFrom('requests').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
  expect(req.fields).toEqual(TRAVEL_STORY_FIELDS);
  expect(req.status).toBe('pending');
  const session = await app.db.db.selectFrom('dialog_sessions').select('state').where('user_id', '=', user).executeTakeFirstOrThrow();
  expect(session.state).toBeNull();
  return number;
}
