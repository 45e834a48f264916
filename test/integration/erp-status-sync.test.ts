import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import type { ErpConnector } from '../../src/erp/erp-connector.ts';
import { SandboxErpConnector } from '../../src/erp/connectors/sandbox.ts';
import { ConsoleClient } from '../support/console-client.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

/** The sandbox ERP whose change feed can be held after it has been read (a slow poll). */
const hold = { armed: false, reached: null as (() => void) | null, release: null as (() => void) | null };
/** Set: the next document creation takes long enough for the directory cache to expire meanwhile. */
let slowCreate: (() => void) | null = null;
function holdable(inner: ErpConnector): ErpConnector {
  const c = Object.create(inner) as ErpConnector;
  c.createDocument = async (input, o) => {
    const res = await inner.createDocument(input, o);
    slowCreate?.();
    slowCreate = null;
    return res;
  };
  c.listChanges = async (cursor, o) => {
    const page = await inner.listChanges(cursor, o);
    if (hold.armed) {
      hold.armed = false;
      hold.reached?.();
      await new Promise<void>((r) => { hold.release = r; });
    }
    return page;
  };
  return c;
}

let tdb: TestDb;
let app: App;
let cc: ConsoleClient;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, wrapErp: holdable });
  cc = new ConsoleClient(app);
  // One-shot database faults, the way a dropped connection or a failed statement would hit a write. A
  // sequence arms each one: nextval() is not undone by the rollback the fault causes, so it fires once.
  await sql`create sequence fault_request_paid start 100`.execute(app.db.db);
  await sql`create sequence fault_operator_card start 100`.execute(app.db.db);
  await sql`create function test_fault_paid() returns trigger language plpgsql as $$
    begin
      if new.erp_status = 'paid' and old.erp_status <> 'paid' and nextval('fault_request_paid') = 1 then
        raise exception 'injected fault: request.paid';
      end if;
      return new;
    end $$`.execute(app.db.db);
  await sql`create function test_fault_card() returns trigger language plpgsql as $$
    begin
      if new.idempotency_key like 'card.put:erpdoc:%' and nextval('fault_operator_card') = 1 then
        raise exception 'injected fault: operator.card';
      end if;
      return new;
    end $$`.execute(app.db.db);
  await sql`create trigger test_fault_requests before update on requests for each row execute function test_fault_paid()`.execute(app.db.db);
  await sql`create trigger test_fault_jobs before insert on outbox_jobs for each row execute function test_fault_card()`.execute(app.db.db);
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

const requestRow = (id: string) => app.db.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const docRow = (requestId: string) => app.db.db.selectFrom('erp_documents').selectAll().where('request_id', '=', requestId).executeTakeFirstOrThrow();
const ledger = (): SandboxErpConnector => Object.getPrototypeOf(app.erp.connector('sandbox')) as SandboxErpConnector;
const arm = (fault: 'fault_request_paid' | 'fault_operator_card') => sql`select setval(${fault}, 1, false)`.execute(app.db.db);
const fired = async (fault: string) => (await sql<{ called: boolean }>`select is_called as called from ${sql.table(fault)}`.execute(app.db.db)).rows[0]?.called === true;

/** An approved expense claim with its sandbox document created, and the ledger reference of it. */
async function approved(amount: string) {
  const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount, date: '2026-11-20' });
  const task = await app.db.db.selectFrom('approval_tasks').selectAll().where('request_id', '=', req.id).executeTakeFirstOrThrow();
  expect((await app.approvals.act('default', req.id, { type: 'approve', actor: 'lisi', taskId: task.id }, 'api')).ok).toBe(true);
  await until(() => requestRow(req.id), (r) => r.erp_status === 'created');
  const d = await docRow(req.id);
  return { req, doc: d, ref: { erp: 'sandbox', docKind: 'expense_reimbursement' as const, formId: 'sandbox_document', id: d.erp_id ?? '', externalKey: d.external_key } };
}

describe('ERP status sync (sandbox ledger)', () => {
  it('a burst of 150 ledger changes, more than a page, does not pin the feed: the payment after it arrives', async () => {
    const { req, ref } = await approved('300.00');
    await app.erp.syncConnector('default', 'sandbox');
    for (let i = 0; i < 150; i++) {
      await ledger().createDocument({ docKind: 'expense_reimbursement', externalKey: { namespace: 'burst', key: String(i) }, payload: { amount: '1' }, autoApprove: true });
    }
    await app.erp.syncConnector('default', 'sandbox');
    await ledger().post(ref);
    await ledger().pay(ref, 'BANK-BURST');
    await app.erp.syncConnector('default', 'sandbox');
    expect((await docRow(req.id)).status).toBe('paid');
    expect((await requestRow(req.id)).erp_status).toBe('paid');
    const cursor = await app.db.db.selectFrom('erp_sync_cursors').select('cursor').where('connector', '=', 'sandbox').executeTakeFirstOrThrow();
    expect(cursor.cursor).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\|\d+\|rest$/);
  });

  it('a slow poll that read "posted" does not move a document back once its payment is recorded', async () => {
    const { req, ref } = await approved('100.00');
    await ledger().post(ref);
    await app.erp.syncConnector('default', 'sandbox');
    const reached = new Promise<void>((r) => { hold.reached = r; });
    hold.armed = true;
    const slowPoll = app.erp.syncConnector('default', 'sandbox');
    await reached;
    await ledger().pay(ref, 'BANK-1');
    await app.erp.syncConnector('default', 'sandbox');
    hold.release?.();
    await slowPoll;
    const d = await docRow(req.id);
    expect({ status: d.status, bank: d.bank_ref }).toEqual({ status: 'paid', bank: 'BANK-1' });
    expect((await requestRow(req.id)).erp_status).toBe('paid');
  });

  it('a failure while the request records the payment leaves the document as it was; the next poll applies both', async () => {
    const { req, ref } = await approved('200.00');
    await ledger().post(ref); // posted and paid between two polls: the next poll sees it paid
    await ledger().pay(ref, 'BANK-2');
    await arm('fault_request_paid');
    await expect(app.erp.syncConnector('default', 'sandbox')).rejects.toThrow(/injected fault/);
    expect(await fired('fault_request_paid')).toBe(true);
    expect((await docRow(req.id)).status).toBe('approved');
    await app.erp.syncConnector('default', 'sandbox');
    expect((await docRow(req.id)).status).toBe('paid');
    expect((await requestRow(req.id)).erp_status).toBe('paid');
    const paid = await app.db.db.selectFrom('audit_log').select(['actor', 'after']).where('subject_id', '=', req.id).where('action', '=', 'request.erp_paid').execute();
    expect(paid).toHaveLength(1);
    expect(paid[0]?.after).toMatchObject({ event: { type: 'erp_paid', amount: '200.00', bankRef: 'BANK-2' } });
  });

  it('a failure while telling the operators is retried with the link: the Post/Pay card still goes out', async () => {
    await arm('fault_operator_card');
    const { doc } = await approved('400.00');
    const cards = await until(
      () => app.db.db.selectFrom('outbox_jobs').select('idempotency_key').where('idempotency_key', 'like', `card.put:erpdoc:${doc.id}:%`).execute(),
      (c) => c.length > 0,
    );
    expect(cards.map((c) => c.idempotency_key).sort()).toEqual([`card.put:erpdoc:${doc.id}:admin:approved`, `card.put:erpdoc:${doc.id}:wangwu:approved`]);
    expect(await fired('fault_operator_card')).toBe(true);
    // The job's completion is written after its handler returns (the cards it queued may be seen first).
    const job = await until(() => app.db.db.selectFrom('outbox_jobs').select(['status', 'attempts']).where('kind', '=', 'erp.create').where('payload', '@>', JSON.stringify({ requestId: doc.request_id })).executeTakeFirstOrThrow(),
      (j) => j.status !== 'running' && j.status !== 'pending');
    expect(job).toEqual({ status: 'done', attempts: 2 });
  });

  it('a document linked after the directory cache expired still reaches the operators (no connection held waiting on itself)', async () => {
    slowCreate = () => app.directory.invalidate('default');
    const { doc } = await approved('600.00');
    const cards = await until(
      () => app.db.db.selectFrom('outbox_jobs').select('idempotency_key').where('idempotency_key', 'like', `card.put:erpdoc:${doc.id}:%`).execute(),
      (c) => c.length > 0,
    );
    expect(cards).toHaveLength(2);
  });

  it('Post and Pay clicks are audited on the request with who did it and the bank reference', async () => {
    const { req, doc } = await approved('500.00');
    expect(doc.number).toBe(`SBX-${(doc.erp_id ?? '').padStart(6, '0')}`); // the ledger number is the document's id
    const card = await cc.waitFor('wangwu', (m) => m.card?.key === `erpdoc:${doc.id}`);
    expect((await cc.click('wangwu', card.id, 'erp.post', { bank_ref: '' })).status).toBe(200);
    const payable = await cc.waitFor('wangwu', (m) => m.id === card.id && JSON.stringify(m.card?.blocks ?? []).includes('"erp.pay"')); // Pay once posted
    expect((await cc.click('wangwu', payable.id, 'erp.pay', { bank_ref: 'ICBC-778899' })).status).toBe(200);
    const rows = await app.db.db.selectFrom('audit_log').select(['actor', 'action', 'source', 'meta']).where('subject_id', '=', req.id)
      .where('action', 'in', ['erp.post', 'erp.pay']).orderBy('seq').execute();
    expect(rows).toEqual([
      { actor: 'wangwu', action: 'erp.post', source: 'card', meta: { erpDocument: doc.number, status: 'posted' } },
      { actor: 'wangwu', action: 'erp.pay', source: 'card', meta: { erpDocument: doc.number, status: 'paid', bankRef: 'ICBC-778899' } },
    ]);
    const verified = await app.db.db.selectFrom('requests').select('erp_status').where('id', '=', req.id).executeTakeFirstOrThrow();
    expect(verified.erp_status).toBe('paid');
  });

  it('two finance operators press Pay at once: one pays, the other is told it is already paid, and only the payer is audited', async () => {
    const { req, doc } = await approved('700.00');
    const toPost = await cc.waitFor('wangwu', (m) => m.card?.key === `erpdoc:${doc.id}`);
    expect((await cc.click('wangwu', toPost.id, 'erp.post')).status).toBe(200);
    // Pay is offered once the document is posted, on both operators' cards.
    const payable = (m: { card?: { key?: string; blocks: unknown[] } }): boolean => m.card?.key === `erpdoc:${doc.id}` && JSON.stringify(m.card.blocks).includes('"erp.pay"');
    const mine = await cc.waitFor('wangwu', payable);
    const theirs = await cc.waitFor('admin', payable);
    const [a, b] = await Promise.all([
      cc.click('wangwu', mine.id, 'erp.pay', { bank_ref: 'BANK-A' }, undefined, mine.revision),
      cc.click('admin', theirs.id, 'erp.pay', { bank_ref: 'BANK-B' }, undefined, theirs.revision),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(['erp.already_done', 'card.outdated']).toContain(loser.body.error?.code);
    const rows = await app.db.db.selectFrom('audit_log').select(['actor', 'meta']).where('subject_id', '=', req.id).where('action', '=', 'erp.pay').execute();
    expect(rows).toHaveLength(1);
    const paid = await docRow(req.id);
    expect(rows[0]).toEqual({ actor: paid.bank_ref === 'BANK-A' ? 'wangwu' : 'admin', meta: { erpDocument: doc.number, status: 'paid', bankRef: paid.bank_ref } });
  });
});
