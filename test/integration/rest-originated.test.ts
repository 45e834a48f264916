import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ExternalServiceError } from '../../src/core/errors.ts';
import type { ErpConnector } from '../../src/erp/erp-connector.ts';
import type { ApprovalInbox, OriginatedDoc } from '../../src/erp/originated-port.ts';
import { startRestRig, type RestRig } from '../fakes/rest-adapter-rig.ts';
import type { OriginInput } from '../fakes/rest-adapter-origin.ts';

/** The REST connector's ERP-originated approvals (`/originated` and decide) against the strict fake adapter. */
let rig: RestRig;
beforeAll(async () => { rig = await startRestRig(); });
afterAll(async () => { await rig.close(); });
afterEach(() => { expect(rig.fake.violations.splice(0), 'the fake adapter kept to the contract').toEqual([]); });

function inboxOf(c: ErpConnector): ApprovalInbox {
  if (!c.approvals) throw new Error('the REST connector offers no approvals');
  return c.approvals;
}

async function failure(p: Promise<unknown>): Promise<ExternalServiceError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(ExternalServiceError);
  return e as ExternalServiceError;
}

const errorJson = (code: string, message: string) => JSON.stringify({ error: { code, message } });

let n = 0;
function make(o: Partial<OriginInput> = {}) {
  n += 1;
  rig.clock.advance(60_000);
  return rig.fake.origin.create({
    owner: { id: `E-${n}`, name: `Owner ${n}`, email: `owner${n}@example.com` }, title: `Laptops ${n}`,
    lines: [{ item: 'Laptop', quantity: '2', amount: '9000.00', unit: 'pc' }, { item: 'Dock', quantity: '2', amount: '600.5' }],
    party: 'Acme Supplies', date: '2026-03-20', ...o,
  });
}

/** Every document the feed has from the start, page by page (limit 2). */
async function drain(inbox: ApprovalInbox, from: string | null = null): Promise<{ docs: OriginatedDoc[]; cursor: string | null }> {
  const docs: OriginatedDoc[] = [];
  let cursor = from;
  for (let i = 0; i < 100; i++) {
    const page = await inbox.listOriginated(cursor, { limit: 2 });
    expect(page.docs.length).toBeLessThanOrEqual(2);
    docs.push(...page.docs);
    cursor = page.nextCursor;
    if (!page.hasMore) break;
  }
  return { docs, cursor };
}

describe('REST connector: documents made in the ERP, approved in chat', () => {
  it('lists waiting documents of its kinds with owner, lines and money; the cursor continues where it stopped', async () => {
    const inbox = inboxOf(rig.connector);
    expect(inbox.docKinds()).toEqual(['purchase_requisition']);
    const start = await drain(inbox);
    const a = make();
    const other = make({ docKind: 'contract', title: 'Not brought to chat' });
    const b = make({ title: 'Chairs' });
    const { docs, cursor } = await drain(inbox, start.cursor);
    expect(docs.map((d) => d.ref.id)).toEqual([a.id, b.id]);
    expect(docs.some((d) => d.ref.id === other.id)).toBe(false);
    expect(docs[0]).toMatchObject({
      ref: { erp: 'rest', docKind: 'purchase_requisition', formId: 'purchase_requisition', id: a.id, number: a.number, externalKey: `origin:purchase_requisition:${a.id}` },
      state: 'waiting', owner: { erpId: a.owner.id, name: a.owner.name, email: a.owner.email }, title: a.title, total: '9600.50', currency: 'CNY',
      lines: [{ item: 'Laptop', quantity: '2', amount: '9000.00', unit: 'pc' }, { item: 'Dock', quantity: '2', amount: '600.50' }],
      date: '2026-03-20', party: 'Acme Supplies', versionStamp: a.version, changedAt: a.changed_at,
    });
    expect(docs[0]?.link).toMatch(/^https:\/\/erp\.example\.com\//);
    expect(docs[0]?.rejectReason).toBeUndefined();
    const again = await inboxOf(rig.connector).listOriginated(cursor);
    expect(again).toEqual({ docs: [], nextCursor: cursor, hasMore: false });

    const wide = inboxOf(rig.connectorWith({ settings: { originated_kinds: ['purchase_requisition', 'contract'] } }));
    expect((await drain(wide, start.cursor)).docs.map((d) => d.ref.id)).toEqual([a.id, other.id, b.id]);
  });

  it('reads one document back by id alone; a deleted one is null and comes once more in the feed as deleted', async () => {
    const inbox = inboxOf(rig.connector);
    const d = make();
    const got = await inbox.readOriginated({ erp: 'acme-rest', docKind: 'purchase_requisition', formId: '', id: d.id, externalKey: '' });
    expect(got).toMatchObject({ state: 'waiting', title: d.title, versionStamp: d.version });
    const { cursor } = await drain(inbox);
    rig.clock.advance(60_000);
    rig.fake.origin.remove(d.id);
    expect(await inbox.readOriginated(got!.ref)).toBeNull();
    const after = await drain(inbox, cursor);
    expect(after.docs.map((x) => [x.ref.id, x.state])).toEqual([[d.id, 'deleted']]);
  });

  it('approves with the approver recorded in the ERP; approving again is success and changes nothing; the other way is refused', async () => {
    const inbox = inboxOf(rig.connector);
    const d = make();
    const ref = (await inbox.readOriginated({ erp: 'rest', docKind: 'purchase_requisition', formId: '', id: d.id, externalKey: '' }))!.ref;
    rig.clock.advance(60_000);
    const after = await inbox.decide(ref, { decision: 'approve', approver: { erpId: 'E-900', name: 'Wang Wu' } });
    expect(after).toMatchObject({ state: 'approved', ref: { id: d.id } });
    expect(rig.fake.origin.find(d.id)).toMatchObject({ state: 'approved', decisions: [{ decision: 'approve', approver: { id: 'E-900', name: 'Wang Wu' }, via: 'adapter' }] });
    const sent = rig.fake.requests.filter((r) => r.path.endsWith(`${d.id}/decide`)).at(-1);
    expect(sent?.body).toEqual({ decision: 'approve', approver: { id: 'E-900', name: 'Wang Wu' } });

    const again = await inbox.decide(ref, { decision: 'approve', approver: { name: 'Someone Else' } });
    expect(again.versionStamp).toBe(after.versionStamp);
    expect(rig.fake.origin.find(d.id)?.decisions).toHaveLength(1);
    const wrong = await failure(inbox.decide(ref, { decision: 'reject', reason: 'changed my mind' }));
    expect(wrong).toMatchObject({ code: 'erp.not_allowed_in_state', retryable: false });
    expect(wrong.message).toContain('is approved; cannot reject');
  });

  it('rejects with a reason back to the owner; the owner edits and resubmits: same id, waiting again, a new version; then approved', async () => {
    const inbox = inboxOf(rig.connector);
    const d = make();
    const { cursor } = await drain(inbox);
    const ref = (await inbox.readOriginated({ erp: 'rest', docKind: 'purchase_requisition', formId: '', id: d.id, externalKey: '' }))!.ref;
    const from = rig.fake.requests.length;
    const noReason = await failure(inbox.decide(ref, { decision: 'reject', reason: '  ' }));
    expect(noReason).toMatchObject({ code: 'erp.validation', retryable: false });
    expect(rig.fake.requests.length, 'nothing sent').toBe(from);

    const rejected = await inbox.decide(ref, { decision: 'reject', reason: 'Two docks are enough for the team', approver: { name: 'Wang Wu' } });
    expect(rejected).toMatchObject({ state: 'rejected', rejectReason: 'Two docks are enough for the team' });
    expect(rig.fake.origin.find(d.id)?.decisions.at(-1)).toMatchObject({ decision: 'reject', reason: 'Two docks are enough for the team', approver: { name: 'Wang Wu' } });
    expect((await inbox.decide(ref, { decision: 'reject', reason: 'again' })).versionStamp, 'rejecting again changes nothing').toBe(rejected.versionStamp);

    rig.clock.advance(60_000);
    rig.fake.origin.edit(d.id, { lines: [{ item: 'Laptop', quantity: '2', amount: '9000.00' }] });
    rig.fake.origin.resubmit(d.id);
    const { docs } = await drain(inbox, cursor);
    const back = docs.filter((x) => x.ref.id === d.id).at(-1);
    expect(back).toMatchObject({ state: 'waiting', total: '9000.00', lines: [{ item: 'Laptop' }] });
    expect(back?.versionStamp).not.toBe(rejected.versionStamp);
    expect(rig.fake.origin.find(d.id)?.submissions).toBe(2);
    expect(await inbox.decide(ref, { decision: 'approve', approver: { name: 'Wang Wu' } })).toMatchObject({ state: 'approved' });
  });

  it('refuses to decide a document pulled back to draft (409) or deleted (404), and a document decided in the ERP shows as such', async () => {
    const inbox = inboxOf(rig.connector);
    const pulled = make();
    const ref = (id: string) => ({ erp: 'rest', docKind: 'purchase_requisition' as const, formId: 'purchase_requisition', id, externalKey: '' });
    rig.fake.origin.withdraw(pulled.id);
    expect(await failure(inbox.decide(ref(pulled.id), { decision: 'approve' }))).toMatchObject({ code: 'erp.not_allowed_in_state', retryable: false });
    expect((await inbox.readOriginated(ref(pulled.id)))?.state).toBe('draft');
    const gone = make();
    rig.fake.origin.remove(gone.id);
    expect(await failure(inbox.decide(ref(gone.id), { decision: 'approve' }))).toMatchObject({ code: 'erp.not_found', retryable: false });
    const direct = make();
    rig.fake.origin.decideInErp(direct.id, 'approve', { id: 'E-1', name: 'ERP Boss' });
    expect((await inbox.readOriginated(ref(direct.id)))?.state).toBe('approved');
    expect((await inbox.decide(ref(direct.id), { decision: 'approve' })).state, 'already approved in the ERP: success').toBe('approved');
  });

  it('maps outages, refusals and answers that break the contract', async () => {
    const inbox = inboxOf(rig.connector);
    const d = make();
    const ref = { erp: 'rest', docKind: 'purchase_requisition' as const, formId: '', id: d.id, externalKey: '' };
    rig.fake.failNext({ status: 503, body: errorJson('unavailable', 'ERP in maintenance'), headers: { 'retry-after': '30' } });
    expect(await failure(inbox.listOriginated(null))).toMatchObject({ code: 'erp.unavailable', retryable: true, retryAfterMs: 30_000 });
    rig.fake.failNext({ status: 502, body: '<html>Bad Gateway</html>' });
    expect(await failure(inbox.readOriginated(ref))).toMatchObject({ code: 'erp.unavailable', retryable: true });
    rig.fake.failNext({ status: 422, body: errorJson('validation', 'Budget line 6602 is closed for March') });
    expect(await failure(inbox.decide(ref, { decision: 'approve' }))).toMatchObject({ code: 'erp.validation', retryable: false, message: 'Budget line 6602 is closed for March' });
    rig.fake.failNext({ status: 403, body: errorJson('forbidden', 'this token may not approve') });
    expect(await failure(inbox.decide(ref, { decision: 'approve' }))).toMatchObject({ code: 'erp.auth', retryable: false });
    expect(await failure(inboxOf(rig.connectorWith({ token: 'wrong' })).listOriginated(null))).toMatchObject({ code: 'erp.auth' });
    expect(rig.fake.origin.find(d.id)?.state, 'nothing decided by refused calls').toBe('waiting');

    rig.fake.mangleNext((p) => ({ ...(p as Record<string, unknown>), documents: [{ ...rig.fake.origin.json(d), total: 9600.5 }] }));
    const bad = await failure(inbox.listOriginated(null));
    expect(bad).toMatchObject({ code: 'erp.rpc_error', retryable: false });
    expect(bad.message).toMatch(/documents\[0\]\.total/);
    rig.fake.mangleNext((x) => ({ ...(x as Record<string, unknown>), id: '42' }));
    expect((await failure(inbox.readOriginated(ref))).message).toContain(`asked for document ${d.id}, got 42`);
    rig.fake.mangleNext((x) => ({ ...(x as Record<string, unknown>), status: 'submitted' }));
    // The adapter applied the approval and answered a document still submitted: an answer that cannot be trusted.
    expect((await failure(inbox.decide(ref, { decision: 'approve' }))).message).toContain('approve answered 200 but the document is submitted');

    const restore = await rig.fake.down();
    try {
      await inbox.listOriginated(null).catch(() => undefined); // a kept-alive socket the fake cut may answer first
      expect(await failure(inbox.decide(ref, { decision: 'approve' }))).toMatchObject({ code: 'erp.unavailable', retryable: true });
      expect(await failure(inbox.readOriginated(ref))).toMatchObject({ code: 'erp.unavailable', retryable: true });
    } finally {
      await restore();
    }
  });

  it('without settings.decisions a decision is refused before sending; instance files that cannot work are refused at start', async () => {
    const d = make();
    const from = rig.fake.requests.length;
    const plain = inboxOf(rig.connectorWith({ settings: { decisions: false } }));
    const e = await failure(plain.decide({ erp: 'rest', docKind: 'purchase_requisition', formId: '', id: d.id, externalKey: '' }, { decision: 'approve' }));
    expect(e).toMatchObject({ code: 'erp.validation' });
    expect(e.message).toContain('settings.decisions');
    expect(rig.fake.requests.length).toBe(from);
    const approvals = [{ docKind: 'purchase_requisition', intent: 'erp_purchase_requisition' }];
    expect(() => rig.connectorWith({ settings: { decisions: false }, approvals })).toThrow(ConfigError);
    expect(() => rig.connectorWith({ approvals: [{ docKind: 'contract', intent: 'erp_contract' }] })).toThrow(/not in settings\.originated_kinds/);
    expect(() => rig.connectorWith({ settings: { originated_kinds: [] } })).toThrow();
    expect(() => rig.connectorWith({ approvals })).not.toThrow();
  });
});
