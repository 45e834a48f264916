import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { ConsoleClient } from '../support/console-client.ts';
import { startApp } from '../support/start-app.ts';
import { grownReasons, refusalCounts } from '../support/refusal-counts.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

let tdb: TestDb;
let app: App;
let cc: ConsoleClient;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle });
  cc = new ConsoleClient(app);
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

async function counts(): Promise<Record<string, number>> {
  const n = async (t: 'requests' | 'inbox_events' | 'outbox_jobs' | 'dialog_sessions' | 'console_messages' | 'approval_tasks'): Promise<number> =>
    Number((await app.db.db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return {
    requests: await n('requests'), inbox: await n('inbox_events'), outbox: await n('outbox_jobs'), sessions: await n('dialog_sessions'),
    messages: await n('console_messages'), tasks: await n('approval_tasks'),
  };
}

describe('inbound reliability', () => {
  it('one event delivered 50 times concurrently has one effect', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => cc.say('zhangsan', '/new travel_expense', 'evt-redelivered-1')));
    expect(responses.every((r) => r.status === 202)).toBe(true);
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ duplicate: boolean }>));
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(1);
    await cc.waitForText('zhangsan', /去了哪里/);
    await app.outbox.drain();
    const rows = await app.db.db.selectFrom('inbox_events').selectAll().where('event_id', '=', 'evt-redelivered-1').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.attempts).toBe(1);
    // One turn's replies, each once: the turn ran once (attempts 1) and every reply comes from this event.
    const replies = await app.db.db.selectFrom('console_messages').selectAll().where('user_id', '=', 'zhangsan').execute();
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.every((m) => m.idempotency_key.includes('evt-redelivered-1'))).toBe(true);
    expect(new Set(replies.map((m) => m.text)).size).toBe(replies.length);
    const sessions = await app.db.db.selectFrom('dialog_sessions').select('version').where('user_id', '=', 'zhangsan').execute();
    expect(sessions.map((x) => x.version)).toEqual([1]);
    console.log('50 concurrent deliveries of one event → inbox rows: %d, turns run: %d, replies: %d', rows.length, sessions[0]?.version, replies.length);
  });

  const json = (v: unknown): string => JSON.stringify(v);
  /** A body sent with Transfer-Encoding: chunked (no Content-Length), 64 KB at a time. */
  const chunked = (text: string): ReadableStream<Uint8Array> => new ReadableStream({
    start(ctrl) {
      const b = Buffer.from(text);
      for (let i = 0; i < b.length; i += 65_536) ctrl.enqueue(b.subarray(i, i + 65_536));
      ctrl.close();
    },
  });
  const bad: [string, string, string, number, string][] = [
    ['malformed JSON', '/console/api/messages', '{"user": "zhangsan", "text": ', 400, 'request.malformed_json'],
    ['missing fields', '/console/api/messages', json({ user: 'zhangsan' }), 400, 'request.invalid'],
    ['unknown fields', '/console/api/messages', json({ user: 'zhangsan', text: 'hi', admin: true }), 400, 'request.invalid'],
    ['a 2 MB body', '/console/api/messages', json({ user: 'zhangsan', text: 'x'.repeat(2 * 1024 * 1024) }), 413, 'request.too_large'],
    ['an unknown user', '/console/api/messages', json({ user: 'mallory', text: '批准所有申请' }), 404, 'directory.unknown_user'],
    ['an action on a message that does not exist', '/console/api/actions', json({ user: 'zhangsan', messageId: '00000000-0000-0000-0000-000000000000', actionId: 'approve' }), 404, 'console.unknown_message'],
    ['a malformed action', '/console/api/actions', json({ user: 'zhangsan', actionId: 'approve' }), 400, 'request.invalid'],
  ];
  // In process (hono's Request), through the Node listener (bodies read from the socket stream), and
  // chunked (no declared length: counted while buffered).
  let base = '';
  const transports: [string, (path: string, body: string) => Promise<Response>][] = [
    ['in process', async (path, body) => app.http.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body })],
    ['over HTTP', async (path, body) => {
      base ||= `http://127.0.0.1:${await app.listen()}`;
      return fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    }],
    ['chunked over HTTP', async (path, body) => {
      base ||= `http://127.0.0.1:${await app.listen()}`;
      return fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunked(body), duplex: 'half' } as RequestInit);
    }],
  ];
  const cases = transports.flatMap(([via, post]) => bad.map(([name, path, body, status, code]) => [`${name} (${via})`, () => post(path, body), status, code] as const));
  it.each(cases)('%s → 4xx JSON error, no state change, audited', async (_name, send, status, code) => {
    const before = await counts();
    const countedBefore = await refusalCounts(app.db.db);
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/json/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(await counts()).toEqual(before);
    // Counted by source, reason and minute (src/http/refusals.ts), not a row each.
    expect(grownReasons(countedBefore.by, (await refusalCounts(app.db.db)).by)).toEqual({ [code]: 1 });
  });

  it('the inbox of an unknown user → 404 directory.unknown_user (not an empty 200)', async () => {
    const res = await app.http.request('/console/api/inbox?user=mallory&waitMs=0');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('directory.unknown_user');
    expect((await app.http.request('/console/api/inbox?user=zhangsan&waitMs=0')).status).toBe(200);
  });

  it('a chunked body within the limit is accepted like any other', async () => {
    base ||= `http://127.0.0.1:${await app.listen()}`;
    const res = await fetch(`${base}/console/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: chunked(json({ user: 'wangwu', text: '/new travel_expense', eventId: 'evt-chunked-1' })), duplex: 'half' } as RequestInit);
    expect(res.status).toBe(202);
    const rows = await app.db.db.selectFrom('inbox_events').select('event_id').where('event_id', '=', 'evt-chunked-1').execute();
    expect(rows).toHaveLength(1);
  });
});
