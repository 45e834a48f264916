import { expect } from 'vitest';
import type { App } from '../../../src/app/create-app.ts';
import { buttonsOf, textOf, timelineItem, type ConsoleClient, type FeedItem } from '../console-client.ts';

/**
 * The chat side of the ERP loop through the console API, as people use it: the requester fills a request over a few
 * turns and submits its confirmation card, approvers press Approve on their task cards, and the requester's own card
 * (one message, updated in place) shows the ERP's progress. Labels are the console bot's language (zh).
 */
export const LABEL = { created: 'ERP 单据已生成', posted: '已入账', paid: '已付款' } as const;

export const hasButton = (id: string) => (m: FeedItem): boolean => m.kind === 'card' && buttonsOf(m.card).some((b) => b.actionId === id);

/** Submits the open confirmation card of `user` containing `mark`, with `form` edits; returns the request number. */
async function submitCard(cc: ConsoleClient, user: string, mark: string, form: Record<string, string>, prefix: string): Promise<string> {
  const confirm = await cc.waitFor(user, (m) => hasButton('dialog.submit')(m) && textOf(m.card).includes(mark));
  const res = await cc.click(user, confirm.id, 'dialog.submit', form);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const number = new RegExp(`${prefix}-\\d{6}-\\d{4}`).exec(res.body.toast?.text ?? '')?.[0];
  if (!number) throw new Error(`no ${prefix} number in the toast ${JSON.stringify(res.body)}`);
  return number;
}

/** Says `text` and waits for the bot's next text reply matching `re` (a new message, not an earlier request's). */
async function turn(cc: ConsoleClient, user: string, text: string, re: RegExp): Promise<void> {
  await cc.sync(user, 0);
  const seen = new Set(cc.feeds.get(user)?.keys() ?? []);
  expect((await cc.say(user, text)).status).toBe(202);
  await cc.waitFor(user, (m) => !seen.has(m.id) && m.kind === 'text' && re.test(m.text ?? ''));
}

/** A travel claim over four turns (intent, destination, amount, purpose), then its confirmation card. */
export async function submitTravelClaim(cc: ConsoleClient, user: string, c: { destination: string; amount: string; purpose: string }): Promise<string> {
  await turn(cc, user, '/new travel_expense', /去了哪里/);
  await turn(cc, user, c.destination, /多少钱/);
  await turn(cc, user, c.amount, /事由/);
  expect((await cc.say(user, c.purpose)).status).toBe(202);
  return submitCard(cc, user, c.purpose, {}, 'TRV');
}

/**
 * A purchase request: intent, item, quantity; the budget when the bot asks for it, and the supplier (and the budget,
 * whatever the bot made of the answers) on the confirmation card, which takes edits.
 */
export async function submitPurchase(cc: ConsoleClient, user: string, p: { item: string; quantity: string; amount: string; supplier: string }): Promise<string> {
  await turn(cc, user, '/new purchase_request', /采购什么/);
  await turn(cc, user, p.item, /需要多少/);
  await cc.sync(user, 0);
  const seen = new Set(cc.feeds.get(user)?.keys() ?? []);
  expect((await cc.say(user, p.quantity)).status).toBe(202);
  const next = await cc.waitFor(user, (m) => !seen.has(m.id) && ((m.kind === 'text' && /预算/.test(m.text ?? '')) || hasButton('dialog.submit')(m)));
  if (next.kind === 'text') expect((await cc.say(user, p.amount)).status).toBe(202);
  return submitCard(cc, user, p.item, { amount: p.amount, supplier: p.supplier }, 'PR');
}

/** Each approver in turn presses Approve on their task card for `number`. */
export async function approveAll(cc: ConsoleClient, number: string, approvers: string[]): Promise<void> {
  for (const user of approvers) {
    const task = await cc.waitFor(user, (m) => hasButton('approve')(m) && (m.card?.title ?? '').includes(number));
    const res = await cc.click(user, task.id, 'approve', { comment: '同意' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

/** The requester's own card of `number` once `pred` holds (not the confirmation card). */
export function requesterCard(cc: ConsoleClient, user: string, number: string, pred: (m: FeedItem) => boolean, timeoutMs = 20_000): Promise<FeedItem> {
  return cc.waitFor(user, (m) => m.kind === 'card' && (m.card?.title ?? '').includes(number) && !hasButton('dialog.submit')(m) && pred(m), timeoutMs);
}

/** The card's timeline entry `label` is done. */
export const stepDone = (label: string) => (m: FeedItem): boolean => timelineItem(m.card, label)?.status === 'done';

export function stepDetail(m: FeedItem, label: string): string | undefined {
  return timelineItem(m.card, label)?.detail;
}

/** The request row and its ERP document row (the link the service keeps). */
export async function requestAndDocument(app: App, number: string) {
  const req = await app.db.db.selectFrom('requests').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
  const docs = await app.db.db.selectFrom('erp_documents').selectAll().where('request_id', '=', req.id).execute();
  return { req, docs };
}

/** The external key the service gives the document of a request's first revision (approval:<tenant>:<number>:r1). */
export const referenceOf = (number: string, revision = 1): string => `approval:default:${number}:r${revision}`;
