import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../../src/app/create-app.ts';
import { loadConfig } from '../../../src/config/env.ts';
import { TrytonRpcClient } from '../../../src/erp/connectors/tryton/rpc-client.ts';
import { ConsoleClient } from '../console-client.ts';
import { TEST_ENV } from '../start-app.ts';
import type { TestDb } from '../test-db.ts';
import type { TrytonServer } from './start-tryton.ts';
import { calendarDate, ensureFiscalYear, ensureParty } from './tryton-admin.ts';

/**
 * The whole service wired to a real Tryton the way an operator sets it up: an instance file `kind: tryton` in its own
 * ERPS_DIR (credentials and push secret as environment variable names), the console bot of bots/console.yaml pointed
 * at it (`erp: <id>`) in its own BOTS_DIR, the shipped intents and directory, and the app listening on a loopback
 * port (Tryton's push module POSTs to it). Tryton's admin has created the parties the shipped intents name (the
 * requester's directory name, a supplier) and opened the fiscal year of today.
 */
export interface TrytonLoop {
  app: App;
  cc: ConsoleClient;
  /** The instance id (its file's `id`), also the connector name on cards and rows. */
  id: string;
  /** The app's real listener. */
  port: number;
  /** Where Tryton's push module must POST: http://127.0.0.1:<port>/webhooks/erp/<id>. */
  pushUrl: string;
  /** Tryton's own admin (the accountant of these tests). */
  admin: TrytonRpcClient;
  close(): Promise<void>;
}

export interface LoopOptions {
  id: string;
  pollSeconds: number;
  /** Extra environment (outbox settings); the credentials are added here. */
  env?: Record<string, string>;
  /** The instance's `approvals:` (documents made in Tryton approved in chat under these intents); none by default. */
  approvals?: { docKind: string; intent: string }[];
  /** The instance's `master_data:` (kinds copied from Tryton); none by default. */
  masterData?: { kinds: string[]; intervalSeconds: number };
}

/** A supplier the purchase requests name in their `supplier` field (created in Tryton by its admin). */
export const E2E_SUPPLIER = '宁波文具供应有限公司';

function envPrefix(id: string): string {
  return `TRYTON_${id.toUpperCase().replace(/-/g, '_')}`;
}

function instanceFile(tryton: TrytonServer, o: LoopOptions): string {
  const p = envPrefix(o.id);
  return [
    `id: ${o.id}`,
    'kind: tryton',
    'tenant: default',
    `base_url: ${tryton.url}`,
    `credentials: { login: ${p}_LOGIN, password: ${p}_PASSWORD }`,
    `poll_interval_seconds: ${o.pollSeconds}`,
    'timeout_ms: 5000',
    `push: { secret: ${p}_PUSH_SECRET }`,
    ...(o.approvals?.length ? ['approvals:', ...o.approvals.map((a) => `  - { doc_kind: ${a.docKind}, intent: ${a.intent} }`)] : []),
    ...(o.masterData ? [`master_data: { kinds: [${o.masterData.kinds.join(', ')}], interval_seconds: ${o.masterData.intervalSeconds} }`] : []),
    'settings:',
    `  database: ${tryton.database}`,
    '  timezone: Asia/Shanghai',
    '  expense: { journal: EXP, account: Main Expense }',
    '',
  ].join('\n');
}

/** bots/console.yaml as shipped, with its ERP pointed at the instance. */
function consoleBot(id: string): string {
  const shipped = readFileSync(join(import.meta.dirname, '..', '..', '..', 'bots', 'console.yaml'), 'utf8');
  if (!/^erp: \S+$/m.test(shipped)) throw new Error('bots/console.yaml has no `erp:` line to point at Tryton');
  return shipped.replace(/^erp: \S+$/m, `erp: ${id}`);
}

export async function startTrytonLoop(tdb: TestDb, tryton: TrytonServer, o: LoopOptions): Promise<TrytonLoop> {
  const dir = mkdtempSync(join(tmpdir(), 'aa-tryton-loop-'));
  const erps = join(dir, 'erps');
  const bots = join(dir, 'bots');
  mkdirSync(erps);
  mkdirSync(bots);
  writeFileSync(join(erps, `${o.id}.yaml`), instanceFile(tryton, o));
  writeFileSync(join(bots, 'console.yaml'), consoleBot(o.id));
  const p = envPrefix(o.id);
  const env: Record<string, string> = {
    ...TEST_ENV, ...o.env, ERPS_DIR: erps, BOTS_DIR: bots,
    [`${p}_LOGIN`]: tryton.bot.login, [`${p}_PASSWORD`]: tryton.bot.password, [`${p}_PUSH_SECRET`]: tryton.webhookSecret,
  };
  const admin = new TrytonRpcClient({ url: tryton.url, database: tryton.database, login: tryton.admin.login, password: tryton.admin.password });
  let app: App | undefined;
  try {
    // As start-app.ts does, but with the real listener (app.listen() starts the app, then serves).
    app = await createApp({ config: loadConfig({ ...env, DATABASE_URL: '' }), db: tdb.handle, env });
    const port = await app.listen();
    // The stories' requester, by the name the directory gives them (the claims' `party: "{{requester.name}}"`).
    const requester = await app.db.db.selectFrom('users').select('name').where('tenant_id', '=', 'default').where('id', '=', 'zhangsan').executeTakeFirstOrThrow();
    await ensureParty(admin, requester.name);
    await ensureParty(admin, E2E_SUPPLIER, 'Ningbo');
    const today = calendarDate(new Date());
    await ensureFiscalYear(admin, tryton, today);
    // The year after today too: a run across new year's eve dates its documents in both.
    await ensureFiscalYear(admin, tryton, `${Number(today.slice(0, 4)) + 1}-01-01`);
    const started = app;
    return {
      app: started, cc: new ConsoleClient(started), id: o.id, port, pushUrl: `http://127.0.0.1:${port}/webhooks/erp/${o.id}`, admin,
      close: async () => {
        await started.stop();
        await admin.logout().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await app?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
