import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import pg from 'pg';
import { AppError } from '../core/errors.ts';
import { DatabaseUnavailableError, isPgConnectionFailure } from './db-errors.ts';

/** Timeouts for the PostgreSQL pool, in milliseconds; 0 turns one off. */
export interface PgTimeouts {
  /** Opening a connection, and waiting for a free one in a full pool. */
  connectMs: number;
  /** Server side: a statement running longer is cancelled (SQLSTATE 57014). */
  statementMs: number;
  /** Server side: a session idle inside a transaction this long is closed (its locks are released). */
  idleInTransactionMs: number;
  /** Client side: no answer this long (a black-holed server) fails the query and discards its connection. */
  queryMs: number;
}

export interface PgPoolOptions {
  url: string;
  max: number;
  timeouts: PgTimeouts;
  /** Told about every error a connection emits outside a query (the server dropped it, pooled or checked out). */
  onConnectionError: (e: Error) => void;
}

/** TCP keepalive probes start after this much silence, so a dead peer is noticed by the OS, not only by a timeout. */
const KEEPALIVE_DELAY_MS = 10_000;

/**
 * The pg pool behind Kysely, made to survive the database dropping connections:
 *
 * - Every client gets its own 'error' listener for its whole life. pg-pool listens only while a client is idle
 *   (node_modules/pg-pool/index.js removes its idle listener on checkout), and node-postgres emits 'error' on a
 *   client whose server connection ends outside a query (node_modules/pg/lib/client.js _handleErrorEvent): a
 *   client checked out between two statements of a transaction when its backend is terminated would otherwise
 *   throw an unhandled 'error' event and end the process. Its next query then fails, the transaction rolls
 *   back, and the pool discards it on release (it is no longer queryable).
 * - A client whose query failed for its connection (a client-side timeout, the server ending the session) is
 *   released as broken, so the pool ends it instead of handing it to the next caller.
 * - A lost or impossible connection surfaces as DatabaseUnavailableError (db-errors.ts), so the workers can tell
 *   "the database went away" from "this work failed".
 */
export function createPgPool(o: PgPoolOptions): { pool: pg.Pool; kysely: PostgresPool } {
  const t = o.timeouts;
  const pool = new pg.Pool({
    connectionString: o.url, max: o.max, keepAlive: true, keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    connectionTimeoutMillis: t.connectMs,
    // node-postgres sends these as startup parameters, so they hold for every session (0 leaves the server's default).
    ...(t.statementMs > 0 ? { statement_timeout: t.statementMs } : {}),
    ...(t.idleInTransactionMs > 0 ? { idle_in_transaction_session_timeout: t.idleInTransactionMs } : {}),
    ...(t.queryMs > 0 ? { query_timeout: t.queryMs } : {}),
  });
  pool.on('connect', (client) => { client.on('error', o.onConnectionError); });
  // pg-pool re-emits an idle client's error here after removing it; the client's own listener already reported it.
  pool.on('error', () => undefined);
  const connect = async (): Promise<PostgresPoolClient> => guarded(await pool.connect().catch((e: unknown) => { throw unavailable(e); }));
  return { pool, kysely: { connect, end: () => pool.end() } };
}

function unavailable(e: unknown): unknown {
  return isPgConnectionFailure(e) ? new DatabaseUnavailableError(e) : e;
}

/** Thrown if something asks the pool for a cursor: streaming is not configured (Kysely's `cursor` option). */
class CursorUnsupported extends AppError {
  constructor() { super('db.cursor_unsupported', 'streaming queries are not configured for this pool'); }
}

/** A checked-out client that remembers a connection failure under one of its queries and then releases itself as broken. */
function guarded(client: pg.PoolClient): PostgresPoolClient {
  let broken: Error | undefined;
  function query<R>(sqlText: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  function query<R>(sqlText: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlText !== 'string') throw new CursorUnsupported();
    return client.query<R & pg.QueryResultRow>(sqlText, [...(parameters ?? [])]).then(
      (r) => r as PostgresQueryResult<R>,
      (e: unknown) => {
        // The connection is done for: a client-side timeout (its late answer must not reach the next query), or the
        // server ending the session (57P01 arrives as this query's error while the socket closes a moment later, and
        // a client released in between would be handed to the next caller still looking healthy).
        if (isPgConnectionFailure(e)) broken = e as Error;
        throw unavailable(e);
      },
    );
  }
  return { query, release: () => client.release(broken) };
}
