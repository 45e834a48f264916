import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import type { CanonicalStatus, StatusSnapshot } from '../../src/erp/erp-connector.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

/**
 * How reported ERP states land on a document and its request, whatever connector reported them: repeats of a
 * version stamp are skipped, part payments that grow are recorded, a stale state never moves a document back,
 * and "paid" after a skipped posting still records when it was booked.
 */
let tdb: TestDb;
let app: App;
beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle });
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

const requestRow = (id: string) => app.db.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const docRow = (requestId: string) => app.db.db.selectFrom('erp_documents').selectAll().where('request_id', '=', requestId).executeTakeFirstOrThrow();
const notices = (requestId: string) => app.db.db.selectFrom('outbox_jobs').select(['payload']).where('kind', '=', 'message.send')
  .where('payload', '@>', JSON.stringify({ notify: { requestId } })).execute();

async function approvedClaim(amount: string) {
  const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount, date: '2026-03-10' });
  const task = await app.db.db.selectFrom('approval_tasks').selectAll().where('request_id', '=', req.id).executeTakeFirstOrThrow();
  expect((await app.approvals.act('default', req.id, { type: 'approve', actor: 'lisi', taskId: task.id }, 'api')).ok).toBe(true);
  await until(() => requestRow(req.id), (r) => r.erp_status === 'created');
  const d = await docRow(req.id);
  const snap = (status: CanonicalStatus, stamp: string, extra: Partial<StatusSnapshot> = {}): { snapshot: StatusSnapshot } => ({
    snapshot: {
      ref: { erp: 'sandbox', docKind: 'expense_reimbursement', formId: 'sandbox_document', id: d.erp_id ?? '', externalKey: d.external_key, number: d.number ?? '' },
      status, raw: { reported: status }, versionStamp: stamp, amounts: { total: amount, currency: 'CNY' }, ...extra,
    },
  });
  return { req, snap };
}

describe('applying ERP changes', () => {
  it('a second document with the same key is reported once as a duplicate and never applied over the linked one', async () => {
    const { req, snap } = await approvedClaim('88.00');
    const copy = snap('posted', 'dup-1');
    copy.snapshot.ref = { ...copy.snapshot.ref, id: 'copied-999', number: 'X-999' };
    expect(await app.erp.applyChange('default', 'sandbox', copy)).toBe(false);
    expect(await app.erp.applyChange('default', 'sandbox', { snapshot: { ...copy.snapshot, versionStamp: 'dup-2' } })).toBe(false);
    expect((await docRow(req.id)).status).not.toBe('posted');
    const findings = await app.db.db.selectFrom('recon_findings').selectAll().where('kind', '=', 'duplicate_documents').where('request_id', '=', req.id).execute();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ erp_id: 'copied-999', closed_at: null, details: { other: 'copied-999', otherNumber: 'X-999' } });
  });


  it('skips a repeated version stamp, records part payments as they grow, and ignores a stale posting afterwards', async () => {
    const { req, snap } = await approvedClaim('300.00');
    const apply = (c: { snapshot: StatusSnapshot }) => app.erp.applyChange('default', 'sandbox', c);
    const part1 = snap('partially_paid', 's1', { amounts: { total: '300.00', paid: '100.00', currency: 'CNY' }, payment: { at: '2026-03-12T02:00:00.000Z', bankRef: 'B-1' } });
    expect(await apply(part1)).toBe(true);
    expect(await apply(part1)).toBe(false);
    expect((await requestRow(req.id)).erp_status).toBe('partially_paid');
    expect(String((await docRow(req.id)).paid_amount)).toMatch(/^100(\.00)?$/);

    const part2 = snap('partially_paid', 's2', { amounts: { total: '300.00', paid: '250.00', currency: 'CNY' }, payment: { at: '2026-03-13T02:00:00.000Z', bankRef: 'B-2' } });
    expect(await apply(part2)).toBe(true);
    const d2 = await docRow(req.id);
    expect([String(d2.paid_amount), d2.bank_ref, d2.version_stamp]).toEqual([expect.stringMatching(/^250(\.00)?$/), 'B-2', 's2']);

    expect(await apply(snap('posted', 's0', { postedAt: '2026-03-11T02:00:00.000Z' }))).toBe(false);
    expect((await docRow(req.id)).status).toBe('partially_paid');

    expect(await apply(snap('paid', 's3', { amounts: { total: '300.00', paid: '300.00', currency: 'CNY' }, payment: { at: '2026-03-14T02:00:00.000Z', bankRef: 'B-3' } }))).toBe(true);
    expect((await requestRow(req.id)).erp_status).toBe('paid');
    // One notice per change the requester cares about: two part payments and the payment in full.
    await until(() => notices(req.id), (rows) => rows.length >= 4);
  });

  it('paid with the posting skipped records the booking time from the payment', async () => {
    const { req, snap } = await approvedClaim('88.80');
    expect(await app.erp.applyChange('default', 'sandbox', snap('paid', 'p1', {
      amounts: { total: '88.80', paid: '88.80', currency: 'CNY' }, payment: { at: '2026-03-15T08:30:00.000Z', bankRef: 'B-9' },
    }))).toBe(true);
    const d = await docRow(req.id);
    expect([d.status, d.posted_at?.toISOString(), d.paid_at?.toISOString(), d.bank_ref]).toEqual(['paid', '2026-03-15T08:30:00.000Z', '2026-03-15T08:30:00.000Z', 'B-9']);
    expect((await requestRow(req.id)).erp_status).toBe('paid');
  });

  it('ignores a change for a document that is not ours', async () => {
    const { snap } = await approvedClaim('10.00');
    const foreign = snap('paid', 'x');
    foreign.snapshot.ref = { ...foreign.snapshot.ref, externalKey: 'approval:default:NOT-OURS:r1' };
    expect(await app.erp.applyChange('default', 'sandbox', foreign)).toBe(false);
  });
});
