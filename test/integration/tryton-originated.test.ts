import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.ts';
import { ConfigError, ExternalServiceError } from '../../src/core/errors.ts';
import type { TrytonConnector } from '../../src/erp/connectors/tryton/connector.ts';
import { trytonKind } from '../../src/erp/connectors/tryton/index.ts';
import type { TrytonRpcClient } from '../../src/erp/connectors/tryton/rpc-client.ts';
import type { ErpDocRef } from '../../src/erp/erp-connector.ts';
import type { ApprovalInbox, OriginatedDoc } from '../../src/erp/originated-port.ts';
import { adminClient, EMPLOYEE, makeConnector, SUPPLIER, trytonInstance } from '../support/tryton/connector-harness.ts';
import {
  APPROVER_NAME, createRequisition, notesOf, press, requisitionState, setQuantity, setupRequisitions, type RequisitionSetup,
} from '../support/tryton/requisitions.ts';
import { startTryton, type TrytonServer } from '../support/tryton/start-tryton.ts';

/**
 * Purchase requisitions made in a real Tryton 6.0 and decided through the connector's ApprovalInbox: listed with their
 * lines, total and owner; approved and rejected with the buttons (the state read back, the approver recorded, the
 * reason as a note the owner reads); taken back, edited and resubmitted by the owner, seen again from the previous
 * cursor. Master data: tryton-master-data.test.ts. Skipped with a message where Tryton is not installed.
 */
const tryton = await startTryton();

async function failure(p: Promise<unknown>): Promise<ExternalServiceError> {
  const e: unknown = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof ExternalServiceError)) throw new Error(`expected an ExternalServiceError, got ${String(e)}`);
  return e;
}

/** Every page from `cursor` on. */
async function drain(inbox: ApprovalInbox, cursor: string | null, limit = 100): Promise<{ docs: OriginatedDoc[]; cursor: string; pages: number }> {
  const docs: OriginatedDoc[] = [];
  let cur = cursor;
  for (let pages = 1; ; pages++) {
    const page = await inbox.listOriginated(cur, { limit });
    docs.push(...page.docs);
    cur = page.nextCursor;
    if (!page.hasMore || pages > 100) return { docs, cursor: cur, pages };
  }
}

const refOf = (id: number): ErpDocRef => ({ erp: 'tryton', docKind: 'purchase_requisition', formId: 'purchase.requisition', id: String(id), externalKey: `origin:purchase.requisition:${id}` });
const YEAR = 2026;

describe.skipIf(!tryton)('Tryton purchase requisitions approved in chat (real trytond)', () => {
  const t = tryton as TrytonServer;
  let c: TrytonConnector;
  let inbox: ApprovalInbox;
  let admin: TrytonRpcClient;
  let s: RequisitionSetup;
  let approver: { erpId: string; name: string };

  beforeAll(async () => {
    admin = adminClient(t);
    s = await setupRequisitions(t, admin);
    c = makeConnector(t);
    inbox = c.approvals;
    approver = { erpId: String(s.approverEmployee), name: APPROVER_NAME };
  });
  afterAll(async () => {
    await c?.close();
    await s?.requester.logout().catch(() => undefined);
    await admin?.logout().catch(() => undefined);
    await t.stop();
  });

  it('lists a submitted requisition as waiting with its lines, total, owner, supplier and link; approving it records the approver', async () => {
    expect(inbox.docKinds()).toEqual(['purchase_requisition']);
    const start = await drain(inbox, null);
    const id = await createRequisition(s.requester, {
      description: 'Chairs for the new office', supplyDate: `${YEAR}-07-01`,
      lines: [
        { description: 'Ergonomic chair', quantity: 4, unitPrice: '800.00', supplier: t.ids.party_supplier },
        { description: 'Assembly', quantity: 3, unitPrice: '12.50', product: t.ids.product_expense, unit: t.ids.uom_unit },
        { description: 'Seat cushion\nblue, washable', quantity: 2.5, unitPrice: '10.00' },
      ],
    });
    const draft = (await drain(inbox, start.cursor)).docs.find((d) => d.ref.id === String(id));
    expect(draft?.state).toBe('draft');
    await press(s.requester, id, 'wait', 'waiting');

    const { docs } = await drain(inbox, start.cursor);
    const doc = docs.find((d) => d.ref.id === String(id));
    const host = new URL(t.url).host;
    expect(doc).toMatchObject({
      ref: { erp: 'tryton', docKind: 'purchase_requisition', formId: 'purchase.requisition', id: String(id), externalKey: `origin:purchase.requisition:${id}` },
      state: 'waiting', owner: { erpId: String(s.ownerEmployee), name: EMPLOYEE }, title: 'Chairs for the new office',
      lines: [
        { item: 'Ergonomic chair', quantity: '4', amount: '3200.00' },
        { item: 'Expense reimbursement', quantity: '3', amount: '37.50', unit: 'u' },
        { item: 'Seat cushion', quantity: '2.5', amount: '25.00' },
      ],
      total: '3262.50', currency: 'CNY', date: `${YEAR}-07-01`, party: SUPPLIER,
      link: `tryton://${host}/${t.database}/model/purchase.requisition/${id}`,
    });
    expect(doc?.ref.number).toMatch(/\S/);
    expect(doc?.owner.email).toBeUndefined();
    expect(doc?.versionStamp).not.toBe(draft?.versionStamp);
    expect(Date.parse(doc?.changedAt ?? '')).toBeGreaterThan(0);

    const after = await inbox.decide(refOf(id), { decision: 'approve', approver });
    expect(after.state).toBe('approved');
    // Approving queues `process` (purchase requests), which Tryton runs after the commit without a worker.
    expect(['approved', 'processing']).toContain(await requisitionState(admin, id));
    const [row] = await admin.read<{ approved_by: number | null }>('purchase.requisition', [id], ['approved_by']);
    expect(row?.approved_by).toBe(s.approverEmployee);
    // Already approved: success, nothing pressed; a rejection now is refused.
    expect((await inbox.decide(refOf(id), { decision: 'approve', approver })).state).toBe('approved');
    const late = await failure(inbox.decide(refOf(id), { decision: 'reject', reason: 'too late', approver }));
    expect(late).toMatchObject({ code: 'erp.not_allowed_in_state', retryable: false });
    expect((await inbox.readOriginated(refOf(id)))?.state).toBe('approved');
  });

  it('rejects with the reason as a note the owner reads; a retry writes no second note; no reason, no rejection', async () => {
    const id = await createRequisition(s.requester, { description: 'Printer paper', supplyDate: `${YEAR}-07-02`, lines: [{ description: 'A4 paper, box', quantity: 10, unitPrice: '25.00' }] });
    await press(s.requester, id, 'wait', 'waiting');
    const noReason = await failure(inbox.decide(refOf(id), { decision: 'reject', reason: '  ', approver }));
    expect(noReason).toMatchObject({ code: 'erp.validation' });
    expect(await requisitionState(admin, id)).toBe('waiting');

    const reason = 'Ten boxes is more than a quarter of use; order four';
    const after = await inbox.decide(refOf(id), { decision: 'reject', reason, approver });
    expect(after).toMatchObject({ state: 'rejected', rejectReason: reason });
    expect(await requisitionState(admin, id)).toBe('rejected');
    const [row] = await admin.read<{ rejected_by: number | null }>('purchase.requisition', [id], ['rejected_by']);
    expect(row?.rejected_by).toBe(s.approverEmployee);
    const notes = await notesOf(s.requester, id); // the owner reads it in Tryton
    expect(notes.map((n) => n.message)).toEqual([`${reason}\n— ${APPROVER_NAME}`]);

    expect((await inbox.decide(refOf(id), { decision: 'reject', reason, approver })).state).toBe('rejected');
    expect(await notesOf(admin, id)).toHaveLength(1);
    expect((await inbox.readOriginated(refOf(id)))?.rejectReason).toBe(reason);
    const approve = await failure(inbox.decide(refOf(id), { decision: 'approve', approver }));
    expect(approve).toMatchObject({ code: 'erp.not_allowed_in_state', details: { state: 'rejected' } });
  });

  it('the owner takes a rejected requisition back, edits it and resubmits: listed again from the previous cursor with a new stamp and total, then approved', async () => {
    const id = await createRequisition(s.requester, { description: 'Toner', supplyDate: `${YEAR}-07-03`, lines: [{ description: 'Toner cartridge', quantity: 6, unitPrice: '310.00', supplier: t.ids.party_supplier }] });
    await press(s.requester, id, 'wait', 'waiting');
    await inbox.decide(refOf(id), { decision: 'reject', reason: 'Six is too many', approver });
    const seen = await drain(inbox, null);
    const rejected = seen.docs.find((d) => d.ref.id === String(id));
    expect(rejected).toMatchObject({ state: 'rejected', total: '1860.00', rejectReason: 'Six is too many' });

    await press(s.requester, id, 'draft', 'draft');
    // Pulled back: approving the draft is refused (Tryton would ignore the button silently).
    expect(await failure(inbox.decide(refOf(id), { decision: 'approve', approver }))).toMatchObject({ code: 'erp.not_allowed_in_state', details: { state: 'draft' } });
    expect(await requisitionState(admin, id)).toBe('draft');
    await setQuantity(s.requester, id, 2);
    await press(s.requester, id, 'wait', 'waiting');

    const again = await drain(inbox, seen.cursor);
    const revised = again.docs.filter((d) => d.ref.id === String(id));
    expect(revised).toHaveLength(1);
    expect(revised[0]).toMatchObject({ state: 'waiting', total: '620.00', lines: [{ item: 'Toner cartridge', quantity: '2', amount: '620.00' }] });
    expect(revised[0]?.versionStamp).not.toBe(rejected?.versionStamp);
    expect(revised[0]?.rejectReason).toBeUndefined();
    expect((await inbox.decide(refOf(id), { decision: 'approve', approver })).state).toBe('approved');
    // Nothing changed since: the next poll from the new cursor only re-reads the overlap window, with the same stamps.
    const quiet = await drain(inbox, again.cursor);
    const stamp = (await inbox.readOriginated(refOf(id)))?.versionStamp;
    expect(quiet.docs.filter((d) => d.ref.id === String(id)).map((d) => d.versionStamp)).toEqual([stamp]);
  });

  it('pages forward by id: small pages see what one big page sees, once each', async () => {
    const big = await drain(inbox, null, 500);
    const ids = big.docs.map((d) => d.ref.id);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
    const small = await drain(inbox, null, 1);
    expect(small.pages).toBe(ids.length + 1);
    expect(small.docs.map((d) => `${d.ref.id}|${d.versionStamp}`)).toEqual(big.docs.map((d) => `${d.ref.id}|${d.versionStamp}`));
  });

  it('reads a deleted requisition as null; an id that is not Tryton\'s is not found; another doc kind is refused', async () => {
    const id = await createRequisition(s.requester, { description: 'Never mind', supplyDate: `${YEAR}-07-04`, lines: [{ description: 'Stapler', quantity: 1, unitPrice: '30.00' }] });
    expect((await inbox.readOriginated(refOf(id)))?.state).toBe('draft');
    await s.requester.model('purchase.requisition', 'delete', [[id]]);
    expect(await inbox.readOriginated(refOf(id))).toBeNull();
    expect(await failure(inbox.decide(refOf(id), { decision: 'approve', approver }))).toMatchObject({ code: 'erp.not_found' });
    expect(await failure(inbox.readOriginated({ ...refOf(id), id: 'PR-7' }))).toMatchObject({ code: 'erp.not_found' });
    expect(await failure(inbox.readOriginated({ ...refOf(id), docKind: 'expense_reimbursement' }))).toMatchObject({ code: 'erp.validation' });
  });

  it('an approve whose answer was lost is result unknown; the retry finds it approved', async () => {
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(init?.body).includes('"model.purchase.requisition.approve"')) {
        await res.text();
        throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      }
      return res;
    };
    const id = await createRequisition(s.requester, { description: 'Desk lamps', supplyDate: `${YEAR}-07-05`, lines: [{ description: 'Lamp', quantity: 3, unitPrice: '99.90' }] });
    await press(s.requester, id, 'wait', 'waiting');
    const lossyConnector = makeConnector(t, { fetch: lossy });
    expect(await failure(lossyConnector.approvals.decide(refOf(id), { decision: 'approve', approver }))).toMatchObject({ code: 'erp.result_unknown', retryable: true });
    expect((await lossyConnector.approvals.decide(refOf(id), { decision: 'approve', approver })).state).toBe('approved');
    await lossyConnector.close();
  });

  it('Tryton unreachable: listing, reading and deciding are erp.unavailable (retryable)', async () => {
    const down = makeConnector(t, { url: 'http://127.0.0.1:9' });
    for (const p of [down.approvals.listOriginated(null), down.approvals.readOriginated(refOf(1)), down.approvals.decide(refOf(1), { decision: 'approve' }), down.masterData.listMaster('supplier', null)]) {
      expect(await failure(p)).toMatchObject({ code: 'erp.unavailable', retryable: true });
    }
  });

  it('an instance file asking Tryton for documents or master data it does not have is a configuration error', () => {
    const deps = { clock: fixedClock(new Date()), logger: pino({ level: 'silent' }) };
    const make = (over: object) => {
      const instance = { ...trytonInstance(t), ...over };
      return () => trytonKind.create(instance, trytonKind.settings.parse(instance.settings), deps);
    };
    expect(make({ approvals: [{ docKind: 'expense_reimbursement', intent: 'x' }] })).toThrow(ConfigError);
    expect(make({ masterData: { kinds: ['supplier', 'project'], intervalMs: 60_000 } })).toThrow(/master_data\.kinds.*project/);
    const ok = make({ approvals: [{ docKind: 'purchase_requisition', intent: 'x' }], masterData: { kinds: ['supplier', 'employee'], intervalMs: 60_000 } })() as TrytonConnector;
    expect(ok.approvals.docKinds()).toEqual(['purchase_requisition']);
    expect(ok.masterData.kinds()).toEqual(['supplier', 'employee']);
  });

  it('the owner\'s e-mail is their party\'s, once Tryton has one', async () => {
    const id = await createRequisition(s.requester, { description: 'Cables', supplyDate: `${YEAR}-07-06`, lines: [{ description: 'HDMI cable', quantity: 5, unitPrice: '19.00' }] });
    expect((await inbox.readOriginated(refOf(id)))?.owner).toEqual({ erpId: String(s.ownerEmployee), name: EMPLOYEE });
    await admin.create('party.contact_mechanism', [{ party: t.ids.party_employee, type: 'email', value: 'wangfang@example.com' }]);
    expect((await inbox.readOriginated(refOf(id)))?.owner).toEqual({ erpId: String(s.ownerEmployee), name: EMPLOYEE, email: 'wangfang@example.com' });
  });
});
