import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { writeDirectory } from '../support/directory-fixture.ts';
import { startServiceChild, type ServiceChild } from '../support/service-child.ts';
import { adminQuery } from '../support/template-db.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { until } from '../support/until.ts';

/**
 * The database drops its connections under load: the service (a child process, so a crash is an exit)
 * takes a burst of chat messages through the console API while the test terminates every backend of its
 * database several times (pg_terminate_backend). Senders redeliver what was not acknowledged, as Feishu and
 * DingTalk do. Afterwards the process must still be up and every acknowledged event must have had its
 * effect exactly once: its inbox row done, one turn committed (dialog_sessions.version counts turns),
 * one reply card.
 */
const TRIES = 3;
const EVENTS = 480;
const EXTRA_USERS = 20;
const SENDERS = 16;
/** Kills while events are being posted (at these shares of the acknowledged count), then one while they are handled. */
const KILL_AT = [0.15, 0.35, 0.55, 0.75];
const RECOVERY_BOUND_MS = 25_000;
/** A sender gives up on an answer after this long and redelivers (Feishu waits 3 s for its event callbacks). */
const ACK_TIMEOUT_MS = 3000;

const baseUrl = loadConfig().databaseUrl;
let directoryFile = '';

beforeAll(() => { directoryFile = writeDirectory(EXTRA_USERS); });

interface TryFigures {
  tryNo: number; kills: number; backendsTerminated: number; redeliveries: number; crashed: boolean; exit: string;
  /** From the last kill until every effect was there. */
  recoveryMs: number; acked: number; done: number; turns: number; cards: number; failed: number; dead: number }
const figures: TryFigures[] = [];
afterAll(() => { if (figures.length) console.log('backend-kill figures:\n%s', figures.map((f) => JSON.stringify(f)).join('\n')); });

/** The service connects under this name, so only its backends are terminated (not the test's own reader). */
const APP_NAME = 'aa-kill-test-service';

async function terminateBackends(dbName: string): Promise<number> {
  if (!baseUrl) return 0;
  const r = await adminQuery(baseUrl, `select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity
    where datname = '${dbName}' and application_name = '${APP_NAME}') t`);
  return (r.rows[0] as { n: number }).n;
}

async function oneTry(tryNo: number): Promise<TryFigures & { problems: string[] }> {
  const tdb: TestDb = await createTestDb(4);
  const dbName = new URL(tdb.url ?? '').pathname.slice(1);
  let child: ServiceChild | undefined;
  try {
    child = startServiceChild({
      DATABASE_URL: `${tdb.url ?? ''}?application_name=${APP_NAME}`, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', WORKER_POLL_MS: '20', ERP_POLL_MS: '3600000', SLA_CHECK_MS: '3600000',
      DIRECTORY_FILE: directoryFile, CONSOLE_DEMO: 'true', DATABASE_POOL_SIZE: '10',
    });
    const svc = child;
    const port = await svc.port;
    const users = ['zhangsan', 'lisi', 'wangwu', 'admin', ...Array.from({ length: EXTRA_USERS }, (_, i) => `u${String(i + 1).padStart(3, '0')}`)];
    const events = Array.from({ length: EVENTS }, (_, i) => ({ user: users[i % users.length] ?? 'zhangsan', eventId: `kill-${tryNo}-${i}` }));
    let acked = 0;
    let redeliveries = 0;
    let next = 0;
    const post = async (e: { user: string; eventId: string }): Promise<void> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (svc.hasExited()) return;
        const status = await fetch(`http://127.0.0.1:${port}/console/api/messages`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: e.user, text: '/help', eventId: e.eventId }), signal: AbortSignal.timeout(ACK_TIMEOUT_MS),
        }).then((r) => r.status, () => 0);
        if (status === 202) { acked++; return; }
        if (Date.now() > deadline) return;
        redeliveries++;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const senders = Promise.all(Array.from({ length: SENDERS }, async () => {
      while (next < events.length) {
        const e = events[next++];
        if (e) await post(e);
      }
    }));
    let kills = 0;
    let backendsTerminated = 0;
    let lastKillAt = Date.now();
    const kill = async (): Promise<void> => {
      lastKillAt = Date.now();
      kills++;
      backendsTerminated += await terminateBackends(dbName);
    };
    for (const share of KILL_AT) {
      await until(async () => acked, (n) => n >= EVENTS * share || svc.hasExited(), 30_000, 5);
      await kill();
    }
    await senders;
    // One more while the workers are still handling the burst.
    const doneCount = async (): Promise<number> => Number((await tdb.handle.db.selectFrom('inbox_events').select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'done').executeTakeFirstOrThrow()).n);
    if ((await doneCount()) < acked) await kill();

    // Recovery: every stored event handled and every reply card delivered (or the process is gone).
    const cardsCount = async (): Promise<number> => Number((await tdb.handle.db.selectFrom('console_messages').select((eb) => eb.fn.countAll().as('n'))
      .where('idempotency_key', 'like', 'help:%').executeTakeFirstOrThrow()).n);
    await until(async () => [await doneCount(), await cardsCount()], ([d, c]) => (d === EVENTS && c === EVENTS) || svc.hasExited(), 90_000, 100);
    const recoveryMs = Date.now() - lastKillAt;
    const stored = await tdb.handle.db.selectFrom('inbox_events').select(['event_id', 'status']).execute();
    const turns = await sql<{ n: number }>`select coalesce(sum(version), 0)::int as n from dialog_sessions`.execute(tdb.handle.db);
    const cards = await tdb.handle.db.selectFrom('console_messages').select('idempotency_key').where('idempotency_key', 'like', 'help:%').execute();
    const dead = await tdb.handle.db.selectFrom('outbox_jobs').select('id').where('status', '=', 'dead').execute();
    const crashed = svc.hasExited();
    const exit = crashed ? JSON.stringify(await svc.exited) : 'running';
    const f: TryFigures = {
      tryNo, kills, backendsTerminated, redeliveries, crashed, exit, recoveryMs, acked,
      done: stored.filter((r) => r.status === 'done').length, turns: turns.rows[0]?.n ?? 0, cards: cards.length,
      failed: stored.filter((r) => r.status === 'failed').length, dead: dead.length,
    };
    figures.push(f);
    if (crashed) console.log('try %d: the service exited %s; its output ends:\n%s', tryNo, exit, svc.output().slice(-3000));
    const problems: string[] = [];
    const check = (ok: boolean, what: string): void => { if (!ok) problems.push(what); };
    check(!crashed, `the service exited ${exit}`);
    check(acked === EVENTS, `${acked} of ${EVENTS} events acknowledged`);
    // Each acknowledged event stored once and handled once, with one turn and one card of its own.
    const ids = new Set(events.map((e) => e.eventId));
    check(stored.length === EVENTS && stored.every((r) => ids.has(r.event_id)), `${stored.length} inbox rows for ${EVENTS} events`);
    check(f.done === EVENTS, `${f.done} of ${EVENTS} events handled (${f.failed} failed)`);
    check(f.turns === EVENTS, `${f.turns} turns committed for ${EVENTS} events`);
    const cardEvents = new Set(cards.map((c) => /:(kill-\d+-\d+)$/.exec(c.idempotency_key)?.[1]));
    check(f.cards === EVENTS && [...ids].every((id) => cardEvents.has(id)), `${f.cards} reply cards for ${EVENTS} events`);
    check(f.dead === 0, `${f.dead} dead-lettered jobs`);
    // Shorter than the 30 s leases (outbox jobs, cards): no interrupted work waited for its lease to run out.
    check(crashed || recoveryMs < RECOVERY_BOUND_MS, `recovery took ${recoveryMs} ms (bound ${RECOVERY_BOUND_MS})`);
    if (!crashed) {
      // Back to ready once the database is.
      const ready = await until(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0), (s) => s === 200, 10_000, 50);
      check(ready === 200, `/readyz answers ${ready} after recovery`);
    }
    return { ...f, problems };
  } finally {
    await child?.stop();
    await tdb.drop();
  }
}

describe('the database drops every connection mid-burst', () => {
  it(`the service stays up and every acknowledged event has its effect exactly once (${TRIES} tries)`, async (ctx) => {
    if (!baseUrl) {
      ctx.skip('needs a PostgreSQL server (DATABASE_URL): PGlite runs inside the process and has no backends to terminate');
      return;
    }
    const problems: string[] = [];
    for (let t = 1; t <= TRIES; t++) problems.push(...(await oneTry(t)).problems.map((p) => `try ${t}: ${p}`));
    expect(problems).toEqual([]);
  }, 600_000);
});
