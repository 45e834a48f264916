import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { startFakeFeishuServer, type FakeFeishuServer } from '../fakes/feishu-server.ts';
import { buttonsOf, ConsoleClient } from '../support/console-client.ts';
import { feishuBot, secrets, writePlatformEnv } from '../support/platform-env.ts';
import { FeishuDriver } from '../support/platform-feishu.ts';
import { adminToken } from '../support/admin-token.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

/**
 * Text PostgreSQL cannot store (a NUL byte; a UTF-16 surrogate half, which has no UTF-8 form) and control
 * characters, sent through every HTTP surface the way a client can send them (JSON escapes `\u0000`, `\ud800`;
 * percent-escapes in paths and queries). Each is a 400 naming where it was, and nothing is written: the rows of
 * every table a request could touch are counted before and after (the refusal's own audit row aside).
 */
const NUL = 'a\u0000b';
const LONE = 'a\ud800b';
const BELL = 'a\u0007b';

let tdb: TestDb;
let app: App;
let cc: ConsoleClient;
let fake: FakeFeishuServer;
let fs: FeishuDriver;
const clock = fixedClock(new Date('2026-11-23T02:00:00Z'));
/** Feishu signs with its own clock; the app checks the window against the injected one. */
const signedAt = { timestampSec: Math.floor(clock.now().getTime() / 1000) };

beforeAll(async () => {
  tdb = await createTestDb();
  fake = await startFakeFeishuServer();
  const env = writePlatformEnv([feishuBot(fake.url), { id: 'console', platform: 'console', tenant: 'default', locale: 'zh' }], { feishu: ['zhangsan', 'lisi'] });
  app = await startApp({ db: tdb.handle, clock, env, secrets });
  cc = new ConsoleClient(app);
  fs = new FeishuDriver(app.http, fake);
});
afterAll(async () => {
  await app?.stop();
  await tdb?.drop();
  await fake?.close();
});

const TABLES = ['inbox_events', 'outbox_jobs', 'requests', 'dialog_sessions', 'console_messages', 'user_identities', 'erp_push_events'] as const;
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(t)}`.execute(app.db.db)).rows[0]?.n);
  out['audit_other'] = Number((await sql<{ n: string }>`select count(*) as n from audit_log where action <> 'inbound.rejected'`.execute(app.db.db)).rows[0]?.n);
  return out;
}

/** Sends `send`, expects a 400 naming `where`, and no row anywhere but a refusal's audit row. */
async function refused(send: () => Response | Promise<Response>, where: RegExp): Promise<void> {
  // Work of earlier steps (replies the workers deliver) finishes first: only this request may change nothing.
  await until(() => count(`outbox_jobs where status not in ('done', 'dead')`), (n) => n === 0);
  await until(() => count(`inbox_events where status = 'pending'`), (n) => n === 0);
  const before = await counts();
  const res = await send();
  const body = (await res.json()) as { error?: { code: string; message: string } };
  expect(res.status, JSON.stringify(body)).toBe(400);
  expect(body.error?.code).toBe('request.invalid_text');
  expect(body.error?.message).toMatch(where);
  expect(await counts()).toEqual(before);
}

const count = async (q: string): Promise<number> => Number((await sql<{ n: string }>`select count(*) as n from ${sql.raw(q)}`.execute(app.db.db)).rows[0]?.n);

const postJson = (path: string, json: string): Response | Promise<Response> =>
  app.http.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });

describe('console API', () => {
  it('refuses NUL, surrogate halves and control characters in a message text, the user and the event id', async () => {
    for (const [bad, field] of [[NUL, 'text'], [LONE, 'text'], [BELL, 'text']] as const) {
      await refused(() => postJson('/console/api/messages', JSON.stringify({ user: 'zhangsan', text: bad })), new RegExp(field));
    }
    await refused(() => postJson('/console/api/messages', JSON.stringify({ user: NUL, text: 'hi' })), /user/);
    await refused(() => postJson('/console/api/messages', JSON.stringify({ user: 'zhangsan', text: 'hi', eventId: LONE })), /eventId/);
    // The escapes as a client writes them on the wire, not as JSON.stringify would (it writes NUL as \u0000 too).
    await refused(() => postJson('/console/api/messages', '{"user":"zhangsan","text":"x\\ud83dy"}'), /text/);
  });

  it('keeps tabs and line breaks, and whole emoji (a surrogate pair), in a message', async () => {
    const res = await postJson('/console/api/messages', JSON.stringify({ user: 'zhangsan', text: 'line one\n\tline two 😀' }));
    expect(res.status, await res.clone().text()).toBe(202);
  });

  it('refuses them in the inbox query and in a card click (ids and form values)', async () => {
    await refused(() => app.http.request('/console/api/inbox?user=zhang%00san'), /user/);
    await refused(() => app.http.request('/console/api/inbox?user=zhangsan&after=%07'), /after/);
    expect((await cc.say('lisi', '/new travel_expense')).status).toBe(202);
    const card = await cc.waitFor('lisi', (m) => m.kind === 'text');
    await refused(() => postJson('/console/api/actions', JSON.stringify({ user: 'lisi', messageId: `${card.id}\u0000`, actionId: 'dialog.submit' })), /messageId/);
    await refused(() => postJson('/console/api/actions', JSON.stringify({ user: 'lisi', messageId: card.id, actionId: 'dialog.submit', form: { purpose: NUL } })), /form\.purpose/);
    await refused(() => postJson('/console/api/actions', JSON.stringify({ user: 'lisi', messageId: card.id, actionId: 'dialog.submit', form: { [LONE]: 'x' } })), /form/);
    expect(buttonsOf(card.card)).toEqual([]);
  });
});

describe('admin API', () => {
  it('refuses them in ids of paths and in queries', async () => {
    const { headers } = await adminToken(app);
    const get = (path: string) => app.http.request(path, { headers });
    await refused(() => get('/admin/api/requests/abc%00def'), /path/);
    await refused(() => get('/admin/api/requests?tenant=de%00fault'), /tenant/);
    await refused(() => get('/admin/api/requests/x/timeline?tenant=%01'), /tenant/);
    await refused(() => get('/admin/api/reconciliation/findings?kind=a%00'), /kind/);
    await refused(() => app.http.request('/admin/api/reconciliation/findings/00000000-0000-4000-8000-000000000001/resolve', {
      method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ by: 'admin', note: LONE }) }), /note/);
  });
});

describe('webhooks', () => {
  it('refuses a signed Feishu event whose ids or text carry them, and changes nothing', async () => {
    const withNulId = fs.messageEnvelope('zhangsan', 'hello', `ev_${NUL}`);
    const before = await counts();
    const a = await fs.post(withNulId, signedAt);
    expect(a.status).toBe(400);
    expect(a.body.error?.code).toBe('request.invalid_text');
    const b = await fs.post(fs.messageEnvelope('zhangsan', `报销${LONE}`), signedAt);
    expect(b.status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('refuses an ERP push path naming an instance with them (400, not a lost refusal)', async () => {
    await refused(() => postJson('/webhooks/erp/acme%00', '{}'), /path/);
  });
});
