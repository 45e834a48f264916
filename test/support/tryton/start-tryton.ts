import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  readyTemplate, sqliteConfig, SYSTEM_PYTHON, TEMPLATE_DATABASE, TRYTON_ADMIN, TRYTON_BOT, TRYTON_FISCAL_YEAR, TRYTOND,
  trytonEnv, trytonInstalled, type TrytonIds,
} from './template.ts';

/**
 * A real Tryton 6.0 server (Debian's packages, .ci/tryton-install.sh) for one test file: its own copy of the ready
 * database (template.ts), trytond on a free loopback port, stopped by `stop()`. The repository's push module
 * (approval_webhook) is active; its secret is `webhookSecret` (webhook-triggers.ts registers triggers).
 *
 *   const tryton = await startTryton();          // null when Tryton is not installed (outside CI)
 *   describe.skipIf(!tryton)('…', () => { afterAll(() => tryton?.stop()); … });
 */
export interface TrytonServer {
  /** Server root, e.g. http://127.0.0.1:41234 (the database is the next path segment). */
  readonly url: string;
  readonly database: string;
  readonly bot: { readonly login: string; readonly password: string };
  readonly admin: { readonly login: string; readonly password: string };
  readonly ids: TrytonIds;
  readonly fiscalYear: number;
  /** How long the ready database took to build (0 when an earlier test file or run had built it). */
  readonly templateBuildMs: number;
  /** `[approval_webhook] secret` of this server: the push module signs its POSTs with it. */
  readonly webhookSecret: string;
  /** Makes every session of `login` older than Tryton's `[session] max_age`: its next call is refused (HTTP 401). */
  expireSessions(login: string): Promise<void>;
  /** Stops trytond and keeps the database (an outage): calls get "connection refused" until `restart()`. */
  halt(): Promise<void>;
  /** Starts trytond again on the same port and database after `halt()` (sessions survive: they are in the database). */
  restart(): Promise<void>;
  /** Stops trytond (SIGTERM, then SIGKILL after 10 s) and removes the copy. Safe to call twice. */
  stop(): Promise<void>;
  /** Exit code or signal of trytond once stopped. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | null;
}

const SKIP_MESSAGE = 'Tryton 6.0 is not installed (Debian packages; run .ci/tryton-install.sh as root): skipping the tests against a real Tryton';

/** A real Tryton, or null (with a message) when it is not installed here; when CI is set its absence is an error. */
export async function startTryton(): Promise<TrytonServer | null> {
  if (!trytonInstalled()) {
    if (process.env.CI) throw new Error(`CI is set and ${SKIP_MESSAGE.replace(': skipping', ', so it cannot run')}`);
    console.warn(SKIP_MESSAGE);
    return null;
  }
  const template = await readyTemplate();
  const dir = mkdtempSync(join(tmpdir(), 'aa-tryton-run-'));
  try {
    const dbFolder = join(dir, 'db');
    mkdirSync(dbFolder);
    const dbFile = join(dbFolder, `${TEMPLATE_DATABASE}.sqlite`);
    copyFileSync(template.file, dbFile);
    const secret = randomBytes(24).toString('hex');
    const { child, port } = await listen(dir, dbFolder, template.pythonPath, secret);
    return server({ dir, dbFolder, dbFile, child, port, secret, pythonPath: template.pythonPath }, template.ids, template.buildMs);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

interface Running { dir: string; dbFolder: string; dbFile: string; child: ChildProcess; port: number; secret: string; pythonPath: string }

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function server(r: Running, ids: TrytonIds, templateBuildMs: number): TrytonServer {
  let child = r.child;
  let stopping: Promise<void> | null = null;
  const stop = async () => {
    await terminate(child);
    rmSync(r.dir, { recursive: true, force: true });
  };
  return {
    url: `http://127.0.0.1:${r.port}`, database: TEMPLATE_DATABASE, bot: TRYTON_BOT, admin: TRYTON_ADMIN, ids, fiscalYear: TRYTON_FISCAL_YEAR,
    templateBuildMs, webhookSecret: r.secret,
    expireSessions: (login) => expireSessions(r.dbFile, login),
    halt: () => terminate(child),
    restart: async () => {
      if (stopping) throw new Error('this Tryton was stopped for good');
      await terminate(child);
      child = (await listen(r.dir, r.dbFolder, r.pythonPath, r.secret, r.port)).child;
    },
    stop: () => (stopping ??= stop()),
    exit: () => (child.exitCode === null && child.signalCode === null ? null : { code: child.exitCode, signal: child.signalCode }),
  };
}

/**
 * Starts trytond on a free port (or on `fixedPort` for a restart); a port taken between the probe and trytond's bind
 * is retried with another, a fixed one a few times after a pause (the old process's socket may linger).
 */
async function listen(dir: string, dbFolder: string, pythonPath: string, secret: string, fixedPort?: number): Promise<{ child: ChildProcess; port: number }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (fixedPort !== undefined && attempt > 0) await new Promise((res) => setTimeout(res, 500));
    const port = fixedPort ?? await freePort();
    const conf = join(dir, 'trytond.conf');
    writeFileSync(conf, sqliteConfig(dbFolder, `127.0.0.1:${port}`, secret), { mode: 0o600 });
    const logFile = join(dir, 'trytond.log');
    const log = openSync(logFile, 'a');
    const child = spawn(TRYTOND, ['-c', conf], { env: trytonEnv({ PYTHONPATH: pythonPath }), cwd: dir, stdio: ['ignore', log, log] });
    closeSync(log);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitUntilServing(child, url);
      return { child, port };
    } catch (e) {
      lastError = new Error(`${(e as Error).message}\n--- trytond.log ---\n${tail(logFile)}`);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    }
  }
  throw lastError;
}

function tail(file: string): string {
  try { return readFileSync(file, 'utf8').trim().split('\n').slice(-20).join('\n'); } catch { return '(no log)'; }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `common.server.version` (no login, no database) until trytond answers; fails when it exits or after 30 s. */
async function waitUntilServing(child: ChildProcess, url: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  const exited = once(child, 'exit').then(([code, signal]) => { throw new Error(`trytond exited (${String(code ?? signal)}) before serving`); });
  exited.catch(() => {}); // observed below through Promise.race
  for (;;) {
    const probe = fetch(`${url}/`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 0, method: 'common.server.version', params: [] }), signal: AbortSignal.timeout(2_000),
    }).then((r) => r.ok, () => false);
    if (await Promise.race([probe, exited])) return;
    if (performance.now() > deadline) throw new Error(`trytond did not answer on ${url} within 30 s`);
    await Promise.race([new Promise((r) => setTimeout(r, 100)), exited]);
  }
}

const run = promisify(execFile);

/**
 * Ages the sessions of a user in the SQLite file the running server uses: Tryton then treats them as expired
 * (ir.session.check compares create_date with `[session] max_age`) and deletes them on the next call.
 */
async function expireSessions(dbFile: string, login: string): Promise<void> {
  const script = [
    'import sqlite3, sys',
    'c = sqlite3.connect(sys.argv[1], timeout=30)',
    "n = c.execute(\"UPDATE ir_session SET create_date = '2000-01-01 00:00:00', write_date = NULL "
      + "WHERE create_uid = (SELECT id FROM res_user WHERE login = ?)\", (sys.argv[2],)).rowcount",
    'c.commit()',
    'print(n)',
  ].join('\n');
  const { stdout } = await run(SYSTEM_PYTHON, ['-c', script, dbFile, login], { env: trytonEnv() });
  if (Number(stdout.trim()) < 1) throw new Error(`no Tryton session of ${login} to expire`);
}
