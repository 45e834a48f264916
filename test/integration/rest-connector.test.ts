import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalServiceError, ValidationError } from '../../src/core/errors.ts';
import type { CreateDocumentInput, ErpConnector } from '../../src/erp/erp-connector.ts';
import { erpContract } from '../contract/erp-contract.ts';
import { restContractHarness, startRestRig, type RestRig } from '../fakes/rest-adapter-rig.ts';

erpContract('rest', restContractHarness);

let rig: RestRig;
beforeAll(async () => { rig = await startRestRig(); });
afterAll(async () => { await rig.close(); });

let n = 0;
function input(o: Partial<CreateDocumentInput> & { payload?: Record<string, string> } = {}): CreateDocumentInput {
  n += 1;
  return {
    docKind: 'expense_reimbursement', externalKey: { namespace: 'approval:default', key: `EXP-${n}:r1` },
    payload: { amount: '120.00', party: 'Zhang San', description: 'taxi' }, autoApprove: true, ...o,
  };
}

async function failure(p: Promise<unknown>): Promise<ExternalServiceError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(ExternalServiceError);
  return e as ExternalServiceError;
}

const errorJson = (code: string, message: string) => JSON.stringify({ error: { code, message } });

describe('REST connector against the fake adapter', () => {
  it('sends the bearer token on every call; a wrong token is erp.auth, not retried', async () => {
    const from = rig.fake.requests.length;
    await rig.connector.createDocument(input());
    const sent = rig.fake.requests.slice(from);
    expect(sent.map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(sent.every((r) => r.authorization === `Bearer ${rig.fake.token}`)).toBe(true);

    const e = await failure(rig.connectorWith({ token: 'not-the-token' }).createDocument(input()));
    expect(e.code).toBe('erp.auth');
    expect(e.retryable).toBe(false);
    expect(rig.fake.requests.at(-1)?.authorization).toBe('Bearer not-the-token');
    expect(rig.fake.requests.at(-1)?.method, 'nothing written after the refused lookup').toBe('GET');
  });

  it('looks the key up before a PUT and sends no PUT for a key that has a document', async () => {
    const i = input();
    const first = await rig.connector.createDocument(i);
    const from = rig.fake.requests.length;
    const again = await rig.connector.createDocument(i);
    expect(again).toMatchObject({ created: false, ref: { id: first.ref.id } });
    expect(rig.fake.requests.slice(from).map((r) => r.method)).toEqual(['GET']);
    expect(rig.fake.ledger.all.filter((d) => d.external_key === first.ref.externalKey)).toHaveLength(1);
  });

  it('honours Retry-After: seconds on a 429, an HTTP date on a 503, both erp.unavailable and retryable', async () => {
    const { ref } = await rig.connector.createDocument(input());
    rig.fake.failNext({ status: 429, body: errorJson('rate_limited', 'slow down'), headers: { 'retry-after': '7' } });
    const throttled = await failure(rig.connector.getStatus(ref));
    expect(throttled).toMatchObject({ code: 'erp.unavailable', retryable: true, throttled: true, retryAfterMs: 7_000 });
    expect(throttled.details).toMatchObject({ status: 429, retryAfterSeconds: 7, adapterCode: 'rate_limited' });

    const at = new Date(rig.clock.now().getTime() + 30_000).toUTCString();
    rig.fake.failNext({ status: 503, body: errorJson('unavailable', 'ERP in maintenance'), headers: { 'retry-after': at } });
    const down = await failure(rig.connector.getStatus(ref));
    expect(down).toMatchObject({ code: 'erp.unavailable', retryable: true, throttled: false, retryAfterMs: 30_000 });
    expect(down.details).toMatchObject({ status: 503, retryAfterSeconds: 30 });
    expect(down.message).toContain('ERP in maintenance');

    rig.fake.failNext({ status: 502, body: '<html>Bad Gateway</html>' });
    const proxy = await failure(rig.connector.listChanges(null));
    expect(proxy).toMatchObject({ code: 'erp.unavailable', retryable: true, retryAfterMs: undefined });
  });

  it('a 2xx body that is not JSON is erp.rpc_error, not retried', async () => {
    const { ref } = await rig.connector.createDocument(input());
    rig.fake.failNext({ status: 200, body: '<html>Welcome to nginx</html>' });
    const e = await failure(rig.connector.getStatus(ref));
    expect(e).toMatchObject({ code: 'erp.rpc_error', retryable: false });
    expect(e.message).toContain('not JSON');
  });

  it('a document that breaks the contract is erp.rpc_error naming the field', async () => {
    const { ref } = await rig.connector.createDocument(input());
    rig.fake.mangleNext((d) => ({ ...(d as Record<string, unknown>), amount: { total: 12.5, currency: 'CNY' } }));
    const float = await failure(rig.connector.getStatus(ref));
    expect(float).toMatchObject({ code: 'erp.rpc_error', retryable: false });
    expect(float.message).toMatch(/amount\.total/);

    rig.fake.mangleNext((d) => ({ ...(d as Record<string, unknown>), status: 'paid', posted_at: '2026-03-01T10:00:00Z' }));
    const paidNoTime = await failure(rig.connector.getStatus(ref));
    expect(paidNoTime.message).toMatch(/paid_at: required when status is paid/);

    rig.fake.mangleNext((page) => ({ ...(page as Record<string, unknown>), changes: [{ id: ref.id, status: 'done' }] }));
    const page = await failure(rig.connector.listChanges(null));
    expect(page.code).toBe('erp.rpc_error');
    expect(page.message).toMatch(/changes\[0\]\./);

    rig.fake.mangleNext((d) => ({ ...(d as Record<string, unknown>), id: '999' }));
    expect((await failure(rig.connector.getStatus(ref))).message).toContain(`asked for document ${ref.id}, got 999`);
  });

  it('passes the ERP\'s own 422 message through as erp.validation', async () => {
    const e = await failure(rig.connector.createDocument(input({ payload: { amount: '10.00', party: 'Ghost Ltd' } })));
    expect(e).toMatchObject({ code: 'erp.validation', retryable: false, message: 'party "Ghost Ltd" does not exist in the ERP' });
  });

  it('refuses a payload the contract does not allow before sending anything', async () => {
    const from = rig.fake.requests.length;
    const bad = await failure(rig.connector.createDocument(input({ payload: { amount: 'lots', date: '1 March' } })));
    expect(bad).toMatchObject({ code: 'erp.validation', retryable: false });
    expect(bad.message).toMatch(/payload\.amount/);
    expect(bad.message).toMatch(/payload\.date/);
    const narrow = rig.connectorWith({ settings: { doc_kinds: ['purchase_order'] } });
    const kind = await failure(narrow.createDocument(input()));
    expect(kind.message).toContain('does not make expense_reimbursement documents');
    expect(rig.fake.requests.length).toBe(from);
  });

  it('fills the instance currency, drops empty template values and normalises the amount', async () => {
    const c = rig.connectorWith({ settings: { currency: 'USD' } });
    const { ref, snapshot } = await c.createDocument(input({ payload: { amount: '1,250.5', party: 'Zhang San', date: '' } }));
    expect(snapshot.amounts).toEqual({ total: '1250.50', currency: 'USD' });
    expect(rig.fake.ledger.findId(ref.id)?.payload).toEqual({ amount: '1250.50', party: 'Zhang San', currency: 'USD' });
  });

  it('a write whose answer is lost is erp.result_unknown (timeout or cut connection); a refused connection is erp.unavailable', async () => {
    for (const mode of ['hang', 'reset'] as const) {
      const i = input();
      rig.fake.loseNextAnswer(mode);
      const e = await failure(rig.connector.createDocument(i));
      expect(e, mode).toMatchObject({ code: 'erp.result_unknown', retryable: true });
      const retry = await rig.connector.createDocument(i);
      expect(retry.created).toBe(false);
    }
    const { ref } = await rig.connector.createDocument(input());
    const restore = await rig.fake.down();
    try {
      // The first call may meet a kept-alive socket the fake cut (UND_ERR_SOCKET); later ones are refused outright.
      expect(await failure(rig.connector.getStatus(ref))).toMatchObject({ code: 'erp.unavailable', retryable: true });
      const e = await failure(rig.connector.createDocument(input()));
      expect(e).toMatchObject({ code: 'erp.unavailable', retryable: true, details: { errno: 'ECONNREFUSED' } });
    } finally {
      await restore();
    }
  });

  it('a wrong path prefix is erp.rpc_error (a 404 without the contract\'s body), not "no document"', async () => {
    const lost = rig.connectorWith({ settings: { path_prefix: '/nowhere' } });
    const e = await failure(lost.findByExternalKey('expense_reimbursement', { namespace: 'approval:default', key: 'X:r1' }));
    expect(e.code).toBe('erp.rpc_error');
    expect(e.message).toContain('path_prefix');
  });

  it('approves and reverses through the decide endpoint, with state rules; without decisions only what is already so', async () => {
    const c = rig.connector;
    const { ref, snapshot } = await c.createDocument(input({ autoApprove: false }));
    expect(snapshot.status).toBe('submitted');
    expect((await c.submit(ref)).status).toBe('submitted');
    expect((await c.approve(ref, { comment: 'ok' })).status).toBe('approved');
    expect((await c.approve(ref)).status, 'already approved counts as success').toBe('approved');
    expect((await c.reverse(ref, { reason: 'wrong project' })).status).toBe('rejected');
    expect(await failure(c.approve(ref))).toMatchObject({ code: 'erp.not_allowed_in_state', retryable: false });
    expect(await failure(c.submit(ref))).toMatchObject({ code: 'erp.not_allowed_in_state' });

    const posted = await c.createDocument(input());
    rig.fake.post(posted.ref.id);
    expect(await failure(c.reverse(posted.ref, { reason: 'late' }))).toMatchObject({ code: 'erp.not_allowed_in_state' });

    const plain = rig.connectorWith({ settings: { decisions: false } });
    expect(plain.capabilities()).toMatchObject({ canUnapprove: false, idempotency: 'server-key', push: 'none' });
    const waiting = await plain.createDocument(input({ autoApprove: false }));
    const e = await failure(plain.approve(waiting.ref));
    expect(e).toMatchObject({ code: 'erp.not_allowed_in_state' });
    expect(e.message).toContain('settings.decisions');
    expect((await plain.approve(posted.ref)).status).toBe('posted');
  });

  it('keeps ids as strings and keys with any characters in one path segment', async () => {
    const key = { namespace: 'approval:t/1', key: '报销 #7?x=1:r2' };
    const { ref } = await rig.connector.createDocument(input({ externalKey: key }));
    expect(ref.externalKey).toBe('approval:t/1:报销 #7?x=1:r2');
    expect(ref.id).toMatch(/^\d{19}$/);
    expect((await rig.connector.findByExternalKey('expense_reimbursement', key))?.id).toBe(ref.id);
    expect((await rig.connector.getStatus(ref)).ref.number).toMatch(/^RA-/);
  });

  it('reports payment details and pages the change feed within the limit', async () => {
    const { ref } = await rig.connector.createDocument(input({ payload: { amount: '300.00', party: 'Zhang San' } }));
    rig.fake.post(ref.id);
    rig.clock.advance(3_600_000);
    rig.fake.pay(ref.id, '100.00', 'BANK-1');
    const part = await rig.connector.getStatus(ref);
    expect(part).toMatchObject({ status: 'partially_paid', amounts: { total: '300.00', paid: '100.00' }, payment: { bankRef: 'BANK-1' } });
    expect(part.voucher).toMatch(/^V-/);
    expect(part.payment?.at).toBe(rig.clock.now().toISOString());
    let cursor: string | null = null;
    const seen: string[] = [];
    for (let i = 0; i < 100; i++) {
      const page: Awaited<ReturnType<ErpConnector['listChanges']>> = await rig.connector.listChanges(cursor, { limit: 2 });
      expect(page.changes.length).toBeLessThanOrEqual(2);
      seen.push(...page.changes.map((c) => c.snapshot.versionStamp));
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    expect(seen).toContain(part.versionStamp);
    expect((await rig.connector.listChanges(cursor)).changes).toEqual([]);
  });

  it('parsePush reads the generic body and refuses one that breaks the contract', () => {
    const c = rig.connectorWith({ push: true });
    expect(c.capabilities().push).toBe('plugin');
    expect(c.parsePush?.({ event_id: 'evt-1', documents: [{ id: '42', doc_kind: 'payable' }, { external_key: 'approval:default:EXP-1:r1' }] })).toEqual({
      eventId: 'evt-1', documents: [{ id: '42', docKind: 'payable' }, { externalKey: 'approval:default:EXP-1:r1' }],
    });
    const bad = [
      { documents: [{ id: '1' }] },
      { event_id: 'e', documents: [] },
      { event_id: 'e', documents: [{ doc_kind: 'payable' }] },
      { event_id: 'e', documents: [{ id: '1', doc_kind: 'invoice' }] },
      { event_id: 'e', documents: [{ id: 1 }] },
      'not an object',
    ];
    for (const body of bad) {
      let e: unknown;
      try { c.parsePush?.(body); } catch (x) { e = x; }
      expect(e, JSON.stringify(body)).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).code).toBe('erp.push_invalid');
    }
  });

  it('the fake refuses requests the contract does not allow, before touching its ERP', async () => {
    const before = rig.fake.ledger.all.length;
    const put = (body: unknown, headers: Record<string, string> = {}) => fetch(`${rig.fake.url}${rig.fake.prefix}/documents/k-1`, {
      method: 'PUT', body: JSON.stringify(body), headers: { authorization: `Bearer ${rig.fake.token}`, 'content-type': 'application/json', ...headers },
    });
    const missing = await put({ doc_kind: 'payable', payload: { amount: '1.00' } });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('body.auto_approve: required');
    expect((await put({ doc_kind: 'invoice', payload: { amount: '1.00' }, auto_approve: true })).status).toBe(400);
    expect((await put({ doc_kind: 'payable', payload: { amount: 1 }, auto_approve: true })).status).toBe(400);
    expect((await put({ doc_kind: 'payable', payload: { amount: '1.00' }, auto_approve: true }, { authorization: 'Basic eDp5' })).status).toBe(401);
    const limit = await fetch(`${rig.fake.url}${rig.fake.prefix}/changes?limit=501`, { headers: { authorization: `Bearer ${rig.fake.token}` } });
    expect(limit.status).toBe(400);
    expect(rig.fake.ledger.all.length).toBe(before);
  });

  it('the fake answered within the contract throughout', () => {
    expect(rig.fake.violations).toEqual([]);
  });
});
