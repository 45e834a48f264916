import pg from 'pg';
import { AppError } from '../core/errors.ts';
import { isPgConnectionFailure } from './db-errors.ts';

export interface WaitOptions {
  /** Give up after this long in all (a database that is still starting gets until then). */
  timeoutMs: number;
  /** Each attempt to connect gets at most this long (a black-holed address never answers). */
  connectMs: number;
  /** Pause between attempts that failed quickly (connection refused). */
  retryMs?: number;
}

/**
 * Start-up check: connects and runs `select 1`, retrying while the database is unreachable (a container
 * started before its database), and fails with ONE line (`db.unreachable: …`, no password) once `timeoutMs`
 * has passed. A refusal that waiting cannot fix (wrong password, no such database) fails at once.
 */
export async function waitForDatabase(url: string, o: WaitOptions): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  let last: unknown;
  for (let attempt = 1; ; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) throw unreachable(url, o.timeoutMs, attempt - 1, last);
    const ms = Math.max(1, Math.min(o.connectMs > 0 ? o.connectMs : left, left));
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: ms, query_timeout: ms });
    // An error after the probe gave up on this client (the socket closing late) must not become an unhandled 'error'.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (e: unknown) {
      last = e;
      // Not awaited: a connection that never opened (timed out, refused) never reports its end either.
      client.end().catch(() => undefined);
      if (!isPgConnectionFailure(e)) throw new AppError('db.refused', `the database at ${where(url)} refused the connection: ${oneLine(e)}`, { cause: e });
    }
    const pause = Math.min(o.retryMs ?? 500, deadline - Date.now());
    if (pause > 0) await new Promise((r) => setTimeout(r, pause));
  }
}

function unreachable(url: string, timeoutMs: number, attempts: number, last: unknown): AppError {
  return new AppError('db.unreachable', `cannot reach the database at ${where(url)}: ${attempts} attempt(s) in ${timeoutMs} ms, the last: ${oneLine(last)}; `
    + 'check DATABASE_URL and that PostgreSQL is up (DATABASE_STARTUP_TIMEOUT_MS to wait longer)', { cause: last });
}

/** host:port/database of a connection URL, without the user or password. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

function oneLine(e: unknown): string {
  const text = e instanceof Error ? (e.message || (e as { code?: string }).code || e.name) : String(e);
  return text.replace(/\s+/g, ' ').trim();
}
