import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import type { Finding } from '../../src/reconciliation/findings-repo.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { adminToken } from '../support/admin-token.ts';

/** A service token with both admin scopes (set once the app runs). */
let TOKEN = '';
const clock = fixedClock(new Date('2026-12-07T02:00:00Z'));
let tdb: TestDb;
let app: App;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock });
  TOKEN = (await adminToken(app)).token;
  // A document made in the ERP and approved there, never in chat.
  await app.db.db.insertInto('erp_originated').values({
    connector: 'sandbox', erp_id: 'PR-9', tenant_id: 'default', doc_kind: 'purchase_requisition', request_id: null, number: 'PR-9', state: 'approved',
    version_stamp: 'v1', decision: null, decision_revision: null, decision_status: null, last_error: null, created_at: clock.now(), updated_at: clock.now(),
  }).execute();
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

const call = (path: string, opts: { body?: string; auth?: boolean; method?: string } = {}) => app.http.request(path, {
  method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
  headers: { 'content-type': 'application/json', ...(opts.auth === false ? {} : { authorization: `Bearer ${TOKEN}` }) },
  ...(opts.body === undefined ? {} : { body: opts.body }),
});
const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;
const errorCode = async (res: Response) => (await json<{ error: { code: string } }>(res)).error.code;
const openCount = async () => (await app.db.db.selectFrom('recon_findings').select('id').where('closed_at', 'is', null).execute()).length;

describe('reconciliation admin API', () => {
  it.each([
    ['GET', '/admin/api/reconciliation/findings'],
    ['POST', '/admin/api/reconciliation/run'],
    ['POST', '/admin/api/reconciliation/findings/00000000-0000-4000-8000-000000000000/resolve'],
  ])('%s %s needs a session or a service token, like the other admin routes', async (method, path) => {
    const res = await call(path, { auth: false, method });
    expect(res.status).toBe(401);
    expect(await openCount()).toBe(0);
  });

  it('runs now, lists, resolves one (audited) and refuses bad input without changing anything', async () => {
    const ran = await json<{ opened: Finding[]; closed: number; open: Finding[]; digest: { finance: { cards: number } } }>(
      await call('/admin/api/reconciliation/run', { body: '' }));
    expect(ran.opened.map((f) => [f.kind, f.key])).toEqual([['approved_in_erp_without_chat', 'sandbox:PR-9']]);
    expect(ran.digest.finance.cards).toBe(1);
    const id = ran.opened[0]!.id;

    const listed = await json<{ findings: Finding[] }>(await call('/admin/api/reconciliation/findings?open=true&kind=approved_in_erp_without_chat'));
    expect(listed.findings.map((f) => f.id)).toEqual([id]);
    expect((await json<{ findings: Finding[] }>(await call('/admin/api/reconciliation/findings?kind=posted_unpaid'))).findings).toEqual([]);

    // Bad input: a clear 4xx, nothing closed.
    expect(await errorCode(await call('/admin/api/reconciliation/findings?open=maybe'))).toBe('request.invalid');
    expect(await errorCode(await call('/admin/api/reconciliation/findings?kind=bogus'))).toBe('request.invalid');
    // Another tenant than the token's is refused before the route runs (the token acts for "default" only).
    expect(await errorCode(await call('/admin/api/reconciliation/findings?tenant=nope'))).toBe('auth.tenant_mismatch');
    expect(await errorCode(await call('/admin/api/reconciliation/run?tenant=nope', { body: '' }))).toBe('auth.tenant_mismatch');
    expect(await errorCode(await call('/admin/api/reconciliation/findings/not-a-uuid/resolve', { body: '' }))).toBe('request.invalid');
    expect(await errorCode(await call('/admin/api/reconciliation/findings/00000000-0000-4000-8000-000000000000/resolve', { body: '' }))).toBe('reconciliation.finding_not_found');
    expect(await errorCode(await call(`/admin/api/reconciliation/findings/${id}/resolve`, { body: '{"by": ' }))).toBe('request.malformed_json');
    expect(await errorCode(await call(`/admin/api/reconciliation/findings/${id}/resolve`, { body: JSON.stringify({ by: 'wangwu', extra: 1 }) }))).toBe('request.invalid');
    expect(await openCount()).toBe(1);

    clock.advance(60_000);
    const resolved = await call(`/admin/api/reconciliation/findings/${id}/resolve`, { body: JSON.stringify({ by: 'wangwu', note: 'approved on paper, see ticket 12' }) });
    expect(resolved.status).toBe(200);
    expect((await json<{ finding: Finding }>(resolved)).finding).toMatchObject({ id, closedAt: clock.now().toISOString() });
    const audit = await app.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'reconciliation.resolved').execute();
    expect(audit).toHaveLength(1);
    // The actor is who called (the token), not the `by` the body names, which is kept as what they wrote.
    expect(audit[0]).toMatchObject({ actor: expect.stringMatching(/^token:\d+:test-admin$/), source: 'api', subject_type: 'finding', subject_id: id });
    expect(audit[0]!.meta).toMatchObject({ kind: 'approved_in_erp_without_chat', key: 'sandbox:PR-9', note: 'approved on paper, see ticket 12', by: 'wangwu' });
    expect(await errorCode(await call(`/admin/api/reconciliation/findings/${id}/resolve`, { body: '' }))).toBe('reconciliation.already_closed');
    expect(await app.db.db.selectFrom('audit_log').select('id').where('action', '=', 'reconciliation.resolved').execute()).toHaveLength(1);

    const closed = await json<{ findings: Finding[] }>(await call('/admin/api/reconciliation/findings?open=false'));
    expect(closed.findings.map((f) => f.id)).toEqual([id]);

    // Resolved while the ERP still shows it: the next run finds it again, as a new finding that is told again.
    const again = await json<{ opened: Finding[] }>(await call('/admin/api/reconciliation/run', { body: '' }));
    expect(again.opened.map((f) => f.key)).toEqual(['sandbox:PR-9']);
    expect(again.opened[0]!.id).not.toBe(id);
  });
});
