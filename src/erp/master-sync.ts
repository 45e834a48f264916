import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { MASTER_KINDS, type MasterKind } from '../core/master-kinds.ts';
import type { Database } from '../db/database.ts';
import { linkPerson } from '../master-data/person-links.ts';
import { upsertRecords, type RecordChange } from '../master-data/records-repo.ts';
import type { ErpConnector } from './erp-connector.ts';
import type { MasterRecord } from './master-data-port.ts';

/**
 * A record renamed in the ERP, as a reconciliation finding (src/reconciliation/findings-repo.ts, kind
 * `drift.renamed`; that layer sits above this one, so the app passes the callback that opens it).
 */
export interface DriftFinding {
  tenantId: string;
  kind: 'drift.renamed';
  /** `<connector>:<kind>:<erpId>`: a second rename of the same record refreshes the open finding. */
  key: string;
  connector: string;
  erpId: string;
  details: { masterKind: MasterKind; oldName: string; newName: string; code: string | null };
}

export interface MasterSyncDeps {
  db: Kysely<Database>;
  /** The connector of an instance id (throws for an unknown one). */
  connector: (id: string) => ErpConnector;
  /** The kinds the instance file asks for (`master_data.kinds`); null = all the connector shares. */
  kindsOf: (connectorId: string) => MasterKind[] | null;
  clock: Clock;
  logger: Logger;
  /** Runs in the transaction of the page that found the rename. */
  onDrift?: (f: DriftFinding, trx: Transaction<Database>) => Promise<void>;
}

export interface KindCounts { new: number; renamed: number; deactivated: number; changed: number; unchanged: number; linked: number }

/** Where a kind's cursor and health live in erp_sync_cursors (next to the instance's document feed). */
export function masterCursorKey(connectorId: string, kind: MasterKind): string {
  return `${connectorId}#master:${kind}`;
}

/**
 * Copies an ERP instance's master data into erp_master_records, each kind from its own cursor: a page at a time,
 * each page in one transaction with its cursor, so a sync that fails part way resumes after the last page it
 * finished. Renames open a drift finding; employees are linked to directory people (person-links.ts).
 */
export class MasterSync {
  constructor(private readonly d: MasterSyncDeps) {}

  async syncConnector(tenantId: string, connectorId: string, opts: { maxPages?: number; pageSize?: number } = {}): Promise<Partial<Record<MasterKind, KindCounts>>> {
    const source = this.d.connector(connectorId).masterData;
    if (!source) return {};
    const wanted = this.d.kindsOf(connectorId);
    // An ERP that says at run time what it shares (a REST adapter) is asked first, so `kinds()` is exact.
    if (source.refreshKinds) await source.refreshKinds();
    const kinds = source.kinds().filter((k) => MASTER_KINDS.includes(k) && (!wanted || wanted.includes(k)));
    const out: Partial<Record<MasterKind, KindCounts>> = {};
    let failure: unknown = null;
    // One kind failing (a permission the ERP user lacks, say) does not hold up the others; the sync still fails.
    for (const kind of kinds) {
      try {
        out[kind] = await this.syncKind(tenantId, connectorId, kind, opts);
      } catch (e: unknown) {
        this.d.logger.warn({ err: e, connector: connectorId, kind }, 'master-data sync of one kind failed');
        failure ??= e;
      }
    }
    if (failure) throw failure;
    return out;
  }

  private async syncKind(tenantId: string, connectorId: string, kind: MasterKind, opts: { maxPages?: number; pageSize?: number }): Promise<KindCounts> {
    const source = this.d.connector(connectorId).masterData!;
    const key = masterCursorKey(connectorId, kind);
    const started = this.d.clock.now();
    const row = await this.d.db.selectFrom('erp_sync_cursors').select('cursor').where('tenant_id', '=', tenantId).where('connector', '=', key).executeTakeFirst();
    let cursor = row?.cursor ?? null;
    const counts: KindCounts = { new: 0, renamed: 0, deactivated: 0, changed: 0, unchanged: 0, linked: 0 };
    try {
      for (let page = 0; page < (opts.maxPages ?? 50); page++) {
        const res = await source.listMaster(kind, cursor, { limit: opts.pageSize ?? 100 });
        const wrongKind = res.records.find((r) => r.kind !== kind);
        if (wrongKind) throw new Error(`${connectorId} answered a ${kind} page with a ${wrongKind.kind} record (${wrongKind.erpId})`);
        const advanced = res.nextCursor !== cursor;
        cursor = res.nextCursor;
        await this.d.db.transaction().execute(async (trx) => {
          const changes = await upsertRecords(trx, tenantId, connectorId, res.records.map(toRow), this.d.clock.now());
          for (const c of changes) counts[c.change]++;
          for (const c of changes) if (c.change === 'renamed') await this.drift(trx, tenantId, connectorId, c, res.records);
          if (kind === 'employee') counts.linked += await this.linkPeople(trx, tenantId, connectorId, res.records);
          await saveCursor(trx, tenantId, key, { cursor, last_attempt_at: started }, this.d.clock.now());
        });
        if (!res.hasMore || !advanced) break;
      }
    } catch (e: unknown) {
      const message = e instanceof Error ? e.message : String(e);
      await saveCursor(this.d.db, tenantId, key, { last_attempt_at: started, last_error: message.slice(0, 2000), last_error_at: this.d.clock.now() }, this.d.clock.now());
      throw e;
    }
    await saveCursor(this.d.db, tenantId, key, { cursor, last_attempt_at: started, last_success_at: this.d.clock.now() }, this.d.clock.now());
    return counts;
  }

  private async drift(trx: Transaction<Database>, tenantId: string, connector: string, c: Extract<RecordChange, { change: 'renamed' }>, page: MasterRecord[]): Promise<void> {
    this.d.logger.info({ connector, kind: c.kind, erpId: c.erpId, from: c.from, to: c.to }, 'master record renamed in the ERP');
    const code = page.find((r) => r.erpId === c.erpId)?.code ?? null;
    await this.d.onDrift?.({
      tenantId, kind: 'drift.renamed', key: `${connector}:${c.kind}:${c.erpId}`, connector, erpId: c.erpId,
      details: { masterKind: c.kind, oldName: c.from, newName: c.to, code },
    }, trx);
  }

  /**
   * Links the page's active employees to directory people: by email, then by code (the directory id, which
   * directory files and platforms often take from the employee number), then by a name only one active person and
   * one active ERP employee have. An ERP person already linked, or a person already linked (by hand or by an
   * earlier match), is left alone: a sync never moves a link.
   */
  private async linkPeople(trx: Transaction<Database>, tenantId: string, connector: string, records: MasterRecord[]): Promise<number> {
    const active = records.filter((r) => r.active);
    if (active.length === 0) return 0;
    const taken = await trx.selectFrom('erp_person_links').select(['erp_id', 'user_id']).where('connector', '=', connector).where('tenant_id', '=', tenantId).execute();
    const linkedErp = new Set(taken.map((t) => t.erp_id));
    const linkedUser = new Set(taken.map((t) => t.user_id));
    let linked = 0;
    for (const r of active) {
      if (linkedErp.has(r.erpId)) continue;
      const match = await this.personFor(trx, tenantId, connector, r);
      if (!match || linkedUser.has(match.userId)) continue;
      await linkPerson(trx, { tenantId, connector, userId: match.userId, erpId: r.erpId, matchedBy: match.by }, this.d.clock.now());
      linkedErp.add(r.erpId);
      linkedUser.add(match.userId);
      linked++;
    }
    return linked;
  }

  private async personFor(trx: Transaction<Database>, tenantId: string, connector: string, r: MasterRecord): Promise<{ userId: string; by: 'email' | 'code' | 'name' } | null> {
    const users = trx.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where('active', '=', true);
    const email = r.attrs?.['email']?.trim().toLowerCase();
    if (email) {
      const byEmail = await users.where((eb) => eb(eb.fn('lower', ['email']), '=', email)).limit(2).execute();
      if (byEmail.length === 1) return { userId: byEmail[0]!.id, by: 'email' };
    }
    if (r.code?.trim()) {
      const byCode = await users.where('id', '=', r.code.trim()).execute();
      if (byCode.length === 1) return { userId: byCode[0]!.id, by: 'code' };
    }
    const name = r.name.trim();
    const byName = await users.where('name', '=', name).limit(2).execute();
    if (byName.length !== 1) return null;
    // The name must be unique on the ERP side too: two 张伟 there cannot be told apart by name.
    const namesakes = await trx.selectFrom('erp_master_records').select('erp_id').where('connector', '=', connector).where('kind', '=', 'employee')
      .where('active', '=', true).where('name', '=', name).limit(2).execute();
    return namesakes.length === 1 ? { userId: byName[0]!.id, by: 'name' } : null;
  }
}

function toRow(r: MasterRecord) {
  return {
    kind: r.kind, erpId: r.erpId, code: r.code ?? null, name: r.name, active: r.active, versionStamp: r.versionStamp,
    ...(r.aliases ? { aliases: r.aliases } : {}), ...(r.attrs ? { attrs: r.attrs } : {}),
  };
}

type CursorSet = { cursor?: string | null; last_attempt_at: Date; last_success_at?: Date; last_error?: string; last_error_at?: Date };

async function saveCursor(db: Kysely<Database> | Transaction<Database>, tenantId: string, key: string, set: CursorSet, now: Date): Promise<void> {
  const values = { ...set, updated_at: now };
  await db.insertInto('erp_sync_cursors').values({ tenant_id: tenantId, connector: key, cursor: null, ...values })
    .onConflict((oc) => oc.columns(['tenant_id', 'connector']).doUpdateSet(values)).execute();
}
