import { sql, type Kysely } from 'kysely';
import { ExternalServiceError } from '../core/errors.ts';

/**
 * Outbound call budget shared by every replica (platform API quotas are per app, not per process).
 * `acquire(key, platformLimit)` resolves when one call under `key` may be made; it never drops a call: it waits
 * for the call's slot, or, when that slot is further away than `maxWaitMs`, throws a retryable, throttled
 * ExternalServiceError so the outbox runs the job again later. Used by the Feishu and DingTalk API clients.
 *
 * `platformLimit` is the DOCUMENTED calls-per-second limit: DingTalk 20 per app per API (doc '附录B：如何处理钉钉
 * 服务端API限流', open.dingtalk.com/document/development/how-to-process-api-throttling-on-the-dingtalk-server);
 * Feishu 50/s per app for message send/PATCH, 5/s per chat and per message (doc '频控策略',
 * open.feishu.cn/document/ukTMukTMukTM/uUzN04SN3QjL1cDN, and the send/PATCH API pages). We never run at that
 * limit, for two reasons:
 *  - the platform counts at ARRIVAL, in windows whose edges we do not know; we grant at departure, and a call's
 *    network latency varies, so two calls granted T apart may arrive closer together;
 *  - a fixed one-second window (what this limiter used before) lets 2 × limit calls through across a window edge.
 * So permits are SPACED (generic cell rate algorithm, no burst): one every `1 / effectiveRate(limit)` seconds,
 * with `effectiveRate(20) = 16`, `effectiveRate(50) = 40`, `effectiveRate(5) = 4`. Any one-second window then
 * holds at most `effective + 1` grants, and arrivals stay within the documented limit as long as latency jitter
 * is under `(limit - effective - 1) / effective` seconds: 187 ms at 20/s, 225 ms at 50/s, 0 ms at 5/s (where
 * the spare call is the closed window's second edge). See test/unit/platforms/rate-limiter.test.ts.
 */
export interface RateLimiter {
  /** One permit under `key` for a documented limit of `platformLimit` calls per `window` (default: per second). */
  acquire(key: string, platformLimit: number, window?: RateWindow): Promise<void>;
}

/**
 * Feishu also limits most APIs per minute ("1000 次/分钟、50 次/秒" on each API page). A minute is long next to
 * latency jitter, so half of the margin may be spent as a burst and half stays spare: at 1000/min, permits are
 * spaced 75 ms (800/min) with 100 available at once, and any sliding minute holds at most 901.
 */
export type RateWindow = 'second' | 'minute';
const WINDOW_US: Record<RateWindow, number> = { second: 1_000_000, minute: 60_000_000 };

/** Share of the documented limit we actually use; the rest absorbs latency jitter and unknown window edges. */
export const SAFETY_FACTOR = 0.8;

/** Calls per second we actually allow under a documented per-second limit. */
export function effectiveRate(platformLimit: number): number {
  return Math.max(1, Math.floor(platformLimit * SAFETY_FACTOR));
}

/**
 * Microseconds between two permits. Rounded UP so that `rate` permits never fit in one window
 * (1e6 / 3 rounded down would put the 4th permit at 999 999 µs).
 */
export function spacingMicros(platformLimit: number, window: RateWindow = 'second'): number {
  return Math.ceil(WINDOW_US[window] / effectiveRate(platformLimit));
}

/** How far ahead of its spacing a permit may go (a burst): none within a second, half the margin within a minute. */
export function toleranceMicros(platformLimit: number, window: RateWindow = 'second'): number {
  if (window === 'second') return 0;
  return Math.floor((platformLimit - effectiveRate(platformLimit)) / 2) * spacingMicros(platformLimit, window);
}

/** Each window keeps its own slots: the per-minute rule of a key is a different row than its per-second rule. */
const slotKey = (key: string, window: RateWindow): string => (window === 'second' ? key : `${key}/${window}`);

export interface RateLimiterOptions {
  /** Waits for a slot; injectable so tests run on a virtual clock. */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch. Default: the database's clock (one clock for every replica). */
  now?: () => number;
  /** A slot further away than this is not taken: the caller gets a throttled error and retries later. */
  maxWaitMs?: number;
  /** Chance per permit of also deleting long-idle keys (per-message keys would otherwise pile up). */
  pruneProbability?: number;
  random?: () => number;
}

/** A key whose next slot passed this long ago holds no information any more (its spacing is over). */
const STALE_AFTER_SEC = 60;
const DEFAULT_MAX_WAIT_MS = 60_000;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function queueFull(key: string, waitMs: number): ExternalServiceError {
  return new ExternalServiceError('platform', 'platform.rate_limited', `rate limiter: the next slot for ${key} is ${Math.ceil(waitMs)} ms away`, {
    retryable: true, throttled: true, retryAfterMs: Math.ceil(waitMs), details: { key },
  });
}

interface ReserveRow { now_us: string | number; slot_us: string | number | null; next_us: string | number | null; granted: string | number }

/**
 * Slots in Postgres (table `rate_limits`: key → `next_us`, the theoretical time of the next permit). One statement
 * reserves a slot: `slot = max(now, next_us - tolerance)`, `next_us = max(next_us, now) + spacing`, unless the slot
 * is more than `maxWaitMs` away. Callers then sleep until their own slot: first come, first served, no retry storm, and
 * it works on a `pg` pool and on PGlite's single connection without holding a transaction open.
 */
export function createPgRateLimiter<DB>(db: Kysely<DB>, opts: RateLimiterOptions = {}): RateLimiter & { prune(): Promise<number> } {
  const sleep = opts.sleep ?? defaultSleep;
  const maxWaitUs = (opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS) * 1000;
  const pruneProbability = opts.pruneProbability ?? 0.002;
  const random = opts.random ?? Math.random;
  const nowUs = () => (opts.now ? sql<string>`${Math.round(opts.now() * 1000)}::bigint` : sql<string>`floor(extract(epoch from clock_timestamp()) * 1000000)::bigint`);
  const prune = async (): Promise<number> => {
    const r = await sql`delete from rate_limits where next_us < ${nowUs()} - ${STALE_AFTER_SEC * 1_000_000}::bigint`.execute(db);
    return Number(r.numAffectedRows ?? 0);
  };
  return {
    prune,
    async acquire(name, platformLimit, window = 'second') {
      const key = slotKey(name, window);
      const spacing = spacingMicros(platformLimit, window);
      const tolerance = toleranceMicros(platformLimit, window);
      // excluded.next_us = now + spacing. A new next_us ≥ now + spacing, and the slot is `new - spacing - tolerance`
      // when that is still ahead of now, else now.
      const { rows } = await sql<ReserveRow>`
        with now as (select ${nowUs()} as us),
        up as (
          insert into rate_limits as r (key, next_us)
          select ${key}, us + ${spacing}::bigint from now
          on conflict (key) do update
            set next_us = greatest(r.next_us, excluded.next_us - ${spacing}::bigint) + ${spacing}::bigint
            where r.next_us <= excluded.next_us - ${spacing}::bigint + ${maxWaitUs + tolerance}::bigint
          returning r.next_us)
        select now.us as now_us, greatest(now.us, (select next_us from up) - ${spacing + tolerance}::bigint) as slot_us,
               (select next_us from rate_limits where key = ${key}) as next_us,
               (select count(*) from up) as granted
        from now`.execute(db);
      const row = rows[0];
      const now = Number(row?.now_us ?? 0);
      if (!row || Number(row.granted) === 0) throw queueFull(name, (Number(row?.next_us ?? now) - tolerance - now) / 1000);
      if (random() < pruneProbability) await prune();
      const waitMs = Math.ceil((Number(row.slot_us) - now) / 1000);
      if (waitMs > 0) await sleep(waitMs);
    },
  };
}

/** The same slots in process memory: for single-process runs and unit tests. */
export function createMemoryRateLimiter(opts: Pick<RateLimiterOptions, 'now' | 'sleep' | 'maxWaitMs'> = {}): RateLimiter {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const maxWaitUs = (opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS) * 1000;
  const next = new Map<string, number>();
  return {
    async acquire(name, platformLimit, window = 'second') {
      const key = slotKey(name, window);
      const spacing = spacingMicros(platformLimit, window);
      const t = Math.round(now() * 1000);
      const tat = next.get(key) ?? t;
      const slot = Math.max(t, tat - toleranceMicros(platformLimit, window));
      if (slot - t > maxWaitUs) throw queueFull(name, (slot - t) / 1000);
      next.set(key, Math.max(tat, t) + spacing);
      const waitMs = Math.ceil((slot - t) / 1000);
      if (waitMs > 0) await sleep(waitMs);
    },
  };
}
