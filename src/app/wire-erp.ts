import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { Database } from '../db/database.ts';
import { SandboxErpConnector } from '../erp/connectors/sandbox.ts';
import type { ErpConnector } from '../erp/erp-connector.ts';
import { ErpService, tenantErp } from '../erp/erp-service.ts';
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
}

/** A connector whose change feed the ERP poll reads, for one tenant. */
export interface ErpFeed { tenant: string; connector: string }

/**
 * The ERP connectors and the service over them. One sandbox ledger per tenant (`sandbox`, `sandbox-<tenant>`);
 * a bot's `erp: sandbox` means its own tenant's sandbox.
 */
export function wireErp(d: ErpDeps): { erp: ErpService; feeds: ErpFeed[] } {
  const { db, clock } = d;
  const { bots, tenants } = d.settings;
  const sandboxOf = (tenant: string): string => (tenant === 'default' ? 'sandbox' : `sandbox-${tenant}`);
  const wrap = d.wrapErp ?? ((c: ErpConnector) => c);
  const connectors = new Map<string, ErpConnector>(tenants.map((t) => [sandboxOf(t), wrap(new SandboxErpConnector(sandboxOf(t), db, t, clock))]));
  const connectorNamed = (name: string, tenant: string): string => (name === 'sandbox' ? sandboxOf(tenant) : name);
  const botErp = new Map(bots.map((b) => [b.id, connectorNamed(b.erp, b.tenant)]));
  const erp = new ErpService({
    db, connectors, connectorFor: (botId, tenant) => botErp.get(botId) ?? tenantErp(bots, tenant, connectorNamed, (c) => connectors.has(c)), connectorNamed,
    approvals: d.approvals, intents: d.intents, ids: d.ids, logger: d.logger, onDocumentCreated: d.onDocumentCreated, onCommitted: d.kick,
  });
  return { erp, feeds: tenants.map((t) => ({ tenant: t, connector: sandboxOf(t) })) };
}
