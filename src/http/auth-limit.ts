import type { Context, MiddlewareHandler } from 'hono';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/database.ts';

export interface AuthLimitConfig {
  /** Failed authentications from one source within a window before it gets 429 for the rest of the window. */
  maxFailures: number;
  windowMs: number;
}

/** A replica asks the database about a source at most this often; a source blocked on another replica is seen here this much later. */
const CACHE_MS = 1000;
/** Sources remembered per replica (the rest are asked again). */
const CACHE_MAX = 10_000;

/**
 * Failed-authentication limit per source, kept in PostgreSQL (auth_failures) so every replica counts the same
 * failures: one counter per source and fixed window, incremented by an upsert. A source with `maxFailures` failures
 * in the current window is refused until the window ends (a burst at a window's edge can get up to twice the limit;
 * the limit is about guessing at scale, where that does not matter).
 *
 * Other layers report their failures through `noteAuthFailure` (sign-in: a bad OAuth state or code, a used
 * bootstrap link); the HTTP middleware reports every 401 itself.
 */
export class AuthFailureLimiter {
  private readonly cache = new Map<string, { until: number; failures: number; window: number }>();

  constructor(private readonly db: Kysely<Database>, private readonly clock: Clock, readonly cfg: AuthLimitConfig) {}

  private windowOf(now: Date): number {
    return Math.floor(now.getTime() / this.cfg.windowMs) * this.cfg.windowMs;
  }

  /** Counts one failed authentication of `source` (`reason`: the error code, kept for a look). */
  async noteAuthFailure(source: string, reason: string): Promise<void> {
    const window = this.windowOf(this.clock.now());
    const { rows } = await sql<{ failures: number }>`
      insert into auth_failures (source, window_start, failures, last_reason) values (${source}, ${new Date(window)}, 1, ${reason.slice(0, 80)})
      on conflict (source, window_start) do update set failures = auth_failures.failures + 1, last_reason = excluded.last_reason
      returning failures`.execute(this.db);
    this.remember(source, window, Number(rows[0]?.failures ?? 1));
  }

  /** Seconds until `source` may try again, or null when it may now. */
  async retryAfter(source: string): Promise<number | null> {
    const now = this.clock.now();
    const window = this.windowOf(now);
    let known = this.cache.get(source);
    if (!known || known.window !== window || known.until < now.getTime()) {
      const row = await this.db.selectFrom('auth_failures').select('failures').where('source', '=', source).where('window_start', '=', new Date(window)).executeTakeFirst();
      known = this.remember(source, window, Number(row?.failures ?? 0));
    }
    if (known.failures < this.cfg.maxFailures) return null;
    return Math.max(1, Math.ceil((window + this.cfg.windowMs - now.getTime()) / 1000));
  }

  private remember(source: string, window: number, failures: number): { until: number; failures: number; window: number } {
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    const v = { until: this.clock.now().getTime() + CACHE_MS, failures, window };
    this.cache.set(source, v);
    return v;
  }

  /** Windows that ended: nothing left to count (retention calls it). */
  async purge(): Promise<number> {
    const r = await this.db.deleteFrom('auth_failures').where('window_start', '<', new Date(this.windowOf(this.clock.now()) - this.cfg.windowMs)).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

/** Where people and tokens authenticate: every console bot's API, the admin API, sign-in. Webhooks are signed by servers, not guessed at by people. */
export const AUTHENTICATED_PATHS = /^\/(?:console\/(?:[a-z0-9][a-z0-9-]*\/)?api|admin\/api|auth)(?:\/|$)/;

/**
 * A source over the limit gets 429 `auth.rate_limited` with Retry-After before its credentials are looked at (so a
 * guess past the limit tells nothing); every 401 on these paths counts as a failure of its source.
 */
export function authRateLimit(limiter: AuthFailureLimiter, sourceOf: (c: Context) => string, onError: (e: unknown) => void): MiddlewareHandler {
  return async (c, next) => {
    if (!AUTHENTICATED_PATHS.test(c.req.path)) return next();
    const source = sourceOf(c);
    const wait = await limiter.retryAfter(source).catch((e: unknown) => { onError(e); return null; });
    if (wait !== null) {
      return c.json({ error: { code: 'auth.rate_limited', message: `too many failed sign-ins from this address; try again in ${wait} s` } }, 429, { 'retry-after': String(wait) });
    }
    await next();
    if (c.res.status !== 401) return;
    let code = 'http.401';
    try {
      code = ((await c.res.clone().json()) as { error?: { code?: string } }).error?.code ?? code;
    } catch {
      // not JSON: the status says enough
    }
    await limiter.noteAuthFailure(source, code).catch(onError);
  };
}
