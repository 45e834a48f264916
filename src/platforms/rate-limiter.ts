import { sql, type Kysely } from 'kysely';

/**
 * Outbound call budget shared by every replica (platform API quotas are per app, not per process).
 * `acquire` resolves when one call under `key` may be made without exceeding `perSecond`; it never
 * rejects because of the budget, it waits. Used by the Feishu and DingTalk API clients.
 */
export interface RateLimiter {
  acquire(key: string, perSecond: number): Promise<void>;
}

export interface RateLimiterOptions {
  /** Waits between attempts; injectable so tests need not sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Gives up (throws) after this long waiting for one permit; protects callers from a stuck budget. */
  maxWaitMs?: number;
  /** Chance per granted permit of also deleting stale rows (per-message keys would otherwise pile up). */
  pruneProbability?: number;
  random?: () => number;
}

/** Rows whose window ended this long ago are dead weight: a window only matters during its own second. */
const STALE_AFTER_SEC = 60;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface AcquireRow {
  now_ms: string | number;
  granted: number | null;
}

/**
 * Fixed window per second in Postgres (table `rate_limits`, migration 2026_11_23_0200). Each attempt is
 * ONE statement (an upsert that only counts while the window has room), so it works on a `pg` pool and
 * on PGlite's single connection without holding a transaction open. Time comes from the database
 * (`clock_timestamp()`), so replicas with skewed clocks still share one window.
 */
export function createPgRateLimiter<DB>(db: Kysely<DB>, opts: RateLimiterOptions = {}): RateLimiter & { prune(): Promise<number> } {
  const sleep = opts.sleep ?? defaultSleep;
  const maxWaitMs = opts.maxWaitMs ?? 60_000;
  const pruneProbability = opts.pruneProbability ?? 0.002;
  const random = opts.random ?? Math.random;
  const prune = async (): Promise<number> => {
    const r = await sql`delete from rate_limits where window_sec < floor(extract(epoch from clock_timestamp()))::bigint - ${STALE_AFTER_SEC}`.execute(db);
    return Number(r.numAffectedRows ?? 0);
  };
  return {
    prune,
    async acquire(key, perSecond) {
      const limit = Math.max(1, Math.floor(perSecond));
      let waited = 0;
      for (;;) {
        const { rows } = await sql<AcquireRow>`
          with now as (select floor(extract(epoch from clock_timestamp()) * 1000)::bigint as ms),
          up as (
            insert into rate_limits as r (key, window_sec, granted)
            select ${key}, ms / 1000, 1 from now
            on conflict (key) do update
              set window_sec = excluded.window_sec,
                  granted = case when r.window_sec = excluded.window_sec then r.granted + 1 else 1 end
              where r.window_sec <> excluded.window_sec or r.granted < ${limit}
            returning r.granted)
          select now.ms as now_ms, (select granted from up) as granted from now`.execute(db);
        const row = rows[0];
        if (row && row.granted !== null) {
          if (random() < pruneProbability) await prune();
          return;
        }
        const nowMs = Number(row?.now_ms ?? Date.now());
        const untilNextWindow = 1000 - (nowMs % 1000) + 5;
        if (waited + untilNextWindow > maxWaitMs) throw new Error(`rate limiter: no permit for ${key} within ${maxWaitMs} ms`);
        waited += untilNextWindow;
        await sleep(untilNextWindow);
      }
    },
  };
}

/** Same fixed-window rule in process memory: for single-replica runs and unit tests. */
export function createMemoryRateLimiter(opts: { now?: () => number; sleep?: (ms: number) => Promise<void> } = {}): RateLimiter {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const windows = new Map<string, { sec: number; granted: number }>();
  return {
    async acquire(key, perSecond) {
      const limit = Math.max(1, Math.floor(perSecond));
      for (;;) {
        const ms = now();
        const sec = Math.floor(ms / 1000);
        const w = windows.get(key);
        if (!w || w.sec !== sec) { windows.set(key, { sec, granted: 1 }); return; }
        if (w.granted < limit) { w.granted += 1; return; }
        await sleep(1000 - (ms % 1000) + 5);
      }
    },
  };
}
