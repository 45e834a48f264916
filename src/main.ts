import { createApp } from './app/create-app.ts';
import { loadConfig } from './config/env.ts';
import { AppError } from './core/errors.ts';

/** Even a slow start leaves the database one attempt this long. */
const MIN_STARTUP_WAIT_MS = 2000;

/** Process entry: config, createApp(), listen, signals. */
async function main(): Promise<void> {
  const loaded = loadConfig();
  // The start-up budget counts from the process start (loading the modules takes seconds on a busy machine), so an
  // unreachable database ends the process with one line within DATABASE_STARTUP_TIMEOUT_MS (+ the exit), not later.
  const startupMs = Math.max(MIN_STARTUP_WAIT_MS, loaded.dbTimeouts.startupMs - Math.round(process.uptime() * 1000));
  const config = { ...loaded, dbTimeouts: { ...loaded.dbTimeouts, startupMs } };
  const app = await createApp({ config });
  const port = await app.listen();
  app.logger.info({ port, db: app.db.kind, bots: app.bots.map((b) => b.id) }, `listening on http://localhost:${port} (console: /console)`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.logger.error({ graceMs: config.shutdownGraceMs }, 'shutdown grace period over; exiting with work in flight (unfinished jobs run again after their lease)');
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    const started = Date.now();
    app.stop().then(() => {
      app.logger.info({ ms: Date.now() - started }, 'stopped: requests answered, in-flight jobs finished, pool closed');
      process.exit(0);
    }, (e: unknown) => { app.logger.error({ err: e }, 'shutdown failed'); process.exit(1); });
  };
  // A stray rejection (a platform SDK callback, say) is a bug to log, not a reason to take every bot down.
  process.on('unhandledRejection', (e: unknown) => app.logger.error({ err: e }, 'unhandled promise rejection'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(e instanceof AppError ? `${e.code}: ${e.message}` : e);
  process.exit(1);
});
