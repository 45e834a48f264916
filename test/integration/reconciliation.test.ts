import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { ExternalServiceError } from '../../src/core/errors.ts';
import type { CardView } from '../../src/core/card-view.ts';
import type { ErpConnector } from '../../src/erp/erp-connector.ts';
import { listFindings, type Finding } from '../../src/reconciliation/findings-repo.ts';
import { findingReporter, runReconciliation, type ReconcileDeps, type ReconcileResult } from '../../src/reconciliation/reconcile.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

const clock = fixedClock(new Date('2026-12-07T02:00:00Z'));
/** Set: the sandbox refuses to create documents (a creation that dead-letters, so an approval stays without one). */
const refuse = { on: false };
function refusable(inner: ErpConnector): ErpConnector {
  const c = Object.create(inner) as ErpConnector;
  c.createDocument = async (input, o) => {
    if (refuse.on) throw new ExternalServiceError('sandbox-erp', 'erp.rejected', 'refused for the test', { retryable: false });
    return inner.createDocument(input, o);
  };
  return c;
}

let tdb: TestDb;
let app: App;
let deps: ReconcileDeps;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock, wrapErp: refusable });
  deps = {
    db: app.db.db, clock, ids: { uuid: () => crypto.randomUUID() }, thresholds: { approvedWithoutDocumentMinutes: 30, postedUnpaidDays: 14 },
    bots: app.bots, timeZone: 'Asia/Shanghai', maxAttempts: 3,
  };
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

const db = () => app.db.db;
const run = (): Promise<ReconcileResult> => runReconciliation(deps, 'default');
const requestRow = (id: string) => db().selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const openOf = (r: ReconcileResult, kind: string): Finding[] => r.open.filter((f) => f.kind === kind);
/** Every digest card queued so far: subject, recipient and the card. */
async function digestJobs(prefix: 'recon' | 'drift') {
  const rows = await db().selectFrom('outbox_jobs').select(['payload', 'idempotency_key']).where('kind', '=', 'card.put')
    .where('idempotency_key', 'like', `card.put:${prefix}:%`).orderBy('id').execute();
  return rows.map((r) => r.payload as { subject: string; userId: string; card: CardView });
}
const cardText = (c: CardView): string => JSON.stringify(c.blocks);

async function approvedRequest(amount: string, opts: { waitForDocument?: boolean } = {}) {
  const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount, date: '2026-12-01' });
  const task = await db().selectFrom('approval_tasks').selectAll().where('request_id', '=', req.id).executeTakeFirstOrThrow();
  expect((await app.approvals.act('default', req.id, { type: 'approve', actor: 'lisi', taskId: task.id }, 'api')).ok).toBe(true);
  const want = opts.waitForDocument === false ? 'failed' : 'created';
  expect((await until(() => requestRow(req.id), (r) => r.erp_status === want)).erp_status).toBe(want);
  return req;
}

/** Changes a document's total on the ERP side (the sandbox ledger row, as an ERP user would) and lets the poll read it. */
async function setLedgerTotal(requestId: string, total: string): Promise<void> {
  const doc = await db().selectFrom('erp_documents').select(['external_key', 'connector']).where('request_id', '=', requestId).executeTakeFirstOrThrow();
  await db().updateTable('sandbox_erp_documents').set({ amount: total, version: sql`version + 1`, modified_at: sql`clock_timestamp()` }).where('external_key', '=', doc.external_key).execute();
  await app.erp.syncConnector('default', doc.connector);
  expect((await db().selectFrom('erp_documents').select('erp_amount').where('request_id', '=', requestId).executeTakeFirstOrThrow()).erp_amount).toMatch(new RegExp(`^${total.replace('.', '\\.')}`));
}

describe('reconciliation over the sandbox ledger', () => {
  it('each kind is found once, kept (not duplicated) on the next run, and closed once fixed; one digest per new batch', async () => {
    // approved_without_document: the ERP refuses the creation (dead letter); 30 minutes later it is a finding.
    refuse.on = true;
    const lost = await approvedRequest('120.00', { waitForDocument: false });
    refuse.on = false;
    // amount_mismatch: someone changes the document's total in the ERP (the sandbox ledger); the next poll reads it.
    const mismatched = await approvedRequest('300.00');
    await setLedgerTotal(mismatched.id, '320.00');
    // posted_unpaid: booked 15 days before now and not paid.
    const unpaid = await approvedRequest('450.00');
    await db().updateTable('erp_documents').set({ status: 'posted', posted_at: new Date(clock.now().getTime() - 15 * 86_400_000) }).where('request_id', '=', unpaid.id).execute();
    // approved_in_erp_without_chat: a document made in the ERP, approved there, never in chat.
    await db().insertInto('erp_originated').values({
      connector: 'sandbox', erp_id: 'PR-77', tenant_id: 'default', doc_kind: 'purchase_requisition', request_id: null, number: 'PR-77', state: 'approved',
      version_stamp: 'v1', decision: null, decision_revision: null, decision_status: null, last_error: null, created_at: clock.now(), updated_at: clock.now(),
    }).execute();
    // drift.departed_approver: a pending request whose approver is linked to an ERP employee the ERP shows inactive.
    const waiting = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount: '80.00', date: '2026-12-02' });
    await db().insertInto('erp_person_links').values({ tenant_id: 'default', connector: 'sandbox', user_id: 'lisi', erp_id: 'E-9', matched_by: 'email', updated_at: clock.now() }).execute();
    await db().insertInto('erp_master_records').values({
      tenant_id: 'default', connector: 'sandbox', kind: 'employee', erp_id: 'E-9', code: 'E9', name: '李四', active: false, synced_at: clock.now(), changed_at: clock.now(),
    }).execute();

    // Before the 30 minutes: everything but the missing document.
    const early = await run();
    expect(openOf(early, 'approved_without_document')).toHaveLength(0);
    clock.advance(31 * 60_000);
    const first = await run();
    const mine = (r: ReconcileResult) => ({
      approved_without_document: openOf(r, 'approved_without_document').map((f) => f.requestId),
      amount_mismatch: openOf(r, 'amount_mismatch').map((f) => f.requestId),
      posted_unpaid: openOf(r, 'posted_unpaid').map((f) => f.requestId),
      approved_in_erp_without_chat: openOf(r, 'approved_in_erp_without_chat').map((f) => f.key),
      'drift.departed_approver': openOf(r, 'drift.departed_approver').map((f) => f.key),
    });
    const expected = {
      approved_without_document: [lost.id], amount_mismatch: [mismatched.id], posted_unpaid: [unpaid.id],
      approved_in_erp_without_chat: ['sandbox:PR-77'], 'drift.departed_approver': [`lisi:${waiting.id}`],
    };
    expect(mine(first)).toEqual(expected);
    expect(openOf(first, 'amount_mismatch')[0]!.details).toMatchObject({ approved: '300.00', erp: '320.00', basis: 'total' });
    expect(openOf(first, 'drift.departed_approver')[0]!.details).toMatchObject({ leftIn: 'erp', erpEmployee: 'sandbox:E-9', requestNumber: waiting.number });
    expect(first.opened.map((f) => f.kind).sort()).toEqual(['approved_without_document']);
    expect(early.opened).toHaveLength(4);

    // Two runs, two digests: the first four findings, then the one found at the second run, each told once.
    const finance = await digestJobs('recon');
    expect(finance.map((j) => j.userId)).toEqual(['wangwu', 'wangwu']);
    expect(cardText(finance[0]!.card)).toContain(mismatched.number);
    expect(cardText(finance[0]!.card)).toContain(unpaid.number);
    expect(cardText(finance[0]!.card)).toContain('sandbox #PR-77');
    expect(cardText(finance[0]!.card)).not.toContain(lost.number);
    expect(finance[0]!.card.title).toBe('对账 · 3 项新发现');
    expect(cardText(finance[1]!.card)).toContain(lost.number);
    expect(finance[1]!.card.title).toBe('对账 · 1 项新发现');
    const drift = await digestJobs('drift');
    expect(drift.map((j) => j.userId)).toEqual(['admin']);
    expect(cardText(drift[0]!.card)).toContain(waiting.number);
    expect(first.open.every((f) => f.notifiedAt !== null)).toBe(true);

    // The same again: nothing new, nothing closed, no card.
    const again = await run();
    expect(again.opened).toHaveLength(0);
    expect(again.closed).toBe(0);
    expect(mine(again)).toEqual(expected);
    expect(await digestJobs('recon')).toHaveLength(2);
    expect(await digestJobs('drift')).toHaveLength(1);
    const rows = await db().selectFrom('recon_findings').select('kind').where('tenant_id', '=', 'default').execute();
    expect(rows).toHaveLength(5);

    // The cards reach the finance person's and the admin's chats.
    await until(() => db().selectFrom('console_messages').select(['user_id', 'card']).where('kind', '=', 'card').where('user_id', 'in', ['wangwu', 'admin']).execute(),
      (m) => m.filter((x) => JSON.stringify(x.card).includes('对账') || JSON.stringify(x.card).includes('变化')).length === 3);

    // Fixed: the document is created, the totals agree, the posting is paid, the ERP document withdrawn, the employee active.
    await app.erp.createForRequest('default', lost.id);
    await setLedgerTotal(mismatched.id, '300.00');
    await db().updateTable('erp_documents').set({ status: 'paid', paid_amount: '450.00' }).where('request_id', '=', unpaid.id).execute();
    await db().updateTable('erp_originated').set({ state: 'cancelled' }).where('erp_id', '=', 'PR-77').execute();
    await db().updateTable('erp_master_records').set({ active: true }).where('erp_id', '=', 'E-9').execute();
    const fixed = await run();
    expect(fixed.closed).toBe(5);
    expect(fixed.open).toHaveLength(0);
    expect(await listFindings(db(), 'default', { open: false })).toHaveLength(5);
    expect(await digestJobs('recon')).toHaveLength(2);
  }, 60_000);

  it('a paid amount that differs, and an approver who left the directory, each open one finding', async () => {
    const req = await approvedRequest('500.00');
    await db().updateTable('erp_documents').set({ status: 'paid', paid_amount: '450.00' }).where('request_id', '=', req.id).execute();
    const waiting = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount: '60.00', date: '2026-12-03' });
    await db().updateTable('users').set({ active: false }).where('id', '=', 'lisi').execute();
    try {
      const r = await run();
      expect(openOf(r, 'amount_mismatch').map((f) => [f.requestId, f.details['basis'], f.details['erp']])).toEqual([[req.id, 'paid', '450.00']]);
      // The request left pending by the first test waits on lisi too.
      expect(openOf(r, 'drift.departed_approver').map((f) => [f.key, f.details['leftIn']])).toContainEqual([`lisi:${waiting.id}`, 'directory']);
      const drift = await digestJobs('drift');
      expect(cardText(drift.at(-1)!.card)).toContain('已离职（通讯录）');
    } finally {
      await db().updateTable('users').set({ active: true }).where('id', '=', 'lisi').execute();
    }
    await db().updateTable('erp_documents').set({ paid_amount: '500.00' }).where('request_id', '=', req.id).execute();
    const r = await run();
    expect(r.open.filter((f) => f.kind === 'amount_mismatch' || f.kind === 'drift.departed_approver')).toHaveLength(0);
  }, 30_000);

  it('findings reported from elsewhere (duplicates, renames) stay open across runs until an admin resolves them', async () => {
    const report = findingReporter(deps);
    const req = await approvedRequest('90.00');
    expect(await report({ tenantId: 'default', kind: 'duplicate_documents', key: `sandbox:${req.id}`, requestId: req.id, connector: 'sandbox', details: { documents: ['SBX-1', 'SBX-2'] } })).toBe(true);
    expect(await report({ tenantId: 'default', kind: 'duplicate_documents', key: `sandbox:${req.id}`, requestId: req.id, connector: 'sandbox', details: { documents: ['SBX-1', 'SBX-2'] } })).toBe(false);
    expect(await report({ tenantId: 'default', kind: 'drift.renamed', key: 'sandbox:supplier:S1', connector: 'sandbox', erpId: 'S1', details: { masterKind: 'supplier', oldName: '甲公司', newName: '甲科技公司' } })).toBe(true);
    const before = { recon: (await digestJobs('recon')).length, drift: (await digestJobs('drift')).length };
    const r1 = await run();
    expect(openOf(r1, 'duplicate_documents')).toHaveLength(1);
    expect(openOf(r1, 'drift.renamed')).toHaveLength(1);
    const recon = await digestJobs('recon');
    expect(recon).toHaveLength(before.recon + 1);
    expect(cardText(recon.at(-1)!.card)).toContain('SBX-1, SBX-2');
    const drift = await digestJobs('drift');
    expect(drift).toHaveLength(before.drift + 1);
    expect(cardText(drift.at(-1)!.card)).toContain('甲公司 → 甲科技公司');
    const r2 = await run();
    expect(openOf(r2, 'duplicate_documents')).toHaveLength(1);
    expect(openOf(r2, 'drift.renamed')).toHaveLength(1);
  }, 30_000);
});
