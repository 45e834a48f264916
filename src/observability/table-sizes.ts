import { sql, type Kysely } from 'kysely';
import type { Gauge } from 'prom-client';
import type { Database } from '../db/database.ts';

/**
 * Row counts of the tables that grow with traffic, for /metrics. Cheap on any size: the planner's own estimate,
 * pg_class.reltuples scaled from the pages the table had when last analyzed to the pages it has now (what the
 * planner does). Only a table never analyzed (reltuples -1, or analyzed while empty) is counted, and only when it is
 * small (MAX_COUNTED_PAGES); a big one keeps its last value. Everything runs under a statement timeout, and the
 * caller is answered within `timeoutMs` even when the database does not answer at all: the gauges then keep their
 * last values. One refresh runs at a time; a scrape during a slow one does not start another.
 * https://www.postgresql.org/docs/current/row-estimation-examples.html
 */
const MAX_COUNTED_PAGES = 1024; // 8 MB at the default block size

interface SizeRow { name: string; tuples: number; pages: number; now_pages: number }

export async function tableRowEstimates(db: Kysely<Database>, tables: readonly string[], timeoutMs: number): Promise<Map<string, number>> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('statement_timeout', ${String(timeoutMs)}, true)`.execute(trx);
    const { rows } = await sql<SizeRow>`
      select c.relname as name, c.reltuples::float8 as tuples, c.relpages::float8 as pages,
        (pg_relation_size(c.oid) / current_setting('block_size')::int)::float8 as now_pages
      from pg_class c where c.oid in (${sql.join(tables.map((t) => sql`to_regclass(${t})`))})`.execute(trx);
    const out = new Map<string, number>();
    for (const r of rows) {
      const [tuples, pages, nowPages] = [Number(r.tuples), Number(r.pages), Number(r.now_pages)];
      if (nowPages === 0) out.set(r.name, 0);
      else if (tuples >= 0 && pages > 0) out.set(r.name, Math.round((tuples / pages) * nowPages));
      else if (nowPages <= MAX_COUNTED_PAGES) {
        const n = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(r.name)}`.execute(trx);
        out.set(r.name, Number(n.rows[0]?.n ?? 0));
      }
    }
    return out;
  });
}

/** Keeps a gauge (label `table`) up to date from tableRowEstimates(), bounded in time (see above). */
export class TableSizes {
  private running: Promise<void> | null = null;

  constructor(private readonly db: Kysely<Database>, private readonly tables: readonly string[], private readonly gauge: Gauge<'table'>,
    private readonly timeoutMs: number, private readonly onError: (e: unknown) => void) {}

  /** Resolves when no refresh is running (one the caller stopped waiting for included). */
  async whenIdle(): Promise<void> {
    await this.running;
  }

  /** Resolves once the gauge is refreshed, or after `timeoutMs` with the last values kept. */
  async refresh(): Promise<void> {
    this.running ??= tableRowEstimates(this.db, this.tables, this.timeoutMs)
      .then((sizes) => { for (const [t, n] of sizes) this.gauge.set({ table: t }, n); })
      .catch(this.onError)
      .finally(() => { this.running = null; });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.timeoutMs); });
    await Promise.race([this.running, late]).finally(() => clearTimeout(timer));
  }
}
