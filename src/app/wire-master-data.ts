import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { sandboxId } from '../config/erp-instances.ts';
import type { IntentDefinition } from '../config/intent-schema.ts';
import type { MasterLookup } from '../conversation/master-fields.ts';
import type { Clock } from '../core/clock.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { Database } from '../db/database.ts';
import type { ErpService } from '../erp/erp-service.ts';
import { MasterSync, type KindCounts } from '../erp/master-sync.ts';
import type { MasterKind } from '../core/master-kinds.ts';
import type { Localized } from '../i18n/catalog.ts';
import { unlinkedRequester } from '../master-data/person-check.ts';
import { listRecords } from '../master-data/records-repo.ts';
import { openFinding } from '../reconciliation/findings-repo.ts';
import { Periodic } from '../scheduler/periodic.ts';
import type { Settings } from './wire-config.ts';

/** Records a form field offers at most (matching in chat scans them in memory; the card shows the first 100). */
const FIELD_RECORDS = 5000;

/**
 * Which ERP instance a request of a bot goes to: the intent's `erp.connector`, else the bot's ERP (`sandbox` is the
 * tenant's own ledger); a field's `source.connector` wins for that field's records.
 */
function connectorOf(settings: Settings, tenantId: string, botId: string, intent: IntentDefinition, override?: string): string {
  const name = override ?? intent.erp?.connector ?? settings.bots.find((b) => b.id === botId)?.erp ?? 'sandbox';
  return name === 'sandbox' ? sandboxId(tenantId) : name;
}

/** What the chat dialog asks of master data: a field's records, and whether the requester is known to the ERP. */
export function masterLookups(settings: Settings): {
  master: MasterLookup;
  erpPersonCheck: (db: Transaction<Database>, tenantId: string, botId: string, intent: IntentDefinition, requesterId: string) => Promise<Localized | null>;
} {
  return {
    master: async (db, tenantId, botId, intent, field, opts) => {
      if (!field.source) return [];
      const connector = connectorOf(settings, tenantId, botId, intent, field.source.connector);
      return listRecords(db, tenantId, field.source.master, { connector, activeOnly: true, limit: Math.min(opts?.limit ?? FIELD_RECORDS, FIELD_RECORDS) });
    },
    erpPersonCheck: async (db, tenantId, botId, intent, requesterId) => {
      if (!intent.erp) return null;
      return unlinkedRequester(db, tenantId, connectorOf(settings, tenantId, botId, intent), intent, requesterId);
    },
  };
}

export interface MasterSyncWiring {
  db: Kysely<Database>; settings: Settings; erp: ErpService; clock: Clock; ids: IdGenerator; logger: Logger;
  /** After a sync that found renames: tells the tenant's admins now (the drift digest) rather than at the next hourly run. */
  onRenamed?: (tenantId: string) => Promise<void>;
}

/** One sync of an instance's master data; a rename found sends the drift digest right after. */
export type MasterSyncRun = (tenantId: string, connectorId: string) => Promise<Partial<Record<MasterKind, KindCounts>>>;

/**
 * The master-data sync: one timer per instance with a `master_data` block, at its `interval_seconds`. A rename in
 * the ERP opens a `drift.renamed` finding in the page's transaction.
 */
export function wireMasterSync(d: MasterSyncWiring): { sync: MasterSyncRun; timers: Periodic[] } {
  const kinds = new Map(d.settings.erps.map((e) => [e.id, e.masterData?.kinds ?? null]));
  const masterSync = new MasterSync({
    db: d.db, connector: (id) => d.erp.connector(id), kindsOf: (id) => kinds.get(id) ?? null, clock: d.clock, logger: d.logger,
    onDrift: async (f, trx) => { await openFinding(trx, f, d.clock.now(), () => d.ids.uuid()); },
  });
  const sync: MasterSyncRun = async (tenantId, connectorId) => {
    const counts = await masterSync.syncConnector(tenantId, connectorId);
    if (Object.values(counts).some((c) => (c?.renamed ?? 0) > 0)) await d.onRenamed?.(tenantId);
    return counts;
  };
  const timers = d.settings.erps.flatMap((e) => (e.masterData
    ? [new Periodic(`master-sync:${e.id}`, e.masterData.intervalMs, async () => { await sync(e.tenant, e.id); }, d.logger)]
    : []));
  return { sync, timers };
}
