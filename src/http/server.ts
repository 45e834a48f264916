import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.ts';
import { limitBody, MAX_BODY_BYTES } from './body.ts';
import { errorHandler } from './error-handler.ts';
import { boundedCheck } from './readiness.ts';
import { sameOriginGuard } from './same-origin.ts';
import { securityHeaders } from './security-headers.ts';

export interface HttpDeps {
  logger: Logger;
  metrics: Metrics;
  /** True when the app can serve (DB reachable, migrations applied, not shutting down). */
  ready: () => Promise<boolean>;
  /** Refreshes gauges right before a scrape. */
  beforeScrape?: () => Promise<void>;
  mounts: { path: string; app: Hono }[];
  /** Told about every refused console API request (4xx), to audit it. */
  onRejected?: (r: { path: string; status: number; code: string }) => Promise<void>;
  /** Bearer token required on /console/api/* and /admin/api/* when set. */
  apiToken?: string | undefined;
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
  if (d.onRejected) app.use('*', auditRejections(d.onRejected, d.logger));
  app.notFound((c) => c.json({ error: { code: 'http.not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  app.use('*', timing(d.metrics));
  // The unread rest of an oversized body is not drained: the connection closes after the 413, and says so,
  // so keep-alive clients don't send their next request on it.
  app.use('*', limitBody((c) => c.json({ error: { code: 'request.too_large', message: `body over ${MAX_BODY_BYTES} bytes` } }, 413, { connection: 'close' })));
  app.use('*', sameOriginGuard({ trustedOrigins: d.trustedOrigins ?? [] }));
  if (d.apiToken) {
    const token = d.apiToken;
    const expected = createHash('sha256').update(`Bearer ${token}`).digest();
    const guard: MiddlewareHandler = async (c, next) => {
      // Compared as digests in constant time: no byte-by-byte early exit to time.
      const given = createHash('sha256').update(c.req.header('authorization') ?? '').digest();
      if (!timingSafeEqual(given, expected)) return c.json({ error: { code: 'auth.required', message: 'missing or wrong bearer token' } }, 401);
      return next();
    };
    // Every console bot's API: the first is mounted at /console, the others at /console/<bot id>.
    app.use('/console/api/*', guard);
    app.use('/console/:bot/api/*', guard);
    app.use('/admin/api/*', guard);
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

/** Platform webhooks audit their own refusals (with the bot and reason); here: the console API. */
const AUDITED_PATHS = /^\/console\/(?:[a-z0-9][a-z0-9-]*\/)?api\//;

/** Refused inbound requests leave an audit row (code and path only: the body may be hostile). */
function auditRejections(onRejected: NonNullable<HttpDeps['onRejected']>, logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const status = c.res.status;
    if (status < 400 || status >= 500 || c.req.method === 'GET' || !AUDITED_PATHS.test(c.req.path)) return;
    let code = `http.${status}`;
    try {
      const body = (await c.res.clone().json()) as { error?: { code?: string } };
      code = body.error?.code ?? code;
    } catch {
      // not JSON: keep the status code
    }
    await onRejected({ path: c.req.path, status, code }).catch((e: unknown) => logger.warn({ err: e }, 'audit of a refused request failed'));
  };
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
