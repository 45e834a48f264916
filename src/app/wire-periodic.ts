import type { Logger } from 'pino';
import type { AppConfig } from '../config/env.ts';
import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { Clock } from '../core/clock.ts';
import type { DbHandle } from '../db/create-db.ts';
import type { ErpService } from '../erp/erp-service.ts';
import type { ErpOriginated } from '../erp/erp-originated.ts';
import { Periodic } from '../scheduler/periodic.ts';
import { pruneIdentity } from '../identity/prune.ts';
import { retentionTask } from '../scheduler/retention.ts';
import type { ApprovalService } from '../workflow/approval-service.ts';
import { remindOverdue } from '../workflow/sla-reminders.ts';
import type { ErpFeed } from './wire-erp.ts';

export interface PeriodicDeps {
  dbh: DbHandle;
  config: AppConfig;
  clock: Clock;
  logger: Logger;
  catalog: IntentCatalog;
  approvals: ApprovalService;
  erp: ErpService;
  feeds: ErpFeed[];
  originated: ErpOriginated;
  /** Instances whose documents made in the ERP come to chat for approval (their `approvals`). */
  originatedFeeds: ErpFeed[];
  /** Every tenant, and reconciliation over one (checks, then the digests). */
  tenants: string[];
  reconcile: (tenantId: string) => Promise<unknown>;
  /** Refusal summaries, chain heads signed and checkpointed (wire-audit.ts). */
  auditCheckpoint: () => Promise<void>;
}

/** The timers, in start order: one ERP status poll per connector (each at its interval), SLA reminders, retention, reconciliation, audit checkpoints. */
export function wirePeriodic(d: PeriodicDeps): Periodic[] {
  const { config, clock, logger, erp } = d;
  const db = d.dbh.db;
  // One timer each: an ERP that is down or slow holds up its own poll only.
  const polls = d.feeds.map((f) => new Periodic(`erp-poll:${f.connector}`, f.pollIntervalMs, async () => { await erp.syncConnector(f.tenant, f.connector); }, logger));
  const originated = d.originatedFeeds.map((f) => new Periodic(`erp-originated:${f.connector}`, f.pollIntervalMs, async () => { await d.originated.syncConnector(f.tenant, f.connector); }, logger));
  const sla = new Periodic('sla-reminders', config.workers.slaCheckMs, async () => { await remindOverdue(db, d.catalog, d.approvals, clock.now()); }, logger);
  // Tables that grow with traffic are purged past their retention (config.retention); business records are kept.
  // Ended sessions and spent sign-in states go with them (src/identity/prune.ts).
  const purge = retentionTask({ db, clock, cfg: config.retention, logger, vacuum: d.dbh.kind === 'pglite' });
  const retention = new Periodic('retention', config.retention.intervalMs, async () => {
    await purge();
    const pruned = await pruneIdentity(db, clock.now());
    if (pruned.sessions + pruned.states > 0) logger.info(pruned, 'retention: ended sessions and spent sign-in states deleted');
  }, logger);
  // Tenant by tenant: one tenant's failure is logged and the others still run.
  const reconcile = new Periodic('reconcile', config.reconcile.intervalMs, async () => {
    for (const t of d.tenants) await d.reconcile(t).catch((e: unknown) => logger.warn({ err: e, tenant: t }, 'reconciliation failed'));
  }, logger);
  const audit = new Periodic('audit-checkpoint', config.audit.checkpointMs, d.auditCheckpoint, logger);
  return [...polls, ...originated, sla, retention, reconcile, audit];
}
