import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { payInvoice, postInvoice } from '../support/tryton/connector-harness.ts';
import { startTrytonLoop, type TrytonLoop } from '../support/tryton/erp-loop.ts';
import { approveAll, LABEL, referenceOf, requestAndDocument, requesterCard, stepDetail, stepDone, submitTravelClaim } from '../support/tryton/loop-chat.ts';
import { resend, sendPush } from '../support/tryton/push-client.ts';
import { startTryton, type TrytonServer } from '../support/tryton/start-tryton.ts';
import { calendarDate, invoicesWithReference } from '../support/tryton/tryton-admin.ts';
import { registerStateTriggers } from '../support/tryton/webhook-triggers.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

/**
 * The ERP loop with a real Tryton, by push alone: the instance is polled once an hour (no poll runs during the test),
 * and Tryton's push module (erp-modules/tryton/approval_webhook), triggered when an invoice becomes posted or paid,
 * POSTs signed notices to the app's real listener (/webhooks/erp/<id>). Then what the listener refuses (a bad
 * signature, a stale timestamp, a replayed event id) and that a refusal has no effect while a good push does.
 */
const tryton = await startTryton();

const ID = 'tryton-push';

describe.skipIf(!tryton)('ERP loop through the console with a real Tryton: push', () => {
  const t = tryton as TrytonServer;
  let tdb: TestDb;
  let loop: TrytonLoop;
  let paidTrigger: number;

  beforeAll(async () => {
    tdb = await createTestDb();
    loop = await startTrytonLoop(tdb, t, { id: ID, pollSeconds: 3600 });
    const ids = await registerStateTriggers(t, loop.pushUrl, [{ model: 'account.invoice', state: 'posted' }, { model: 'account.invoice', state: 'paid' }]);
    paidTrigger = ids[1] as number;
  });
  afterEach(async (c) => {
    if (c.task.result?.state !== 'fail' || !loop) return;
    const jobs = await loop.app.db.db.selectFrom('outbox_jobs').select(['kind', 'status', 'attempts', 'last_error']).where('status', '!=', 'done').execute();
    console.error('jobs not done:', JSON.stringify(jobs, null, 1));
  });
  afterAll(async () => {
    await loop?.close();
    await tdb?.drop();
    await t.stop();
  });

  const db = () => loop.app.db.db;
  const pushEvents = () => db().selectFrom('erp_push_events').select('event_id').where('instance', '=', ID).orderBy('received_at').execute();
  const pushJobs = async () => Number((await db().selectFrom('outbox_jobs').select(sql<number>`count(*)`.as('n')).where('kind', '=', 'erp.push').executeTakeFirstOrThrow()).n);
  const noPollRan = async () => expect(await db().selectFrom('erp_sync_cursors').selectAll().where('connector', '=', ID).execute()).toEqual([]);

  /** A claim submitted and approved in chat, its invoice in Tryton; returns the number, invoice and the requester's card id. */
  async function approvedClaim(amount: string, purpose: string) {
    const number = await submitTravelClaim(loop.cc, 'zhangsan', { destination: '上海', amount, purpose });
    await approveAll(loop.cc, number, ['lisi']);
    const card = await requesterCard(loop.cc, 'zhangsan', number, stepDone(LABEL.created));
    const [inv] = await invoicesWithReference(loop.admin, referenceOf(number));
    if (!inv) throw new Error(`no invoice for ${number}`);
    return { number, inv, cardId: card.id };
  }

  it('posted and paid in Tryton reach the requester\'s card through Tryton\'s pushes alone', async () => {
    const { cc, app, admin } = loop;
    const { number, inv, cardId } = await approvedClaim('1288.88', '季度经营分析会');
    expect(await pushEvents()).toEqual([]); // validated is no trigger's state

    await postInvoice(admin, inv.id);
    const posted = await requesterCard(cc, 'zhangsan', number, (m) => m.id === cardId && stepDone(LABEL.posted)(m));
    expect(stepDetail(posted, LABEL.posted)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} · 凭证号 \S+$/);
    expect(await pushEvents()).toHaveLength(1);

    await payInvoice(t, admin, inv.id, '1288.88', 'ICBC-PUSH-0001', calendarDate(new Date()));
    const paid = await requesterCard(cc, 'zhangsan', number, (m) => m.id === cardId && stepDone(LABEL.paid)(m));
    expect(stepDetail(paid, LABEL.paid)).toMatch(/1,288\.88 · \d{4}-\d{2}-\d{2} \d{2}:\d{2} · 流水号 ICBC-PUSH-0001$/);
    expect((await requestAndDocument(app, number)).docs).toMatchObject([{ status: 'paid', paid_amount: '1288.88', bank_ref: 'ICBC-PUSH-0001', erp_id: String(inv.id) }]);
    // Two notices from Tryton, each stored once with its job; the poll never ran.
    expect(await pushEvents()).toHaveLength(2);
    expect(await pushJobs()).toBe(2);
    await noPollRan();
  });

  it('a bad signature, a stale timestamp and a replayed event id are refused with no effect; a good push then applies', async () => {
    const { app, admin } = loop;
    const { number, inv } = await approvedClaim('456.70', '供应商现场审核');
    await postInvoice(admin, inv.id);
    const postedDoc = await until(async () => (await requestAndDocument(app, number)).docs[0], (d) => d?.status === 'posted', 15_000, 20);
    expect(postedDoc?.status).toBe('posted');
    const [tryton1] = (await pushEvents()).slice(-1);
    // Tryton's own notice of the posting: the event id to replay.
    expect(tryton1?.event_id).toMatch(/^[0-9a-f-]{36}$/);

    // The accountant pays, but the paid trigger is off: Tryton says paid, the service has heard nothing yet.
    await admin.write('ir.trigger', [paidTrigger], { active: false });
    try {
      await payInvoice(t, admin, inv.id, '456.70', 'BOC-REFUSE-1', calendarDate(new Date()));
    } finally {
      await admin.write('ir.trigger', [paidTrigger], { active: true });
    }
    const records = [{ id: inv.id, reference: referenceOf(number), state: 'paid' }];
    // The posting's card update and notice are delivered: from here on nothing runs unless a push is accepted.
    const busy = async () => Number((await db().selectFrom('outbox_jobs').select(sql<number>`count(*)`.as('n')).where('status', 'in', ['pending', 'running']).executeTakeFirstOrThrow()).n);
    expect(await until(busy, (n) => n === 0, 15_000, 20)).toBe(0);
    const before = { events: await pushEvents(), jobs: await pushJobs(), doc: (await requestAndDocument(app, number)).docs[0] };
    const cards = () => db().selectFrom('console_messages').select(['id', 'revision']).where('user_id', '=', 'zhangsan').orderBy('id').execute();
    const cardsBefore = await cards();

    const badSignature = await sendPush(loop.pushUrl, { secret: 'not-the-secret-of-this-instance', records });
    expect([badSignature.status, badSignature.code]).toEqual([401, 'erp.push_bad_signature']);
    const stale = await sendPush(loop.pushUrl, { secret: t.webhookSecret, timestamp: Math.floor(Date.now() / 1000) - 600, records });
    expect([stale.status, stale.code]).toEqual([401, 'erp.push_stale']);
    const replayOfTryton = await sendPush(loop.pushUrl, { secret: t.webhookSecret, eventId: tryton1?.event_id as string, records });
    expect([replayOfTryton.status, replayOfTryton.code]).toEqual([409, 'erp.push_duplicate']);

    // Give a wrongly accepted push the time to have run (jobs run within ~20 ms here), then nothing moved.
    await until(pushJobs, (n) => n !== before.jobs, 500, 20);
    expect(await pushEvents()).toEqual(before.events);
    expect(await pushJobs()).toBe(before.jobs);
    expect((await requestAndDocument(app, number)).docs[0]).toEqual(before.doc);
    expect(await cards()).toEqual(cardsBefore);

    // The same notice, signed with the instance's secret and a new event id: accepted, and the document is paid.
    const good = await sendPush(loop.pushUrl, { secret: t.webhookSecret, records });
    expect(good.status).toBe(202);
    const paidDoc = await until(async () => (await requestAndDocument(app, number)).docs[0], (d) => d?.status === 'paid', 15_000, 20);
    expect(paidDoc).toMatchObject({ status: 'paid', paid_amount: '456.70', bank_ref: 'BOC-REFUSE-1' });
    expect(await pushJobs()).toBe(before.jobs + 1);
    // Sent again byte for byte (inside the time window): refused, nothing added.
    const replay = await resend(loop.pushUrl, good.request);
    expect([replay.status, replay.code]).toEqual([409, 'erp.push_duplicate']);
    expect(await pushEvents()).toHaveLength(before.events.length + 1);
    expect(await pushJobs()).toBe(before.jobs + 1);
    await noPollRan();
  });
});
