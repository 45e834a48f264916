import { createApp, type App, type AppOptions } from '../../src/app/create-app.ts';
import { loadConfig } from '../../src/config/env.ts';
import type { DbHandle } from '../../src/db/create-db.ts';

/**
 * Env for tests: quiet logs, fast polling, everything else as a newcomer gets it with `npm run demo`: the console in
 * demo mode (CONSOLE_DEMO), where a loopback client names the acting `user`. Requests made in-process with
 * app.http.request have no socket and count as loopback (src/identity/caller.ts fromLoopback), so the chat stories
 * drive several people through one client; test/e2e/identity-*.test.ts cover signed-in sessions, impersonation and
 * demo mode refused to a network client. The admin API always wants a session or a service token (admin-token.ts).
 */
export const TEST_ENV: Record<string, string> = {
  LOG_LEVEL: 'silent', WORKER_POLL_MS: '20', ERP_POLL_MS: '3600000', SLA_CHECK_MS: '3600000', PORT: '0', HOST: '127.0.0.1', CONSOLE_DEMO: 'true',
  // A fixed test key: no key file is written beside the working directory's ./data.
  AUDIT_HMAC_KEYS: `test:${Buffer.alloc(32, 7).toString('base64')}`,
};

export interface StartOptions extends Omit<AppOptions, 'config' | 'db'> {
  db: DbHandle;
  env?: Record<string, string>;
  /** Don't start workers (tests that drive them by hand). */
  noWorkers?: boolean;
}

/** Boots the whole app on a test database (no listener; use app.http.request). */
export async function startApp(o: StartOptions): Promise<App> {
  const { db, env, noWorkers, ...rest } = o;
  const config = loadConfig({ ...TEST_ENV, ...env, DATABASE_URL: '' });
  // The same variables reach ERP instance files (credentials, push secrets) as boot would read them from the environment.
  const app = await createApp({ ...rest, config, db, env: { ...TEST_ENV, ...env } });
  await app.start();
  if (noWorkers) {
    await app.outbox.stop();
    await app.inbox.stop();
  }
  return app;
}
