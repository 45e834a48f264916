import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kysely, PostgresDialect, sql, type PostgresCursor, type PostgresPool, type PostgresPoolClient, type PostgresQueryResult } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { up, down } from '../../../migrations/2026_11_23_0200_rate_limits.ts';
import { createMemoryRateLimiter, createPgRateLimiter } from '../../../src/platforms/rate-limiter.ts';

const url = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `rl_${randomBytes(4).toString('hex')}`;
let db: Kysely<unknown> | undefined;
let skipReason: string | undefined;

beforeAll(async () => {
  try {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    db = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: 4 }) }),
    });
    await up(db);
  } catch (e: unknown) {
    skipReason = `PostgreSQL at ${url} unavailable: ${e instanceof Error ? e.message : String(e)}`;
  }
});

afterAll(async () => {
  if (!db) return;
  await down(db);
  await sql.raw(`drop schema ${schema} cascade`).execute(db);
  await db.destroy();
});

describe('createPgRateLimiter', () => {
  it('grants up to perSecond in one window, then waits for the next second', async (ctx) => {
    if (!db) { ctx.skip(skipReason); return; }
    const sleeps: number[] = [];
    const limiter = createPgRateLimiter(db, { sleep: async (ms) => { sleeps.push(ms); await new Promise((r) => setTimeout(r, ms)); } });
    const started = Date.now();
    for (let i = 0; i < 8; i++) await limiter.acquire('feishu:test:chat:oc_1', 5);
    expect(sleeps.length).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeGreaterThan(0);
    const rows = await sql<{ key: string; granted: number }>`select key, granted from rate_limits`.execute(db);
    expect(rows.rows[0]?.key).toBe('feishu:test:chat:oc_1');
  });

  it('never grants more than the limit per second across concurrent callers (shared window)', async (ctx) => {
    if (!db) { ctx.skip(skipReason); return; }
    const a = createPgRateLimiter(db);
    const b = createPgRateLimiter(db);
    const grantedAt: number[] = [];
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).acquire('k:shared', 4).then(() => { grantedAt.push(Date.now()); })));
    const perSecond = new Map<number, number>();
    for (const t of grantedAt) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    expect(grantedAt).toHaveLength(12);
    for (const n of perSecond.values()) expect(n).toBeLessThanOrEqual(4);
  });

  it('prunes rows whose window is long gone', async (ctx) => {
    if (!db) { ctx.skip(skipReason); return; }
    await sql`insert into rate_limits (key, window_sec, granted) values ('old:key', 1000, 3)`.execute(db);
    const limiter = createPgRateLimiter(db, { pruneProbability: 1 });
    await limiter.acquire('fresh:key', 5);
    const keys = (await sql<{ key: string }>`select key from rate_limits`.execute(db)).rows.map((r) => r.key);
    expect(keys).toContain('fresh:key');
    expect(keys).not.toContain('old:key');
  });

  it('keeps keys independent', async (ctx) => {
    if (!db) { ctx.skip(skipReason); return; }
    const limiter = createPgRateLimiter(db, { sleep: async () => { throw new Error('should not wait'); } });
    await limiter.acquire('k:a', 1);
    await limiter.acquire('k:b', 1);
  });
});

/** Minimal pg-pool shape over PGlite so Kysely's PostgresDialect can drive it (src/db owns the real dialect). */
function litePool(lite: PGlite): PostgresPool {
  class LiteClient implements PostgresPoolClient {
    query<R>(sqlText: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
    query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
    query<R>(a: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
      if (typeof a !== 'string') throw new Error('cursors are not supported here');
      return lite.query<R>(a, [...(parameters ?? [])]).then((r) => ({ command: 'SELECT' as const, rowCount: r.affectedRows ?? r.rows.length, rows: r.rows }));
    }
    release(): void {}
  }
  return { connect: async () => new LiteClient(), end: async () => { await lite.close(); } };
}

describe('createPgRateLimiter on PGlite (single connection)', () => {
  it('grants, denies and waits with one statement per attempt', async () => {
    const lite = new PGlite();
    const liteDb = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: litePool(lite) }) });
    try {
      await up(liteDb);
      const sleeps: number[] = [];
      const limiter = createPgRateLimiter(liteDb, { sleep: async (ms) => { sleeps.push(ms); await new Promise((r) => setTimeout(r, ms)); } });
      // 7 calls at 3/s cannot fit in two one-second windows, wherever the second boundaries fall.
      for (let i = 0; i < 7; i++) await limiter.acquire('dingtalk:app:/v1.0/card/instances', 3);
      expect(sleeps.length).toBeGreaterThanOrEqual(1);
      for (const ms of sleeps) {
        expect(ms).toBeGreaterThan(0);
        expect(ms).toBeLessThanOrEqual(1005);
      }
    } finally {
      await liteDb.destroy();
    }
  }, 30_000);
});

describe('createMemoryRateLimiter', () => {
  it('waits when the window is full', async () => {
    let now = 10_000;
    const sleeps: number[] = [];
    const limiter = createMemoryRateLimiter({ now: () => now, sleep: async (ms) => { sleeps.push(ms); now += ms; } });
    for (let i = 0; i < 3; i++) await limiter.acquire('k', 2);
    expect(sleeps).toEqual([1005]);
  });
});
