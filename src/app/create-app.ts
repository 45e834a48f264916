import type { Server } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { adminRoutes } from '../admin/admin-routes.ts';
import { directoryAdminRoutes } from '../admin/directory-admin-routes.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { loadBots } from '../config/bot-catalog.ts';
import type { BotConfig } from '../config/bot-schema.ts';
import { readSecret, type AppConfig } from '../config/env.ts';
import { loadIntentCatalog, type IntentCatalog } from '../config/intent-catalog.ts';
import { IntentVersions } from '../workflow/intent-versions.ts';
import { ConversationService } from '../conversation/conversation-service.ts';
import { createResolver } from '../conversation/create-resolver.ts';
import type { IntentResolver } from '../conversation/resolver.ts';
import type { Locale } from '../core/locale.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { randomIds, type IdGenerator } from '../core/ids.ts';
import { createDb, type DbHandle } from '../db/create-db.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { importDirectory, loadDirectoryFile } from '../directory/directory-file.ts';
import { DirectorySync } from '../directory/directory-sync.ts';
import { DirectoryViews } from '../directory/directory-view.ts';
import { SANDBOX_OPERATOR_ROLES, SandboxErpConnector } from '../erp/connectors/sandbox.ts';
import type { ErpConnector } from '../erp/erp-connector.ts';
import { ErpService, tenantErp } from '../erp/erp-service.ts';
import { publishSandboxDoc } from '../actions/sandbox-doc-publish.ts';
import { createHttpApp } from '../http/server.ts';
import { createAccept } from '../inbox/accept-event.ts';
import { cardActionHandler } from '../actions/card-action-handler.ts';
import { clickedCardHold } from '../actions/clicked-card-hold.ts';
import { InboxWorker } from '../inbox/inbox-worker.ts';
import { messageHandler } from '../actions/message-handler.ts';
import { SandboxActions } from '../actions/sandbox-actions.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { TableSizes } from '../observability/table-sizes.ts';
import { cardPutHandler } from '../outbox/handlers/card-put.ts';
import { cardSyncHandler } from '../outbox/handlers/card-sync.ts';
import { erpCreateHandler } from '../outbox/handlers/erp-create.ts';
import { messageSendHandler } from '../outbox/handlers/message-send.ts';
import { JOB_SCHEMAS } from '../jobs/job-kinds.ts';
import * as outboxRepo from '../outbox/outbox-repo.ts';
import { OutboxWorker } from '../outbox/outbox-worker.ts';
import { MessengerRegistry } from '../platforms/messenger-registry.ts';
import type { Receiver } from '../platforms/platform.ts';
import { createPlatforms } from '../platforms/create-platforms.ts';
import { Periodic } from '../scheduler/periodic.ts';
import { retentionTask, TRAFFIC_TABLES } from '../scheduler/retention.ts';
import { ApprovalService } from '../workflow/approval-service.ts';
import { remindOverdue } from '../workflow/sla-reminders.ts';

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
  outbox: OutboxWorker;
  inbox: InboxWorker;
  /** Migrate, import the directory, start receivers and workers (not the HTTP listener). */
  start(): Promise<void>;
  /** Start + listen on config.port; resolves with the bound port. */
  listen(): Promise<number>;
  /** Graceful: stop intake, finish in-flight jobs, close the pool. */
  stop(): Promise<void>;
}

/** /metrics waits at most this long for the table sizes; they keep their last values when the database is slower. */
const TABLE_SIZES_TIMEOUT_MS = 1000;

/** The composition root: the only place that picks concrete adapters. */
export async function createApp(o: AppOptions): Promise<App> {
  const { config } = o;
  const clock = o.clock ?? systemClock;
  const ids = o.ids ?? randomIds;
  const logger = o.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const catalog = loadIntentCatalog(config.intentsDir);
  const bots = loadBots(config.botsDir, catalog).filter((b) => b.enabled);
  const directoryFile = loadDirectoryFile(config.directoryFile);
  const ownDb = !o.db;
  const dbh = o.db ?? (await createDb({
    databaseUrl: config.databaseUrl, poolSize: config.poolSize, dataDir: config.dataDir, timeouts: config.dbTimeouts,
    onConnectionError: (e) => logger.warn({ err: e }, 'database connection dropped; the pool replaces it'),
  }));
  const db = dbh.db;
  const workerId = o.workerId ?? `${process.pid}-${ids.uuid().slice(0, 8)}`;
  const tenants = [...new Set([directoryFile.tenant, ...bots.map((b) => b.tenant)])];
  const botLocale = new Map(bots.map((b) => [b.id, b.locale as Locale]));
  const localeOf = (botId: string): Locale => botLocale.get(botId) ?? 'zh';
  const kick = (): void => outbox.kick();

  const intents = new IntentVersions(db, catalog);
  const directory = new DirectoryViews(db);
  const resolver = o.resolver ?? createResolver({ mode: config.nlu.mode, catalog, openai: config.nlu.openai, logger });
  const approvals = new ApprovalService({ db, clock, ids, directory, timeZone: config.timeZone, maxAttempts: config.workers.maxAttempts, onCommitted: kick, onCommitBatch: (n) => metrics.commitBatch.observe(n) });
  // One sandbox ledger per tenant; a bot's `erp: sandbox` means its own tenant's sandbox.
  const sandboxOf = (tenant: string): string => (tenant === 'default' ? 'sandbox' : `sandbox-${tenant}`);
  const wrapErp = o.wrapErp ?? ((c: ErpConnector) => c);
  const connectors = new Map<string, ErpConnector>(tenants.map((t) => [sandboxOf(t), wrapErp(new SandboxErpConnector(sandboxOf(t), db, t, clock))]));
  const erpFeeds = tenants.map((t) => ({ tenant: t, connector: sandboxOf(t) }));
  const connectorNamed = (name: string, tenant: string): string => (name === 'sandbox' ? sandboxOf(tenant) : name);
  const botErp = new Map(bots.map((b) => [b.id, connectorNamed(b.erp, b.tenant)]));
  const erp = new ErpService({
    db, connectors, connectorFor: (botId, tenant) => botErp.get(botId) ?? tenantErp(bots, tenant, connectorNamed, (c) => connectors.has(c)), connectorNamed, approvals, intents, ids, logger,
    onDocumentCreated: (tenantId, docId, trx) => publishSandboxDoc(trx, directory, SANDBOX_OPERATOR_ROLES, tenantId, docId, config.workers.maxAttempts, localeOf),
    onCommitted: kick,
  });
  const conversation = new ConversationService({ db, catalog, intents, resolver, approvals, directory, clock, ids, logger, timeZone: config.timeZone, maxAttempts: config.workers.maxAttempts, onCommitted: kick });
  const sandbox = new SandboxActions({ db, erp, directory, ids, clock, maxAttempts: config.workers.maxAttempts, onCommitted: kick, operatorRoles: SANDBOX_OPERATOR_ROLES, localeOf });

  const messengers = new MessengerRegistry();
  const platforms = await createPlatforms(bots, { db, clock, ids, logger, fetch: o.fetch, secrets: o.secrets ?? ((name) => readSecret(name)) });
  for (const m of platforms.messengers) messengers.add(m);
  const directorySync = new DirectorySync({ db, logger, bots: platforms.directories, onSynced: (tenantId) => directory.invalidate(tenantId) });

  const delivery = { db, messengers, ids, logger };
  const outbox: OutboxWorker = new OutboxWorker({
    db, logger, workerId, concurrency: config.workers.concurrency, leaseMs: config.workers.leaseMs, timeoutMs: config.workers.jobTimeoutMs,
    pollMs: config.workers.pollMs,
    schemas: JOB_SCHEMAS,
    handlers: {
      'card.sync': cardSyncHandler({ ...delivery, intents, directory, localeOf, timeZone: config.timeZone }),
      'card.put': cardPutHandler(delivery),
      'message.send': messageSendHandler({ db, messengers, intents, localeOf }),
      'erp.create': erpCreateHandler(erp),
    },
    onJobDone: (kind, outcome, ms) => { metrics.jobs.inc({ kind, outcome }); metrics.jobDuration.observe({ kind }, ms / 1000); },
    // An ERP document that could not be created shows as failed on the cards until the job is replayed.
    onDeadLetter: async (job, error) => {
      if (job.kind !== 'erp.create') return;
      await approvals.erpEvent(job.tenantId, job.payload.requestId, { type: 'erp_failed', reason: error });
    },
  });
  const inbox: InboxWorker = new InboxWorker({
    db, logger, workerId, concurrency: config.workers.concurrency, pollMs: config.workers.pollMs, maxAttempts: 5,
    handle: messageHandler({ db, conversation, clock, localeOf, maxAttempts: config.workers.maxAttempts }),
  });
  const accept = createAccept({
    db, onStored: () => inbox.kick(),
    // Feishu clicks: what they act on comes from the stored card, and the clicked card is PATCHed after the answer.
    onCardAction: clickedCardHold({ db, ids, platforms: new Set(['feishu']) }, cardActionHandler({ db, approvals, conversation, sandbox, directory, clock, localeOf })),
    onEvent: (e, outcome) => metrics.inboundEvents.inc({ platform: e.platform, outcome }),
  });
  const erpPoll = new Periodic('erp-poll', config.workers.erpPollMs, async () => {
    for (const f of erpFeeds) await erp.syncConnector(f.tenant, f.connector);
  }, logger);
  // Tables that grow with traffic are purged past their retention (config.retention); business records are kept.
  const retention = new Periodic('retention', config.retention.intervalMs, retentionTask({ db, clock, cfg: config.retention, logger, vacuum: dbh.kind === 'pglite' }), logger);
  const tableSizes = new TableSizes(db, TRAFFIC_TABLES, metrics.tableRows, TABLE_SIZES_TIMEOUT_MS, (e) => logger.warn({ err: e }, 'table sizes unavailable for /metrics'));
  const sla = new Periodic('sla-reminders', config.workers.slaCheckMs, async () => { await remindOverdue(db, catalog, approvals, clock.now()); }, logger);

  const consoleTenant = bots.find((b) => b.platform === 'console')?.tenant ?? tenants[0] ?? 'default';
  let accepting = false;
  let server: ServerType | null = null;
  const http = createHttpApp({
    logger, metrics, apiToken: config.consoleToken,
    ready: async () => accepting && (await sql`select 1`.execute(db).then(() => true, () => false)),
    // The database being down is when metrics matter most: the depth and size gauges keep their last values.
    beforeScrape: async () => {
      const sizes = tableSizes.refresh();
      try {
        const depth = await outboxRepo.depth(db);
        for (const s of ['pending', 'running', 'dead']) metrics.outboxDepth.set({ status: s }, depth[s] ?? 0);
      } catch (e: unknown) {
        logger.warn({ err: e }, 'outbox depth unavailable for /metrics');
      }
      await sizes;
    },
    mounts: [...platforms.mounts, { path: '/admin', app: adminRoutes(db, kick) }, { path: '/admin', app: directoryAdminRoutes(directorySync) }],
    onRejected: async (r) => {
      await appendAudit(db, { tenantId: consoleTenant, at: clock.now(), actor: 'anonymous', action: 'inbound.rejected', source: 'api',
        subjectType: 'endpoint', subjectId: r.path, meta: { status: r.status, code: r.code } });
    },
  });

  const receivers: Receiver[] = platforms.receivers;
  const app: App = {
    config, http, db: dbh, logger, metrics, catalog, bots, approvals, directory, erp, outbox, inbox,
    async start() {
      await migrateToLatest(db);
      await importDirectory(db, directoryFile, bots.filter((b) => b.platform === 'console').map((b) => b.id));
      for (const t of tenants) await intents.sync(t);
      for (const r of receivers) await r.start(accept);
      accepting = true;
      outbox.start();
      inbox.start();
      erpPoll.start();
      sla.start();
      retention.start();
      directorySync.start();
    },
    async listen() {
      await app.start();
      return new Promise<number>((resolve) => {
        server = serve({ fetch: http.fetch, port: config.port, hostname: config.host }, (info) => resolve(info.port));
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
      await Promise.all([closing, erpPoll.stop(), sla.stop(), retention.stop(), directorySync.stop(), inbox.stop(), outbox.stop()]);
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
