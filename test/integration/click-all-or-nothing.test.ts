import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { loadConfig } from '../../src/config/env.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { SandboxActions } from '../../src/actions/sandbox-actions.ts';
import { randomIds } from '../../src/core/ids.ts';
import { getUsers } from '../../src/directory/directory-repo.ts';
import { SANDBOX_OPERATOR_ROLES, type SandboxErpConnector } from '../../src/erp/connectors/sandbox.ts';
import { buttonsOf, ConsoleClient, type FeedItem } from '../support/console-client.ts';
import { idle, inputValues, openConfirmCard, turn } from '../support/nlu-console-kit.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

/*
 * A click is recorded as handled in the same transaction as its effect. Each case makes the effect fail once
 * (a one-shot database fault, armed by a sequence: nextval() is not undone by the rollback the fault causes,
 * so it fires once), redelivers the same event id and expects it to act this time, then redelivers it again
 * and expects "already handled" with nothing done twice.
 */
let tdb: TestDb;
let app: App;
let cc: ConsoleClient;

const FAULTS = ['fault_ledger', 'fault_request_insert', 'fault_cancel', 'hold_request_update'] as const;
type Fault = (typeof FAULTS)[number];

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock: fixedClock(new Date('2031-02-28T02:00:00Z')) });
  cc = new ConsoleClient(app);
  const db = app.db.db;
  for (const f of FAULTS) await sql`create sequence ${sql.table(f)} start 100`.execute(db);
  await sql`create function test_fault_ledger() returns trigger language plpgsql as $$
    begin
      if new.status <> old.status and nextval('fault_ledger') = 1 then raise exception 'injected fault: ledger %', new.status; end if;
      return new;
    end $$`.execute(db);
  await sql`create function test_fault_request_insert() returns trigger language plpgsql as $$
    begin
      if nextval('fault_request_insert') = 1 then raise exception 'injected fault: request insert'; end if;
      return new;
    end $$`.execute(db);
  await sql`create function test_fault_cancel() returns trigger language plpgsql as $$
    begin
      if new.state = 'null'::jsonb and old.state <> 'null'::jsonb and nextval('fault_cancel') = 1 then raise exception 'injected fault: dialog cancel'; end if;
      return new;
    end $$`.execute(db);
  // Not a fault: holds the first request update after arming for a while, inside its transaction.
  await sql`create function test_hold_request_update() returns trigger language plpgsql as $$
    begin
      if nextval('hold_request_update') = 1 then perform pg_sleep(1.5); end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger test_hold_request_update before update on requests for each row execute function test_hold_request_update()`.execute(db);
  await sql`create trigger test_fault_ledger before update on sandbox_erp_documents for each row execute function test_fault_ledger()`.execute(db);
  await sql`create trigger test_fault_request_insert before insert on requests for each row execute function test_fault_request_insert()`.execute(db);
  await sql`create trigger test_fault_cancel before update on dialog_sessions for each row execute function test_fault_cancel()`.execute(db);
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

const arm = (f: Fault) => sql`select setval(${f}, 1, false)`.execute(app.db.db);
const fired = async (f: Fault) => (await sql<{ called: boolean }>`select is_called as called from ${sql.table(f)}`.execute(app.db.db)).rows[0]?.called === true;
const inboxRows = (eventId: string) => app.db.db.selectFrom('inbox_events').select(['status']).where('event_id', '=', eventId).execute();
const formOf = (m: FeedItem): Record<string, string> => Object.fromEntries(Object.entries(inputValues(m)).map(([k, v]) => [k, v ?? '']));

/**
 * Runs the clicks with the outbox stopped, so the clicked card stays as it is (a re-rendered card loses the
 * button, and the console would refuse the redelivery as outdated before it reached the handler).
 */
async function withCardsHeld(clicks: () => Promise<void>): Promise<void> {
  await idle(app, cc, 'wangwu'); // nothing in flight when the worker stops
  await app.outbox.stop();
  try {
    await clicks();
  } finally {
    app.outbox.start();
  }
}

async function confirmCard(user: string, text: string): Promise<FeedItem> {
  const c = await (await turn(cc, user, text)).waitFor(openConfirmCard);
  await idle(app, cc, user);
  return [...(cc.feeds.get(user)?.values() ?? [])].find((m) => m.id === c.id) ?? c;
}

/** An approved expense claim whose sandbox document exists, and wangwu's (finance) Post/Pay card for it. */
async function operatorCard(amount: string) {
  const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount, date: '2031-02-20' });
  const task = await app.db.db.selectFrom('approval_tasks').selectAll().where('request_id', '=', req.id).executeTakeFirstOrThrow();
  expect((await app.approvals.act('default', req.id, { type: 'approve', actor: 'lisi', taskId: task.id }, 'api')).ok).toBe(true);
  const doc = await until(() => app.db.db.selectFrom('erp_documents').selectAll().where('request_id', '=', req.id).executeTakeFirst(), (d) => d?.erp_id != null);
  const card = await cc.waitFor('wangwu', (m) => m.card?.key === `erpdoc:${doc?.id ?? ''}`);
  return { req, doc, card };
}

describe('a click is recorded with its effect, all or nothing', () => {
  it('Post fails in the ledger: the same event redelivered posts; once more is "already handled" and posts nothing', async () => {
    const { req, card } = await operatorCard('120.00');
    await withCardsHeld(async () => {
      await arm('fault_ledger');
      const failed = await cc.click('wangwu', card.id, 'erp.post', {}, 'evt-post-1');
      expect(failed.status).toBe(500);
      expect(await fired('fault_ledger')).toBe(true);
      expect(await inboxRows('evt-post-1')).toEqual([]);
      expect((await app.db.db.selectFrom('sandbox_erp_documents').select('status').where('external_key', 'like', `%${req.number}%`).executeTakeFirstOrThrow()).status).toBe('approved');

      const redelivered = await cc.click('wangwu', card.id, 'erp.post', {}, 'evt-post-1');
      expect([redelivered.status, redelivered.body.toast?.text]).toEqual([200, '已入账']);
      // The request learned of it in the same commit: no poll needed.
      expect((await app.db.db.selectFrom('requests').select('erp_status').where('id', '=', req.id).executeTakeFirstOrThrow()).erp_status).toBe('posted');
      const ledgerAfter = await app.db.db.selectFrom('sandbox_erp_documents').select(['status', 'version']).where('external_key', 'like', `%${req.number}%`).executeTakeFirstOrThrow();
      expect(ledgerAfter.status).toBe('posted');

      const again = await cc.click('wangwu', card.id, 'erp.post', {}, 'evt-post-1');
      expect([again.status, again.body.error?.code, again.body.toast?.text]).toEqual([409, 'workflow.already_handled', '这个操作已经处理过了']);
      expect(await app.db.db.selectFrom('sandbox_erp_documents').select(['status', 'version']).where('external_key', 'like', `%${req.number}%`).executeTakeFirstOrThrow()).toEqual(ledgerAfter);
      const audits = await app.db.db.selectFrom('audit_log').select('action').where('subject_id', '=', req.id).where('action', 'in', ['erp.post', 'request.erp_posted']).execute();
      expect(audits.map((a) => a.action).sort()).toEqual(['erp.post', 'request.erp_posted']);
      expect(await inboxRows('evt-post-1')).toEqual([{ status: 'done' }]);
    });
  });

  it('Pay after a failed Pay with the same event pays once, with the bank reference of the click', async () => {
    const { req, card: toPost } = await operatorCard('80.00');
    expect((await cc.click('wangwu', toPost.id, 'erp.post')).status).toBe(200);
    const card = await cc.waitFor('wangwu', (m) => m.id === toPost.id && buttonsOf(m.card).some((b) => b.actionId === 'erp.pay')); // the ledger pays what it has posted
    await withCardsHeld(async () => {
      await arm('fault_ledger');
      expect((await cc.click('wangwu', card.id, 'erp.pay', { bank_ref: 'BANK-AON-1' }, 'evt-pay-1')).status).toBe(500);
      expect(await fired('fault_ledger')).toBe(true);
      const paid = await cc.click('wangwu', card.id, 'erp.pay', { bank_ref: 'BANK-AON-1' }, 'evt-pay-1');
      expect([paid.status, paid.body.toast?.text]).toEqual([200, '已付款']);
      expect((await cc.click('wangwu', card.id, 'erp.pay', { bank_ref: 'BANK-AON-1' }, 'evt-pay-1')).body.error?.code).toBe('workflow.already_handled');
      const doc = await app.db.db.selectFrom('erp_documents').select(['status', 'bank_ref', 'paid_at']).where('request_id', '=', req.id).executeTakeFirstOrThrow();
      expect(doc).toEqual({ status: 'paid', bank_ref: 'BANK-AON-1', paid_at: new Date('2031-02-28T02:00:00Z') });
      expect(await app.db.db.selectFrom('audit_log').select('actor').where('subject_id', '=', req.id).where('action', '=', 'erp.pay').execute()).toEqual([{ actor: 'wangwu' }]);
    });
  });

  it('Submit whose commit fails: the same event redelivered submits; once more is "already handled" and submits nothing', async () => {
    const c = await confirmCard('zhangsan', '报销上周去北京出差的差旅费，2000元，事由参加培训');
    const before = (await app.db.db.selectFrom('requests').select('id').execute()).length;
    await withCardsHeld(async () => {
      await arm('fault_request_insert');
      const failed = await cc.click('zhangsan', c.id, 'dialog.submit', formOf(c), 'evt-submit-1', c.revision);
      expect(failed.status).toBe(500);
      expect(await fired('fault_request_insert')).toBe(true);
      expect(await inboxRows('evt-submit-1')).toEqual([]);
      expect(await app.db.db.selectFrom('requests').select('id').execute()).toHaveLength(before);

      const ok = await cc.click('zhangsan', c.id, 'dialog.submit', formOf(c), 'evt-submit-1', c.revision);
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(ok.body.toast?.text).toMatch(/^已提交 TRV-203102-\d{4}$/);
      const again = await cc.click('zhangsan', c.id, 'dialog.submit', formOf(c), 'evt-submit-1');
      expect([again.status, again.body.error?.code, again.body.toast?.text]).toEqual([409, 'workflow.already_handled', '这个操作已经处理过了']);
      expect(await app.db.db.selectFrom('requests').select('id').execute()).toHaveLength(before + 1);
      expect(await inboxRows('evt-submit-1')).toEqual([{ status: 'done' }]);
    });
  });

  it('Cancel whose commit fails: the same event redelivered cancels the draft', async () => {
    const c = await confirmCard('lisi', '报销上周去上海出差的差旅费，1500元，事由拜访客户');
    await withCardsHeld(async () => {
      await arm('fault_cancel');
      expect((await cc.click('lisi', c.id, 'dialog.cancel', {}, 'evt-cancel-1')).status).toBe(500);
      expect(await fired('fault_cancel')).toBe(true);
      const draft = async () => (await app.db.db.selectFrom('dialog_sessions').select('state').where('user_id', '=', 'lisi').executeTakeFirstOrThrow()).state;
      expect(await draft()).not.toBeNull();
      expect((await cc.click('lisi', c.id, 'dialog.cancel', {}, 'evt-cancel-1')).status).toBe(200);
      expect(await draft()).toBeNull();
      expect((await cc.click('lisi', c.id, 'dialog.cancel', {}, 'evt-cancel-1')).body.error?.code).toBe('workflow.already_handled');
    });
  });

  // Two transactions at once need several connections: PGlite has one, and runs them one after the other.
  it.skipIf(!loadConfig().databaseUrl)('a Pay click while the status poll applies an earlier change of the document: both go through (no deadlock)', async () => {
    const { req, doc } = await operatorCard('90.00');
    const ledger = app.erp.connector('sandbox') as SandboxErpConnector;
    // Posted in the ledger, not yet seen by the poll: the operator card (drawn from what the service recorded)
    // still offers Post, so the Pay click goes to the click handler directly, with the same transaction it runs.
    const wangwu = (await getUsers(app.db.db, 'default', ['wangwu'])).get('wangwu');
    if (!wangwu) throw new Error('wangwu is not in the directory');
    const clicks = new SandboxActions({ db: app.db.db, erp: app.erp, directory: app.directory, ids: randomIds, clock: fixedClock(new Date('2031-02-28T02:00:00Z')),
      maxAttempts: 3, operatorRoles: SANDBOX_OPERATOR_ROLES, localeOf: () => 'zh' });
    await ledger.post({ erp: 'sandbox', docKind: 'expense_reimbursement', formId: 'sandbox_document', id: doc?.erp_id ?? '', externalKey: doc?.external_key ?? '' });
    await withCardsHeld(async () => {
      await arm('hold_request_update');
      // The poll takes the link row, then stops inside its transaction at the request update (before the audit chain).
      const poll = app.erp.syncConnector('default', 'sandbox');
      const held = await until(() => sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where query like '%commit_request_change%' and wait_event = 'PgSleep'`.execute(app.db.db),
        (r) => (r.rows[0]?.n ?? 0) > 0);
      expect(held.rows[0]?.n).toBe(1);
      const paid = await clicks.handle(wangwu, 'erp.pay', doc?.id ?? '', 'BANK-RACE', 'zh', async () => {});
      expect([paid.status, paid.toast?.text]).toEqual([200, '已付款']);
      await expect(poll).resolves.toBeGreaterThanOrEqual(0);
    });
    expect((await app.db.db.selectFrom('requests').select('erp_status').where('id', '=', req.id).executeTakeFirstOrThrow()).erp_status).toBe('paid');
    const actions = await app.db.db.selectFrom('audit_log').select('action').where('subject_id', '=', req.id).where('action', 'in', ['request.erp_posted', 'request.erp_paid', 'erp.pay']).execute();
    expect(actions.map((a) => a.action).sort()).toEqual(['erp.pay', 'request.erp_paid', 'request.erp_posted']);
  });
});
