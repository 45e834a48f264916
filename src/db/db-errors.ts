import { AppError } from '../core/errors.ts';

/**
 * SQLSTATEs that mean the connection (not the statement) failed, from PostgreSQL's "Appendix A. PostgreSQL
 * Error Codes" (postgresql.org/docs/current/errcodes-appendix.html): class 08 connection_exception;
 * 57P01 admin_shutdown (pg_terminate_backend, a fast shutdown), 57P02 crash_shutdown, 57P03
 * cannot_connect_now (starting up, recovery); 53300 too_many_connections; 25P03
 * idle_in_transaction_session_timeout (the server closes the session).
 */
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '25P03']);
/** Socket errors (Node's errno codes) on the way to the server. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * What node-postgres says when the socket dies or a timeout fires, as written in node_modules/pg/lib/client.js
 * ('Connection terminated unexpectedly', 'Client has encountered a connection error and is not queryable',
 * 'Query read timeout', 'Connection terminated due to connection timeout', 'timeout expired') and
 * node_modules/pg-pool/index.js ('timeout exceeded when trying to connect').
 */
const PG_MESSAGES = /^(Connection terminated|Client has encountered a connection error|Query read timeout|timeout exceeded when trying to connect|timeout expired)/;

/**
 * For errors straight from node-postgres only: true when the connection failed or could not be made (as
 * opposed to a statement the server refused: a constraint, statement_timeout 57014, a syntax error). Socket
 * codes are only meaningful here, where the socket is the database's.
 */
export function isPgConnectionFailure(e: unknown): boolean {
  if (e instanceof AggregateError && e.errors.some((x) => isPgConnectionFailure(x))) return true;
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('08') || CONNECTION_SQLSTATES.has(code) || SOCKET_CODES.has(code))) return true;
  return PG_MESSAGES.test(e.message);
}

export const DB_UNAVAILABLE = 'db.unavailable';

/**
 * The database could not be reached or dropped the connection under a query (pg-pool.ts wraps such errors in
 * this). The work is not at fault: it should run again as it is, without counting a failed attempt; an HTTP
 * caller gets a 503 and retries (platforms redeliver).
 */
export class DatabaseUnavailableError extends AppError {
  constructor(cause: unknown) {
    super(DB_UNAVAILABLE, `the database is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, httpStatus: 503 });
  }
}

/** True when `e`, or an error it was wrapped from, is a DatabaseUnavailableError. */
export function isDatabaseUnavailable(e: unknown): boolean {
  for (let cur = e, depth = 0; cur instanceof Error && depth < 8; cur = cur.cause, depth++) {
    if (cur instanceof AppError && cur.code === DB_UNAVAILABLE) return true;
  }
  return false;
}

/**
 * SQLSTATEs of a value the database cannot take (class 22 data_exception, postgresql.org/docs/current/
 * errcodes-appendix.html): 22003 numeric_value_out_of_range (an amount past numeric(18,2)), 22P05
 * untranslatable_character (`\u0000` or a surrogate half in jsonb), 22021 character_not_in_repertoire (a NUL in
 * text), 22001 string_data_right_truncation, 22007 invalid_datetime_format, 22008 datetime_field_overflow.
 * Running the same work again fails the same way: these are permanent, never retried as if transient.
 */
const VALUE_SQLSTATES = new Set(['22003', '22P05', '22021', '22001', '22007', '22008']);

/** True when `e`, or an error it was wrapped from, is PostgreSQL refusing a value (see VALUE_SQLSTATES). */
export function isValueRejected(e: unknown): boolean {
  for (let cur = e, depth = 0; cur instanceof Error && depth < 8; cur = cur.cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && VALUE_SQLSTATES.has(code)) return true;
  }
  return false;
}

export const VALUE_REJECTED = 'db.value_rejected';
