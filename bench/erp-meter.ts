import { randomUUID } from 'node:crypto';
import type { KyselyPlugin } from 'kysely';
import type { App } from '../src/app/create-app.ts';
import type { DbHandle } from '../src/db/create-db.ts';
import type { StatusSnapshot } from '../src/erp/erp-connector.ts';

/**
 * Counts what a stretch of ERP work costs: SQL statements the app sent to its database and HTTP calls (JSON-RPC) its
 * connectors made, only while `measure` runs (the workers are stopped, so nothing else is counted).
 */
export class ErpMeter {
  private on = false;
  private queries = 0;
  private calls = 0;

  /** Statements pass through unchanged; only counted. Raw `sql` statements go through plugins too. */
  private readonly plugin: KyselyPlugin = {
    transformQuery: (a) => { if (this.on) this.queries++; return a.node; },
    transformResult: async (a) => a.result,
  };

  readonly fetch: typeof fetch = (input, init) => {
    if (this.on) this.calls++;
    return fetch(input, init);
  };

  /** The same database, counted. */
  wrap(h: DbHandle): DbHandle {
    return { ...h, db: h.db.withPlugin(this.plugin) };
  }

  async measure<T>(run: () => Promise<T>): Promise<{ value: T; ms: number; queries: number; calls: number }> {
    this.queries = 0;
    this.calls = 0;
    this.on = true;
    const t = performance.now();
    try {
      const value = await run();
      return { value, ms: performance.now() - t, queries: this.queries, calls: this.calls };
    } finally {
      this.on = false;
    }
  }
}

/**
 * Links documents to (bench) requests the way the erp.create job leaves them after a create: the ERP's id, number,
 * form, status and version stamp on file. The poller then knows each one at its current version.
 */
export async function linkDocuments(app: App, connector: string, snapshots: StatusSnapshot[]): Promise<void> {
  for (let i = 0; i < snapshots.length; i += 500) {
    await app.db.db.insertInto('erp_documents').values(snapshots.slice(i, i + 500).map((s) => ({
      id: randomUUID(), tenant_id: 'default', request_id: randomUUID(), connector, doc_kind: s.ref.docKind, external_key: s.ref.externalKey,
      erp_id: s.ref.id, number: s.ref.number ?? null, form_id: s.ref.formId, status: s.status, amount: s.amounts?.total ?? null,
      version_stamp: s.versionStamp, raw: JSON.stringify(s.raw),
    }))).execute();
  }
}

/** Every change a connector's feed holds from the beginning (all pages). */
export async function allChanges(app: App, connector: string): Promise<StatusSnapshot[]> {
  const c = app.erp.connector(connector);
  const out: StatusSnapshot[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page = await c.listChanges(cursor, { limit: 500 });
    out.push(...page.changes.map((ch) => ch.snapshot));
    if (!page.hasMore || page.nextCursor === cursor) return out;
    cursor = page.nextCursor;
  }
}

export interface PassCost { ms: number; queries: number; calls: number; applied: number }

/**
 * Poll passes over documents that did not change: `fromStart` forgets the stored cursor first (the feed re-reads
 * every document, as after a lost cursor or inside a long overlap window); otherwise the pass starts from the cursor
 * the previous one stored. Returns the median pass of `n`.
 */
export async function pollPasses(app: App, meter: ErpMeter, connector: string, n: number, fromStart: boolean): Promise<PassCost> {
  const passes: PassCost[] = [];
  for (let i = 0; i < n; i++) {
    if (fromStart) await app.db.db.deleteFrom('erp_sync_cursors').where('tenant_id', '=', 'default').where('connector', '=', connector).execute();
    const m = await meter.measure(() => app.erp.syncConnector('default', connector));
    passes.push({ ms: m.ms, queries: m.queries, calls: m.calls, applied: m.value });
  }
  passes.sort((a, b) => a.ms - b.ms);
  return passes[Math.floor(passes.length / 2)] as PassCost;
}

export const round1 = (x: number): number => Math.round(x * 10) / 10;
