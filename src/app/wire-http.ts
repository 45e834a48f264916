import type { Hono } from 'hono';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { adminRoutes } from '../admin/admin-routes.ts';
import { auditAdminRoutes } from '../admin/audit-admin-routes.ts';
import { cycleTimeRoutes } from '../admin/cycle-time-routes.ts';
import { directoryAdminRoutes } from '../admin/directory-admin-routes.ts';
import { erpAdminRoutes } from '../admin/erp-admin-routes.ts';
import { reconciliationAdminRoutes, type ReconciliationAdminDeps } from '../admin/reconciliation-routes.ts';
import { connectorHealth } from '../erp/erp-health.ts';
import type { ErpPushes, PushInstance } from '../erp/erp-push.ts';
import { erpPushRoutes } from '../erp/erp-push-route.ts';
import type { AuditWiring } from './wire-audit.ts';
import type { ErpFeed } from './wire-erp.ts';
import type { AppConfig } from '../config/env.ts';
import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/database.ts';
import type { DirectorySync } from '../directory/directory-sync.ts';
import { createHttpApp } from '../http/server.ts';
import type { Metrics } from '../observability/metrics.ts';
import { TableSizes } from '../observability/table-sizes.ts';
import * as outboxRepo from '../outbox/outbox-repo.ts';
import type { Platforms } from '../platforms/create-platforms.ts';
import { TRAFFIC_TABLES } from '../scheduler/retention.ts';

/** /metrics waits at most this long for the table sizes; they keep their last values when the database is slower. */
const TABLE_SIZES_TIMEOUT_MS = 1000;

export interface HttpWiringDeps {
  db: Kysely<Database>;
  config: AppConfig;
  /** The intents (their SLAs, for the cycle-time report). */
  catalog: IntentCatalog;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** The platforms' mounts (console, webhooks). */
  mounts: Platforms['mounts'];
  directorySync: DirectorySync;
  /** Where rejected requests are audited. */
  consoleTenant: string;
  /** Ready only while the app takes events (between start and stop). */
  accepting: () => boolean;
  kick: () => void;
  erp: { feeds: ErpFeed[]; pushes: ErpPushes; pushInstances: Map<string, PushInstance> };
  /** Refusal counting, the failed-auth limit and audit verification (wire-audit.ts). */
  audit: Pick<AuditWiring, 'refusals' | 'authLimit' | 'verify'>;
  /** The tenants and reconciliation's run, for its admin API. */
  reconcile: Pick<ReconciliationAdminDeps, 'tenants' | 'run'>;
}

/** The HTTP app: health and readiness, /metrics, the platforms' mounts and /admin. */
export function wireHttp(d: HttpWiringDeps): Hono {
  const { db, logger, metrics } = d;
  const tableSizes = new TableSizes(db, TRAFFIC_TABLES, metrics.tableRows, TABLE_SIZES_TIMEOUT_MS, (e) => logger.warn({ err: e }, 'table sizes unavailable for /metrics'));
  return createHttpApp({
    logger, metrics,
    trustedOrigins: [...(d.config.publicUrl ? [new URL(d.config.publicUrl).origin] : []), ...d.config.trustedOrigins],
    ready: async () => d.accepting() && (await sql`select 1`.execute(db).then(() => true, () => false)),
    // The database being down is when metrics matter most: the depth and size gauges keep their last values.
    beforeScrape: async () => {
      const sizes = tableSizes.refresh();
      try {
        const depth = await outboxRepo.depth(db);
        for (const s of ['pending', 'running', 'dead']) metrics.outboxDepth.set({ status: s }, depth[s] ?? 0);
      } catch (e: unknown) {
        logger.warn({ err: e }, 'outbox depth unavailable for /metrics');
      }
      try {
        for (const h of await connectorHealth(db, d.erp.feeds, d.clock.now())) {
          const labels = { connector: h.connector, kind: h.kind };
          metrics.erpLastSuccess.set(labels, h.lastSuccessAt ? Date.parse(h.lastSuccessAt) / 1000 : 0);
          if (h.lagSeconds !== null) metrics.erpLag.set(labels, h.lagSeconds);
          metrics.erpFailing.set(labels, h.lastErrorAt && (!h.lastSuccessAt || h.lastErrorAt > h.lastSuccessAt) ? 1 : 0);
          metrics.erpPending.set(labels, h.documentsPending);
        }
      } catch (e: unknown) {
        logger.warn({ err: e }, 'ERP connector health unavailable for /metrics');
      }
      await sizes;
    },
    mounts: [
      ...d.mounts,
      // A refused push is counted with every other refusal (its answer's code, by source and minute), not a row each.
      { path: '/webhooks/erp', app: erpPushRoutes({ instances: d.erp.pushInstances, pushes: d.erp.pushes, clock: d.clock, logger, onRefused: async (r) => {
        metrics.erpPushes.inc({ connector: d.erp.pushInstances.has(r.instance) ? r.instance : '(unknown)', outcome: r.code });
      }, onAccepted: (instance) => metrics.erpPushes.inc({ connector: instance, outcome: 'accepted' }) }) },
      { path: '/admin', app: auditAdminRoutes(d.audit.verify) }, { path: '/admin', app: adminRoutes(db, d.kick) }, { path: '/admin', app: directoryAdminRoutes(d.directorySync) },
      { path: '/admin', app: erpAdminRoutes(db, d.erp.feeds, d.clock) },
      { path: '/admin', app: reconciliationAdminRoutes({ db, clock: d.clock, ...d.reconcile }) },
      { path: '/admin', app: cycleTimeRoutes({ db, catalog: d.catalog, clock: d.clock, timeZone: d.config.timeZone }) },
    ],
    // Refusals are counted per source, reason and minute (not a row each); failed authentications are limited per source.
    refusals: d.audit.refusals, authLimit: d.audit.authLimit,
  });
}
