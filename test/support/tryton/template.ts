import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashWebhookModule, installWebhookModule, WEBHOOK_MODULE } from './webhook-module.ts';

/**
 * The ready Tryton database every Tryton test starts from: modules activated by trytond-admin, business data by
 * setup-db.py. Building it takes about half a minute, so it is built once and kept as a SQLite file in the temp
 * folder, under a name that hashes everything it depends on (the set-up script, the parameters below, the trytond
 * version): test files copy it, later runs reuse it, and a change to any input builds a new one. Test files that
 * start at the same time build it once: the first takes a lock (a folder), the others wait for the result.
 */
export const TRYTOND = '/usr/bin/trytond';
export const TRYTOND_ADMIN = '/usr/bin/trytond-admin';
/** Debian's interpreter: python3 on PATH may be a pyenv shim that cannot import trytond or proteus. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
const TRYTOND_PACKAGE = '/usr/lib/python3/dist-packages/trytond/__init__.py';
const PROTEUS_PACKAGE = '/usr/lib/python3/dist-packages/proteus/__init__.py';
const SETUP_SCRIPT = join(import.meta.dirname, 'setup-db.py');

/**
 * Modules to activate (their dependencies come along: account, account_product, stock, country…), and the repository's
 * own push module (erp-modules/tryton/approval_webhook, found through PYTHONPATH: webhook-module.ts).
 */
export const TRYTON_MODULES = [
  'company', 'party', 'currency', 'product', 'account_invoice', 'account_payment',
  'purchase', 'purchase_request', 'purchase_requisition', WEBHOOK_MODULE,
] as const;

/** The one fiscal year the database has. Tests date their documents inside it; nothing depends on today. */
export const TRYTON_FISCAL_YEAR = 2026;
/** Test-only credentials; both pass Tryton's default password rules (length 8, 75 % distinct characters). */
export const TRYTON_BOT = { login: 'approval-bot', password: 'Approval-bot-PW-7319' } as const;
export const TRYTON_ADMIN = { login: 'admin', password: 'Admin-pass-XK71q' } as const;
export const TEMPLATE_DATABASE = 'erp';

/** Ids of what setup-db.py created (keys as it writes them). */
export type TrytonIds = Record<
  | 'company' | 'currency' | 'fiscal_year' | 'journal_expense' | 'journal_cash' | 'account_receivable' | 'account_payable'
  | 'account_expense' | 'account_revenue' | 'account_cash' | 'invoice_payment_method' | 'payment_journal' | 'party_employee'
  | 'employee' | 'party_employee_address' | 'party_supplier' | 'product_expense' | 'uom_unit' | 'user_bot',
  number
>;

/** `pythonPath`: the folder trytond needs on PYTHONPATH to load the repository's module (webhook-module.ts). */
export interface TrytonTemplate { file: string; ids: TrytonIds; pythonPath: string; builtNow: boolean; buildMs: number }

export function trytonInstalled(): boolean {
  return [TRYTOND, TRYTOND_ADMIN, SYSTEM_PYTHON, TRYTOND_PACKAGE, PROTEUS_PACKAGE].every((f) => existsSync(f));
}

/** Environment for Tryton's programs: no Python settings of the developer's interpreter leak into Debian's. */
export function trytonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC' };
  for (const k of ['PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'VIRTUAL_ENV']) delete env[k];
  return { ...env, ...extra };
}

/** trytond.conf for a SQLite folder; `webhookSecret` fills the push module's `[approval_webhook] secret`. */
export function sqliteConfig(dbFolder: string, listen?: string, webhookSecret?: string): string {
  return [
    '[database]', 'uri = sqlite://', `path = ${dbFolder}`, 'language = en',
    ...(listen ? ['[web]', `listen = ${listen}`] : []),
    ...(webhookSecret ? ['[approval_webhook]', `secret = ${webhookSecret}`, 'timeout = 5'] : []), '',
  ].join('\n');
}

const run = promisify(execFile);

async function runLogged(what: string, file: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
  try {
    await run(file, args, { env, cwd, timeout: 10 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const out = e as { stdout?: string; stderr?: string; message: string };
    const tail = `${out.stdout ?? ''}\n${out.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${what} failed: ${out.message.split('\n')[0]}\n${tail}`);
  }
}

function cacheKey(): string {
  const h = createHash('sha256');
  h.update(readFileSync(SETUP_SCRIPT));
  h.update(readFileSync(TRYTOND_PACKAGE));
  hashWebhookModule(h);
  h.update(JSON.stringify({ TRYTON_MODULES, TRYTON_FISCAL_YEAR, TRYTON_BOT, TRYTON_ADMIN, TEMPLATE_DATABASE }));
  return h.digest('hex').slice(0, 16);
}

/** Builds the database in `dir` (a fresh folder). */
async function build(dir: string): Promise<void> {
  const conf = join(dir, 'trytond.conf');
  writeFileSync(conf, sqliteConfig(dir));
  writeFileSync(join(dir, `${TEMPLATE_DATABASE}.sqlite`), ''); // trytond's SQLite backend opens an existing file only
  writeFileSync(join(dir, 'adminpass'), `${TRYTON_ADMIN.password}\n`, { mode: 0o600 });
  const pythonPath = installWebhookModule(join(dir, 'pylib'));
  writeFileSync(join(dir, 'params.json'), JSON.stringify({ fiscalYear: TRYTON_FISCAL_YEAR, botLogin: TRYTON_BOT.login, botPassword: TRYTON_BOT.password }));
  // One pass on an empty database: -u initialises it, activates the modules and their dependencies.
  await runLogged('trytond-admin', TRYTOND_ADMIN, [
    '-c', conf, '-d', TEMPLATE_DATABASE, '--email', 'admin@example.com', '-u', ...TRYTON_MODULES, '--activate-dependencies',
  ], trytonEnv({ TRYTONPASSFILE: join(dir, 'adminpass'), PYTHONPATH: pythonPath }), dir);
  await runLogged('setup-db.py', SYSTEM_PYTHON, ['-W', 'ignore', SETUP_SCRIPT, conf, TEMPLATE_DATABASE, join(dir, 'params.json'), join(dir, 'ids.json')], trytonEnv({ PYTHONPATH: pythonPath }), dir);
}

function load(ready: string, builtNow: boolean, buildMs: number): TrytonTemplate {
  return {
    file: join(ready, `${TEMPLATE_DATABASE}.sqlite`), ids: JSON.parse(readFileSync(join(ready, 'ids.json'), 'utf8')) as TrytonIds,
    pythonPath: join(ready, 'pylib'), builtNow, buildMs,
  };
}

function lockIsStale(lock: string): boolean {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return false;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true;
    // No pid file yet: the owner is between mkdir and write, unless it died there long ago.
    try { return Date.now() - statSync(lock).mtimeMs > 15 * 60_000; } catch { return false; }
  }
}

/** The ready template, built now if no earlier test file or run built it. */
export async function readyTemplate(): Promise<TrytonTemplate> {
  const root = join(tmpdir(), `aa-tryton-template-${cacheKey()}`);
  const ready = join(root, 'ready');
  const isReady = () => existsSync(join(ready, 'ids.json'));
  if (isReady()) return load(ready, false, 0);
  mkdirSync(root, { recursive: true });
  const lock = join(root, 'lock');
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (isReady()) return load(ready, false, 0);
      if (lockIsStale(lock)) rmSync(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500)); // another process is building it
    }
  }
  try {
    if (isReady()) return load(ready, false, 0);
    const started = performance.now();
    const dir = join(root, `build-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    try {
      await build(dir);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    renameSync(dir, ready);
    return load(ready, true, performance.now() - started);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
