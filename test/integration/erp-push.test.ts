import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { pushSignature } from '../../src/erp/erp-push.ts';
import { startRestAdapter, type RestAdapterFake } from '../fakes/rest-adapter.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { grownReasons, refusalCounts } from '../support/refusal-counts.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';
import { adminToken } from '../support/admin-token.ts';

/**
 * Signed pushes from an ERP through the whole app: a REST instance (the fake adapter of the generic contract) with a
 * push secret, the console bot using it. A push is acknowledged before work, read back from the ERP, and every
 * refusal (signature, time window, replay, unknown instance, unreadable body) leaves nothing behind.
 */
const SECRET = 'a-push-secret-for-tests-0001';
const PREFIX = '/erp-adapter/v1';
const clock = fixedClock(new Date('2026-03-02T01:30:00Z'));
let tdb: TestDb;
let app: App;
let fake: RestAdapterFake;

beforeAll(async () => {
  fake = await startRestAdapter({ prefix: PREFIX, clock, parties: ['张三'] });
  const dir = mkdtempSync(join(tmpdir(), 'aa-push-'));
  const erps = join(dir, 'erps');
  const bots = join(dir, 'bots');
  for (const d of [erps, bots]) await import('node:fs').then((fs) => fs.mkdirSync(d));
  writeFileSync(join(erps, 'acme.yaml'), `id: acme-rest\nkind: rest\nbase_url: ${fake.url}\ncredentials: { token: ACME_TOKEN }\n`
    + `poll_interval_seconds: 3600\npush: { secret: ACME_PUSH }\nsettings: { path_prefix: ${PREFIX} }\n`);
  writeFileSync(join(bots, 'console.yaml'), readFileSync('bots/console.yaml', 'utf8').replace('erp: sandbox', 'erp: acme-rest'));
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock, env: { ERPS_DIR: erps, BOTS_DIR: bots, ACME_TOKEN: fake.token, ACME_PUSH: SECRET } });
});
afterAll(async () => {
  await app?.stop();
  await tdb?.drop();
  await fake?.close();
});

const requestRow = (id: string) => () => app.db.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const counts = async () => ({
  events: Number((await sql<{ n: string }>`select count(*) as n from erp_push_events`.execute(app.db.db)).rows[0]?.n),
  jobs: Number((await sql<{ n: string }>`select count(*) as n from outbox_jobs where kind = 'erp.push'`.execute(app.db.db)).rows[0]?.n),
});

function push(body: string, o: { eventId?: string; ts?: number; secret?: string; instance?: string; type?: string } = {}) {
  const ts = String(o.ts ?? Math.floor(clock.now().getTime() / 1000));
  return app.http.request(`/webhooks/erp/${o.instance ?? 'acme-rest'}`, {
    method: 'POST', body,
    headers: {
      'content-type': o.type ?? 'application/json', 'x-erp-event-id': o.eventId ?? 'evt-1', 'x-erp-timestamp': ts,
      'x-erp-signature': pushSignature(o.secret ?? SECRET, ts, body),
    },
  });
}

async function approvedDoc(amount: string) {
  const req = await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount, date: '2026-03-01' });
  const task = await app.db.db.selectFrom('approval_tasks').selectAll().where('request_id', '=', req.id).executeTakeFirstOrThrow();
  expect((await app.approvals.act('default', req.id, { type: 'approve', actor: 'lisi', taskId: task.id }, 'api')).ok).toBe(true);
  await until(requestRow(req.id), (r) => r.erp_status === 'created');
  const doc = await app.db.db.selectFrom('erp_documents').selectAll().where('request_id', '=', req.id).executeTakeFirstOrThrow();
  return { req, doc };
}

describe('ERP pushes', () => {
  it('a signed push is acknowledged with 202 and moves the card to posted, then paid, with no poll', async () => {
    const { req, doc } = await approvedDoc('120.00');
    expect(doc.connector).toBe('acme-rest');
    fake.post(doc.erp_id ?? '');
    const res = await push(JSON.stringify({ event_id: 'evt-1', documents: [{ id: doc.erp_id }] }), { eventId: 'evt-1' });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: true, event_id: 'evt-1', documents: 1 });
    await until(requestRow(req.id), (r) => r.erp_status === 'posted');
    fake.pay(doc.erp_id ?? '', '120.00', 'BANK-PUSH-1');
    expect((await push(JSON.stringify({ event_id: 'evt-2', documents: [{ external_key: doc.external_key }] }), { eventId: 'evt-2' })).status).toBe(202);
    await until(requestRow(req.id), (r) => r.erp_status === 'paid');
    const d = await app.db.db.selectFrom('erp_documents').selectAll().where('id', '=', doc.id).executeTakeFirstOrThrow();
    expect([d.status, d.bank_ref]).toEqual(['paid', 'BANK-PUSH-1']);
    const cursor = await app.db.db.selectFrom('erp_sync_cursors').selectAll().where('connector', '=', 'acme-rest').executeTakeFirst();
    expect(cursor?.last_attempt_at ?? null, 'no poll ran').toBeNull();
  });

  it('refuses a replay, a wrong signature, a stale or future timestamp, an unknown instance and unreadable bodies, keeping nothing', async () => {
    const before = await counts();
    const countedBefore = await refusalCounts(app.db.db);
    const body = JSON.stringify({ event_id: 'evt-1', documents: [{ id: '1' }] });
    const refusals = [
      [await push(body, { eventId: 'evt-1' }), 409, 'erp.push_duplicate'],
      [await push(body, { eventId: 'evt-x1', secret: 'another-secret-of-enough-length' }), 401, 'erp.push_bad_signature'],
      [await push(body, { eventId: 'evt-x2', ts: Math.floor(clock.now().getTime() / 1000) - 301 }), 401, 'erp.push_stale'],
      [await push(body, { eventId: 'evt-x3', ts: Math.floor(clock.now().getTime() / 1000) + 301 }), 401, 'erp.push_stale'],
      [await push(body, { eventId: 'evt-x4', instance: 'sandbox' }), 404, 'erp.push_unknown_instance'],
      [await push('not json', { eventId: 'evt-x5' }), 400, 'erp.push_invalid'],
      [await push(JSON.stringify({ event_id: 'evt-x6', documents: [] }), { eventId: 'evt-x6' }), 400, 'erp.push_invalid'],
      [await push(body, { eventId: 'evt-x7', type: 'text/plain' }), 415, 'erp.push_bad_request'],
    ] as const;
    for (const [res, status, code] of refusals) {
      expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([status, code]);
    }
    expect(await counts()).toEqual(before);
    // Counted, not a row each: per source, reason and minute (src/http/refusals.ts).
    const counted = grownReasons(countedBefore.by, (await refusalCounts(app.db.db)).by);
    expect(counted).toEqual({ 'erp.push_duplicate': 1, 'erp.push_bad_signature': 1, 'erp.push_stale': 2, 'erp.push_unknown_instance': 1, 'erp.push_invalid': 2, 'erp.push_bad_request': 1 });
  });

  it('reports the instance\'s health in the admin API and /metrics', async () => {
    await app.erp.syncConnector('default', 'acme-rest');
    const res = await app.http.request('/admin/api/erp/connectors', { headers: (await adminToken(app, 'default', ['admin:read'])).headers });
    const { connectors } = (await res.json()) as { connectors: { connector: string; lastSuccessAt: string | null; lagSeconds: number | null; documentsPending: number }[] };
    const acme = connectors.find((c) => c.connector === 'acme-rest');
    expect(acme).toMatchObject({ lastSuccessAt: clock.now().toISOString(), lagSeconds: 0, documentsPending: 0 });
    const metrics = await (await app.http.request('/metrics')).text();
    expect(metrics).toMatch(/erp_poll_last_success_timestamp_seconds\{connector="acme-rest",kind="rest"\} \d+/);
    expect(metrics).toMatch(/erp_push_total\{connector="acme-rest",outcome="accepted"\} 2/);
  });
});
