import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ExternalServiceError } from '../../../src/core/errors.ts';
import { createMemoryRateLimiter, createPgRateLimiter, effectiveRate, type RateLimiter } from '../../../src/platforms/rate-limiter.ts';
import { createTestDb, type TestDb } from '../../support/test-db.ts';

/**
 * Virtual time: `sleep` parks the caller on a timer; the clock only moves when every running caller is parked,
 * straight to the earliest timer. No wall-clock waits, so the figures are the same on a loaded machine.
 */
function virtualTime(startMs: number) {
  let now = startMs;
  let running = 0;
  const timers: { at: number; resolve: () => void }[] = [];
  const yieldOnce = () => new Promise<void>((r) => setImmediate(r));
  return {
    now: () => now,
    sleep: (ms: number) => new Promise<void>((resolve) => { timers.push({ at: now + ms, resolve }); }),
    /** Runs `tasks` concurrently to completion, advancing virtual time whenever all of them are parked. */
    async run<T>(tasks: (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
      running = tasks.length;
      const all = Promise.allSettled(tasks.map((t) => t().finally(() => { running -= 1; })));
      for (;;) {
        // Let database round trips and promise chains run until everyone still running is parked on a timer.
        while (running > 0 && timers.length < running) await yieldOnce();
        if (running === 0) break;
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift() as { at: number; resolve: () => void };
        now = Math.max(now, next.at);
        next.resolve();
      }
      return all;
    },
  };
}

/** Deterministic PRNG (mulberry32) for arrival times and latency jitter. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The most calls found in any sliding window [t, t + windowMs] (closed: both edges count). */
function maxInAnyWindow(times: number[], windowMs: number): number {
  const s = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while ((s[j] ?? Infinity) <= (s[i] ?? 0) + windowMs) j++;
    best = Math.max(best, j - i);
  }
  return best;
}
const maxInAnySecond = (times: number[]) => maxInAnyWindow(times, 1000);

const DINGTALK_LIMIT = 20; // DingTalk standard edition: 20 calls/s per app per API
const CALLS = 90;

/**
 * 90 calls to one DingTalk API from three replicas: a burst at a window edge (…900 ms: a fixed one-second window
 * would let 20 through before the edge and 20 after it), then stragglers at seeded random times.
 */
async function flood(limiters: RateLimiter[], t: ReturnType<typeof virtualTime>, seed: number) {
  const rnd = prng(seed);
  const granted: number[] = [];
  const tasks = Array.from({ length: CALLS }, (_, i) => async () => {
    if (i >= 45) await t.sleep(Math.floor(rnd() * 4000));
    await (limiters[i % limiters.length] as RateLimiter).acquire('dingtalk:app:/v1.0/card/instances', DINGTALK_LIMIT);
    granted.push(t.now());
  });
  const results = await t.run(tasks);
  return { granted, results };
}

function expectWithinPlatformLimit(granted: number[], seed: number): void {
  expect(granted).toHaveLength(CALLS); // nothing dropped
  expect(effectiveRate(DINGTALK_LIMIT)).toBe(16);
  // Departures: no sliding second (closed) holds more than effective + 1 = 17 calls; spacing ≥ 62.5 ms.
  expect(maxInAnySecond(granted)).toBeLessThanOrEqual(17);
  const sorted = [...granted].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) expect((sorted[i] ?? 0) - (sorted[i - 1] ?? 0)).toBeGreaterThanOrEqual(62);
  // Arrivals at the platform: each call delayed by 0–185 ms of network latency, still ≤ 20 in any second.
  const jitter = prng(seed + 1);
  expect(maxInAnySecond(granted.map((g) => g + Math.floor(jitter() * 186)))).toBeLessThanOrEqual(DINGTALK_LIMIT);
}

describe('createMemoryRateLimiter (virtual clock)', () => {
  it('spaces permits at 16/s under a 20/s limit: no sliding second over the limit, every call granted', async () => {
    const t = virtualTime(1_700_000_000_900);
    const limiter = createMemoryRateLimiter({ now: t.now, sleep: t.sleep });
    const { granted, results } = await flood([limiter], t, 7);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expectWithinPlatformLimit(granted, 7);
  });

  it('a slot further away than maxWaitMs is refused with a retryable, throttled error and is not consumed', async () => {
    const t = virtualTime(1_700_000_000_000);
    const limiter = createMemoryRateLimiter({ now: t.now, sleep: t.sleep, maxWaitMs: 200 });
    const outcomes = await t.run(Array.from({ length: 6 }, () => () => limiter.acquire('k', 20)));
    // 62.5 ms apart: slots 0, 63, 125, 188 fit in 200 ms; the 5th (250 ms) and 6th do not.
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(4);
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(refused).toHaveLength(2);
    for (const e of refused) {
      expect(e).toBeInstanceOf(ExternalServiceError);
      expect(e).toMatchObject({ code: 'platform.rate_limited', retryable: true, throttled: true });
      expect((e as ExternalServiceError).retryAfterMs).toBeGreaterThan(200);
    }
    // The refused calls took no slot: once the queue drains, the next call goes out 62.5 ms after the 4th.
    const later = await t.run([async () => { await limiter.acquire('k', 20); return t.now(); }]);
    expect(later[0]).toMatchObject({ status: 'fulfilled', value: 1_700_000_000_000 + 250 });
  });

  it('Feishu: 1000/min and 50/s on one key: a burst of 101, then 800/min; no sliding minute over 901, no second over 41', async () => {
    const t = virtualTime(1_700_000_000_000);
    const limiter = createMemoryRateLimiter({ now: t.now, sleep: t.sleep, maxWaitMs: 600_000 });
    const granted: number[] = [];
    // The order Feishu's callFeishu takes them: the per-minute rule, then the per-second one right before the call.
    const results = await t.run(Array.from({ length: 1300 }, () => async () => {
      await limiter.acquire('feishu:cli_x:app', 1000, 'minute');
      await limiter.acquire('feishu:cli_x:app', 50);
      granted.push(t.now());
    }));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(granted).toHaveLength(1300);
    expect(maxInAnyWindow(granted, 60_000)).toBeLessThanOrEqual(901);
    expect(maxInAnySecond(granted)).toBeLessThanOrEqual(41);
    // A burst at the per-second spacing (25 ms) while the minute's tolerance lasts, then 800/min: the 1300th
    // call cannot go before (1300 - 101) × 75 ms.
    const offsets = granted.map((g) => g - 1_700_000_000_000).sort((a, b) => a - b);
    expect(offsets.filter((o) => o <= 2_500)).toHaveLength(101);
    expect(offsets.at(-1)).toBeGreaterThanOrEqual((1300 - 101) * 75);
  });

  it('keeps keys independent', async () => {
    const t = virtualTime(0);
    const limiter = createMemoryRateLimiter({ now: t.now, sleep: async () => { throw new Error('should not wait'); } });
    await limiter.acquire('k:a', 1);
    await limiter.acquire('k:b', 1);
  });
});

describe('createPgRateLimiter (the suite database, virtual clock)', () => {
  let tdb: TestDb;
  beforeAll(async () => { tdb = await createTestDb(); });
  afterAll(async () => { await tdb.drop(); });

  it('three replicas share one spacing: no sliding second over the limit, every call granted', async () => {
    const t = virtualTime(1_700_000_000_900);
    const replicas = [0, 1, 2].map(() => createPgRateLimiter(tdb.handle.db, { now: t.now, sleep: t.sleep }));
    const { granted, results } = await flood(replicas, t, 11);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expectWithinPlatformLimit(granted, 11);
  }, 60_000);

  it('refuses a slot beyond maxWaitMs without consuming it', async () => {
    const t = virtualTime(1_700_000_100_000);
    const limiter = createPgRateLimiter(tdb.handle.db, { now: t.now, sleep: t.sleep, maxWaitMs: 200 });
    const outcomes = await t.run(Array.from({ length: 6 }, () => () => limiter.acquire('pg:k', 20)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(4);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason)).toEqual([
      expect.objectContaining({ code: 'platform.rate_limited', throttled: true }), expect.objectContaining({ code: 'platform.rate_limited', throttled: true }),
    ]);
    const row = await sql<{ next_us: string }>`select next_us from rate_limits where key = 'pg:k'`.execute(tdb.handle.db);
    expect(Number(row.rows[0]?.next_us)).toBe((1_700_000_100_000 + 250) * 1000);
  });

  it('a per-minute rule in Postgres: the same burst and spacing as in memory', async () => {
    const t = virtualTime(1_700_000_300_000);
    const limiter = createPgRateLimiter(tdb.handle.db, { now: t.now, sleep: t.sleep, maxWaitMs: 600_000 });
    const granted: number[] = [];
    await t.run(Array.from({ length: 150 }, () => async () => { await limiter.acquire('pg:feishu:app', 1000, 'minute'); granted.push(t.now()); }));
    const offsets = granted.map((g) => g - 1_700_000_300_000).sort((a, b) => a - b);
    expect(offsets.filter((o) => o === 0)).toHaveLength(101);
    // After the burst, 75 ms apart (800/min): the 150th call is 49 spacings later.
    expect(offsets.at(-1)).toBe(49 * 75);
  });

  it('prunes keys idle for a minute, keeps fresh ones', async () => {
    const t = virtualTime(1_700_000_200_000);
    const limiter = createPgRateLimiter(tdb.handle.db, { now: t.now, sleep: t.sleep, pruneProbability: 1 });
    await sql`insert into rate_limits (key, next_us) values ('old:key', ${(1_700_000_200_000 - 61_000) * 1000})`.execute(tdb.handle.db);
    await limiter.acquire('fresh:key', 5);
    const keys = (await sql<{ key: string }>`select key from rate_limits`.execute(tdb.handle.db)).rows.map((r) => r.key);
    expect(keys).toContain('fresh:key');
    expect(keys).not.toContain('old:key');
  });

  it('uses the database clock when none is injected', async () => {
    const limiter = createPgRateLimiter(tdb.handle.db, { sleep: async () => { throw new Error('first call must not wait'); } });
    await limiter.acquire('db-clock:k', 20);
    const row = await sql<{ ahead_ms: number }>`select (next_us - floor(extract(epoch from clock_timestamp()) * 1000000)) / 1000.0 as ahead_ms from rate_limits where key = 'db-clock:k'`.execute(tdb.handle.db);
    expect(Number(row.rows[0]?.ahead_ms)).toBeLessThanOrEqual(62.5);
  });
});
