import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { Database } from '../db/database.ts';
import { sandboxId } from '../config/erp-instances.ts';
import { createConnectors } from '../erp/connector-kinds.ts';
import { SandboxErpConnector } from '../erp/connectors/sandbox.ts';
import { ErpPushes, type PushInstance } from '../erp/erp-push.ts';
import type { ErpConnector } from '../erp/erp-connector.ts';
import { ErpService, tenantErp } from '../erp/erp-service.ts';
import { ErpOriginated } from '../erp/erp-originated.ts';
import { openFinding } from '../reconciliation/findings-repo.ts';
import { identitiesOf } from '../directory/directory-repo.ts';
import type { ChatTarget } from '../core/inbound-event.ts';
import type { ApprovalService } from '../workflow/approval-service.ts';
import type { IntentVersions } from '../workflow/intent-versions.ts';
import type { Settings } from './wire-config.ts';

export interface ErpDeps {
  db: Kysely<Database>;
  settings: Settings;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  approvals: ApprovalService;
  intents: IntentVersions;
  /** Wraps each connector (tests put an outage in front of the sandbox). */
  wrapErp?: (c: ErpConnector) => ErpConnector;
  /** Runs in the transaction that links a document to its request (the sandbox tells its operators). */
  onDocumentCreated: (tenantId: string, erpDocumentId: string, trx: Transaction<Database>) => Promise<void>;
  kick: () => void;
  /** How often each tenant's sandbox ledger is polled (ERP_POLL_MS); instances have their own interval. */
  sandboxPollMs: number;
  maxAttempts: number;
  /** The fetch real connectors use (tests point it at fakes or break it); default: the global one. */
  fetch?: typeof fetch | undefined;
}

/** A connector whose change feed a poll reads, for one tenant, at its own interval. */
export interface ErpFeed { tenant: string; connector: string; kind: string; pollIntervalMs: number }

/**
 * The ERP connectors and the service over them: one sandbox ledger per tenant (`sandbox`, `sandbox-<tenant>`; a
 * bot's `erp: sandbox` means its own tenant's), and one connector per instance file of ERPS_DIR. Instances with a
 * push secret take pushes at /webhooks/erp/<id>.
 */
export function wireErp(d: ErpDeps): { erp: ErpService; feeds: ErpFeed[]; pushes: ErpPushes; pushInstances: Map<string, PushInstance>; originated: ErpOriginated; originatedFeeds: ErpFeed[] } {
  const { db, clock } = d;
  const { bots, tenants, erps } = d.settings;
  const wrap = d.wrapErp ?? ((c: ErpConnector) => c);
  const connectors = new Map<string, ErpConnector>(tenants.map((t) => [sandboxId(t), wrap(new SandboxErpConnector(sandboxId(t), db, t, clock))]));
  for (const [id, c] of createConnectors(erps, { clock, logger: d.logger, ...(d.fetch ? { fetch: d.fetch } : {}) })) connectors.set(id, wrap(c));
  const connectorNamed = (name: string, tenant: string): string => (name === 'sandbox' ? sandboxId(tenant) : name);
  const botErp = new Map(bots.map((b) => [b.id, connectorNamed(b.erp, b.tenant)]));
  const erp = new ErpService({
    db, connectors, connectorFor: (botId, tenant) => botErp.get(botId) ?? tenantErp(bots, tenant, connectorNamed, (c) => connectors.has(c)), connectorNamed,
    approvals: d.approvals, intents: d.intents, ids: d.ids, clock, logger: d.logger, onDocumentCreated: d.onDocumentCreated, onCommitted: d.kick,
    onDuplicate: async (x) => {
      const isNew = await openFinding(db, { tenantId: x.tenantId, kind: 'duplicate_documents', key: `${x.connector}:${x.externalKey}`, requestId: x.requestId, connector: x.connector,
        erpId: x.other, details: { externalKey: x.externalKey, linked: x.linked, other: x.other, otherNumber: x.otherNumber } }, clock.now(), () => d.ids.uuid());
      if (isNew) d.logger.warn({ ...x }, 'a second ERP document carries the key of a request; reported for reconciliation');
    },
  });
  const feeds: ErpFeed[] = [
    ...tenants.map((t) => ({ tenant: t, connector: sandboxId(t), kind: 'sandbox', pollIntervalMs: d.sandboxPollMs })),
    ...erps.map((e) => ({ tenant: e.tenant, connector: e.id, kind: e.kind, pollIntervalMs: e.pollIntervalMs })),
  ];
  const pushInstances = new Map<string, PushInstance>(erps.flatMap((e) => (e.push ? [[e.id, { id: e.id, tenant: e.tenant, secret: e.push.secret, windowMs: e.push.windowMs }] as const] : [])));
  // Documents made in an ERP come to chat on the mapping's bot, else the tenant's bot for that ERP, else its first bot.
  const originFor = async (tenant: string, connectorId: string, bot: string | undefined, userId: string): Promise<ChatTarget | null> => {
    const enabled = bots.filter((b) => b.tenant === tenant);
    const b = (bot ? enabled.find((x) => x.id === bot) : undefined) ?? enabled.find((x) => connectorNamed(x.erp, tenant) === connectorId) ?? enabled[0];
    if (!b) return null;
    if (b.platform === 'console') return { platform: 'console', botId: b.id, userExternalId: userId };
    const identity = (await identitiesOf(db, tenant, userId)).find((i) => i.platform === b.platform && i.botId === b.id);
    return { platform: b.platform, botId: b.id, ...(identity ? { userExternalId: identity.externalId } : {}) };
  };
  const originated = new ErpOriginated({
    db, connectors, approvals: d.approvals, intents: d.intents, clock, logger: d.logger, originFor, onCommitted: d.kick,
    instances: new Map(erps.filter((e) => e.approvals.length > 0).map((e) => [e.id, { tenant: e.tenant, mappings: e.approvals }])),
  });
  const originatedFeeds: ErpFeed[] = erps.filter((e) => e.approvals.length > 0 && connectors.get(e.id)?.approvals)
    .map((e) => ({ tenant: e.tenant, connector: e.id, kind: e.kind, pollIntervalMs: e.pollIntervalMs }));
  const pushes = new ErpPushes({ db, erp, originated, clock, logger: d.logger, maxAttempts: d.maxAttempts, onCommitted: d.kick });
  return { erp, feeds, pushes, pushInstances, originated, originatedFeeds };
}
