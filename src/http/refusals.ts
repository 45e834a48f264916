import type { Context, MiddlewareHandler } from 'hono';

/** One refused request as counted: from where, why (the answer's error code), which path, which status. */
export interface CountedRefusal { source: string; reason: string; path: string; status: number }

export interface RefusalCounting {
  /** Adds the refusal to its counter (audit/refusal-counts.ts: one row per tenant, source, reason and minute). */
  count: (r: CountedRefusal) => Promise<void>;
  sourceOf: (c: Context) => string;
  /** The minute a request falls in (from the injected clock), for the per-minute bound on sources. */
  minuteOf: () => number;
  onError: (e: unknown) => void;
  /** Distinct sources counted per minute on this replica; past it a minute's new sources are counted as `(other)`. */
  maxSourcesPerMinute?: number;
}

const DEFAULT_MAX_SOURCES = 1000;
/** Error codes are ours, but a code is only trusted to be one when it looks like one. */
const CODE = /^[a-z0-9_]+(?:\.[a-z0-9_]+)*$/;

/**
 * Every refused request (any 4xx, any method, any path: console, admin, sign-in, webhooks, unknown paths) is counted
 * by source, reason and minute. Counting, not a row per request: 2,000 garbage POSTs from one address make one
 * counter row for the minute, which audit/refusal-counts.ts later folds into one audit row. Addresses a client can
 * rotate through are bounded too: at most `maxSourcesPerMinute` distinct sources a minute, the rest as `(other)`.
 */
export function countRefusals(o: RefusalCounting): MiddlewareHandler {
  const max = o.maxSourcesPerMinute ?? DEFAULT_MAX_SOURCES;
  let minute = -1;
  const seen = new Set<string>();
  return async (c, next) => {
    await next();
    const status = c.res.status;
    if (status < 400 || status >= 500) return;
    let reason = `http.${status}`;
    if ((c.res.headers.get('content-type') ?? '').includes('json')) {
      try {
        const code = ((await c.res.clone().json()) as { error?: { code?: unknown } }).error?.code;
        if (typeof code === 'string' && code.length <= 80 && CODE.test(code)) reason = code;
      } catch {
        // not JSON after all: the status says enough
      }
    }
    const now = o.minuteOf();
    if (now !== minute) { minute = now; seen.clear(); }
    let source = o.sourceOf(c);
    if (!seen.has(source)) {
      if (seen.size >= max) source = '(other)';
      else seen.add(source);
    }
    await o.count({ source, reason, path: c.req.path, status }).catch(o.onError);
  };
}
