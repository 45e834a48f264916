import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.ts';
import { limitBody, MAX_BODY_BYTES } from './body.ts';
import { errorHandler } from './error-handler.ts';
import { authRateLimit, type AuthFailureLimiter } from './auth-limit.ts';
import { boundedCheck } from './readiness.ts';
import { sameOriginGuard } from './same-origin.ts';
import { securityHeaders } from './security-headers.ts';
import { refuseUnsafeUrl } from './text-guard.ts';
import { countRefusals, type RefusalCounting } from './refusals.ts';

export interface HttpDeps {
  logger: Logger;
  metrics: Metrics;
  /** True when the app can serve (DB reachable, migrations applied, not shutting down). */
  ready: () => Promise<boolean>;
  /** Refreshes gauges right before a scrape. */
  beforeScrape?: () => Promise<void>;
  mounts: { path: string; app: Hono }[];
  /** Every refused request (4xx, any method and path) is counted by source, reason and minute (refusals.ts). */
  refusals?: RefusalCounting;
  /** Failed-auth limit per source on the console, admin and sign-in APIs (auth-limit.ts). */
  authLimit?: { limiter: AuthFailureLimiter; sourceOf: (c: Context) => string };
  /** Origins besides a loopback one whose pages may call the browser-facing APIs (PUBLIC_URL's, TRUSTED_ORIGINS). */
  trustedOrigins?: readonly string[];
}

/**
 * /readyz answers within this long: an orchestrator's probe (Kubernetes probes default to timeoutSeconds: 1, kubernetes.io/docs/tasks/
 * configure-pod-container/configure-liveness-readiness-startup-probes/ "Configure Probes") must
 * get a 503 from a service whose database does not answer, not a timeout of its own.
 */
const READY_DEADLINE_MS = 800;

/** The hono app: health, readiness, metrics, and the mounted platform, console and admin routes. */
export function createHttpApp(d: HttpDeps): Hono {
  const app = new Hono();
  app.onError(errorHandler(d.logger));
  // First, so that every answer below (pages, API, refusals, 404s, errors) leaves with them.
  app.use('*', securityHeaders());
  if (d.refusals) app.use('*', countRefusals(d.refusals));
  app.notFound((c) => c.json({ error: { code: 'http.not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  app.use('*', timing(d.metrics));
  // The unread rest of an oversized body is not drained: the connection closes after the 413, and says so,
  // so keep-alive clients don't send their next request on it.
  app.use('*', limitBody((c) => c.json({ error: { code: 'request.too_large', message: `body over ${MAX_BODY_BYTES} bytes` } }, 413, { connection: 'close' })));
  app.use('*', sameOriginGuard({ trustedOrigins: d.trustedOrigins ?? [] }));
  // A NUL or a surrogate half in a path id or a query value: a 400 here, never an error from the database later.
  app.use('*', refuseUnsafeUrl());
  if (d.authLimit) {
    const { limiter, sourceOf } = d.authLimit;
    app.use('*', authRateLimit(limiter, sourceOf, (e: unknown) => d.logger.warn({ err: e }, 'failed-auth limit unavailable')));
  }
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  const ready = boundedCheck(d.ready, READY_DEADLINE_MS);
  app.get('/readyz', async (c) => ((await ready()) ? c.json({ status: 'ready' }) : c.json({ status: 'not_ready' }, 503)));
  app.get('/metrics', async (c) => {
    await d.beforeScrape?.();
    return c.text(await d.metrics.registry.metrics(), 200, { 'content-type': d.metrics.registry.contentType });
  });
  app.get('/', (c) => c.redirect('/console'));
  for (const m of d.mounts) app.route(m.path, m.app);
  return app;
}

function timing(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const start = performance.now();
    await next();
    const route = c.req.routePath || 'unmatched';
    metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    metrics.httpDuration.observe({ method: c.req.method, route }, (performance.now() - start) / 1000);
  };
}
