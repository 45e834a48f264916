import type { Server } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { publishSandboxDoc } from '../actions/sandbox-doc-publish.ts';
import { SandboxActions } from '../actions/sandbox-actions.ts';
import type { BotConfig } from '../config/bot-schema.ts';
import { processEnv, readSecret, type AppConfig } from '../config/env.ts';
import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { IntentResolver } from '../conversation/resolver.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { randomIds, type IdGenerator } from '../core/ids.ts';
import type { DbHandle } from '../db/create-db.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { importDirectory } from '../directory/directory-file.ts';
import type { DirectoryViews } from '../directory/directory-view.ts';
import { SANDBOX_OPERATOR_ROLES } from '../erp/connectors/sandbox.ts';
import type { ErpConnector } from '../erp/erp-connector.ts';
import type { ErpService } from '../erp/erp-service.ts';
import type { InboxWorker } from '../inbox/inbox-worker.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import type { OutboxWorker } from '../outbox/outbox-worker.ts';
import { sendDigests } from '../reconciliation/digest.ts';
import { runReconciliation } from '../reconciliation/reconcile.ts';
import type { ApprovalService } from '../workflow/approval-service.ts';
import { loadSettings } from './wire-config.ts';
import { openDatabase } from './wire-db.ts';
import { wireAudit } from './wire-audit.ts';
import { wireErp } from './wire-erp.ts';
import type { ErpOriginated } from '../erp/erp-originated.ts';
import { wireHttp } from './wire-http.ts';
import { wireIdentity } from './wire-identity.ts';
import { wireSignIn } from './wire-sign-in.ts';
import { wirePeriodic } from './wire-periodic.ts';
import { wireMasterSync, type MasterSyncRun } from './wire-master-data.ts';
import { wirePlatforms } from './wire-platforms.ts';
import { wireServices } from './wire-services.ts';
import { wireInbox, wireOutbox } from './wire-workers.ts';

export interface AppOptions {
  config: AppConfig;
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** Reuse an open database (tests; several app instances on one PGlite). */
  db?: DbHandle;
  resolver?: IntentResolver;
  fetch?: typeof fetch;
  /** Wraps each ERP connector (tests put an outage in front of the sandbox; deployments add tracing). */
  wrapErp?: (c: ErpConnector) => ErpConnector;
  workerId?: string;
  /** Bot secrets by environment variable NAME (tests inject values); defaults to config/env.ts readSecret. */
  secrets?: (name: string) => string | undefined;
  /** Where ERP instance files' credential and push-secret variables are read (default: the process environment). */
  env?: Record<string, string | undefined>;
  /** The fetch ERP connectors use (tests break or record it); default: the global one. */
  erpFetch?: typeof fetch;
}

export interface App {
  config: AppConfig;
  http: Hono;
  db: DbHandle;
  logger: Logger;
  metrics: Metrics;
  catalog: IntentCatalog;
  bots: BotConfig[];
  approvals: ApprovalService;
  /** Cached directory views (route resolution, names on cards); directory syncs invalidate them. */
  directory: DirectoryViews;
  erp: ErpService;
  /** Documents made in an ERP that are approved in chat (polled by the timers; tests call syncConnector). */
  originated: ErpOriginated;
  /** Syncs an instance's master data now (the timers do it at `master_data.interval_seconds`). */
  syncMasterData: MasterSyncRun;
  outbox: OutboxWorker;
  inbox: InboxWorker;
  /** Migrate, import the directory, start receivers and workers (not the HTTP listener). */
  start(): Promise<void>;
  /** Start + listen on config.port; resolves with the bound port. */
  listen(): Promise<number>;
  /** Graceful: stop intake, finish in-flight jobs, close the pool. */
  stop(): Promise<void>;
}

/**
 * The composition root: the only place that picks concrete adapters. Each wire-*.ts step builds one part from
 * what the steps before it made: settings, database, services, ERP, platforms, workers, timers, HTTP.
 */
export async function createApp(o: AppOptions): Promise<App> {
  const { config } = o;
  const clock = o.clock ?? systemClock;
  const ids = o.ids ?? randomIds;
  const logger = o.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const settings = loadSettings(config, o.env ?? processEnv());
  const { catalog, bots, directoryFile, tenants, localeOf } = settings;
  const { dbh, ownDb } = await openDatabase(config, logger, o.db);
  const db = dbh.db;
  const workerId = o.workerId ?? `${process.pid}-${ids.uuid().slice(0, 8)}`;
  const kick = (): void => outbox.kick();

  const { intents, directory, approvals, conversation } = wireServices({ db, config, settings, clock, ids, logger, metrics, resolver: o.resolver, kick });
  const { erp, feeds, pushes, pushInstances, originated, originatedFeeds } = wireErp({
    db, settings, clock, ids, logger, approvals, intents, wrapErp: o.wrapErp, kick, fetch: o.erpFetch,
    sandboxPollMs: config.workers.erpPollMs, maxAttempts: config.workers.maxAttempts,
    onDocumentCreated: (tenantId, docId, trx) => publishSandboxDoc(trx, directory, SANDBOX_OPERATOR_ROLES, tenantId, docId, config.workers.maxAttempts, localeOf),
  });
  const sandbox = new SandboxActions({ db, erp, directory, ids, clock, maxAttempts: config.workers.maxAttempts, onCommitted: kick, operatorRoles: SANDBOX_OPERATOR_ROLES, localeOf });
  const { platforms, messengers, directorySync } = await wirePlatforms(bots, { db, clock, ids, logger, fetch: o.fetch, secrets: o.secrets ?? ((name) => readSecret(name)), directory });

  const workers = { db, config, logger, metrics, workerId, ids, directory, approvals, localeOf };
  const outbox = wireOutbox({ ...workers, messengers, intents, erp, pushes, originated });
  const { inbox, accept } = wireInbox({ ...workers, clock, conversation, sandbox });
  const reconcileDeps = { db, clock, ids, thresholds: config.reconcile, bots, timeZone: config.timeZone, maxAttempts: config.workers.maxAttempts, onCommitted: kick };
  const reconcile = (tenantId: string) => runReconciliation(reconcileDeps, tenantId);
  const master = wireMasterSync({ db, settings, erp, clock, ids, logger, onRenamed: async (t) => { await sendDigests(reconcileDeps, t); } });
  const audit = wireAudit({ db, config, clock, logger, tenant: settings.consoleTenant, fetch: o.fetch });
  const timers = [
    ...wirePeriodic({ dbh, config, clock, logger, catalog, approvals, erp, feeds, originated, originatedFeeds, tenants, reconcile, auditCheckpoint: audit.checkpoint }),
    ...master.timers,
  ];

  let accepting = false;
  let server: ServerType | null = null;
  const signIn = wireSignIn({ db, config, bots, clock, logger, secrets: o.secrets ?? ((name) => readSecret(name)), fetch: o.fetch });
  const identity = wireIdentity({
    db, config, clock, logger, tenant: settings.consoleTenant, locale: bots.find((b) => b.platform === 'console')?.locale ?? 'zh',
    signIn: { links: () => signIn.links(), configured: signIn.configured }, consolePaths: platforms.mounts.filter((m) => m.path.startsWith('/console')).map((m) => m.path),
  });
  const http = wireHttp({
    db, config, catalog, clock, logger, metrics, mounts: [...identity.mounts, ...platforms.mounts, signIn.mount], directorySync, consoleTenant: settings.consoleTenant, accepting: () => accepting, kick,
    erp: { feeds, pushes, pushInstances }, reconcile: { tenants, run: reconcile }, audit,
  });

  const { receivers } = platforms;
  const app: App = {
    config, http, db: dbh, logger, metrics, catalog, bots, approvals, directory, erp, originated, syncMasterData: master.sync, outbox, inbox,
    async start() {
      await migrateToLatest(db);
      await importDirectory(db, directoryFile, bots.filter((b) => b.platform === 'console').map((b) => b.id));
      for (const t of tenants) await intents.sync(t);
      for (const r of receivers) await r.start(accept);
      accepting = true;
      outbox.start();
      inbox.start();
      for (const p of timers) p.start();
      directorySync.start();
    },
    async listen() {
      await app.start();
      return new Promise<number>((resolve) => {
        server = serve({ fetch: http.fetch, port: config.port, hostname: config.host }, (info) => resolve(info.port));
      }).then(async (port) => {
        await identity.announce(port);
        return port;
      });
    },
    /**
     * Graceful shutdown: stop intake (receivers; console long-polls answer at once), then, side by side,
     * let in-flight HTTP requests and jobs finish. Idle keep-alive connections close now; connections
     * still open after HTTP_DRAIN_MS are closed. Then the pool.
     */
    async stop() {
      accepting = false;
      await Promise.allSettled(receivers.map((r) => r.stop()));
      const closing = server ? closeServer(server as Server, HTTP_DRAIN_MS) : Promise.resolve();
      await Promise.all([closing, ...timers.map((p) => p.stop()), directorySync.stop(), inbox.stop(), outbox.stop()]);
      if (ownDb) await dbh.close();
    },
  };
  return app;
}

/** Requests still open this long into a shutdown are cut (the grace period is for jobs, not for clients). */
const HTTP_DRAIN_MS = 3000;

/** Stops listening; keep-alive connections close as soon as they are idle (checked every 50 ms), the rest after `drainMs`. */
function closeServer(server: Server, drainMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const cut = setTimeout(() => server.closeAllConnections(), drainMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
