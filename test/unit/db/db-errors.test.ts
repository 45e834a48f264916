import { describe, expect, it } from 'vitest';
import { AppError, ExternalServiceError } from '../../../src/core/errors.ts';
import { DatabaseUnavailableError, isDatabaseUnavailable, isPgConnectionFailure } from '../../../src/db/db-errors.ts';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('isPgConnectionFailure', () => {
  it.each([
    ['terminated by pg_terminate_backend (57P01)', withCode('terminating connection due to administrator command', '57P01'), true],
    ['server crash (57P02)', withCode('terminating connection because of crash of another server process', '57P02'), true],
    ['server starting up (57P03)', withCode('the database system is starting up', '57P03'), true],
    ['connection_failure (08006)', withCode('connection failure', '08006'), true],
    ['too many connections (53300)', withCode('sorry, too many clients already', '53300'), true],
    ['idle in transaction too long (25P03)', withCode('terminating connection due to idle-in-transaction timeout', '25P03'), true],
    ['socket refused', withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), true],
    ['socket reset', withCode('read ECONNRESET', 'ECONNRESET'), true],
    ['node-postgres: connection ended', new Error('Connection terminated unexpectedly'), true],
    ['node-postgres: used after an error', new Error('Client has encountered a connection error and is not queryable'), true],
    ['node-postgres: client-side query timeout', new Error('Query read timeout'), true],
    ['pg-pool: connect timeout', new Error('timeout exceeded when trying to connect'), true],
    ['both addresses refused', new AggregateError([withCode('connect ECONNREFUSED ::1:1', 'ECONNREFUSED')], ''), true],
    ['unique violation (23505)', withCode('duplicate key value violates unique constraint', '23505'), false],
    ['statement_timeout (57014): the statement, not the connection', withCode('canceling statement due to statement timeout', '57014'), false],
    ['syntax error (42601)', withCode('syntax error at or near "selec"', '42601'), false],
    ['wrong password (28P01): waiting will not help', withCode('password authentication failed for user "x"', '28P01'), false],
    ['not an error', 'Connection terminated', false],
  ])('%s → %s', (_label, e, expected) => {
    expect(isPgConnectionFailure(e)).toBe(expected);
  });
});

describe('isDatabaseUnavailable', () => {
  const lost = new DatabaseUnavailableError(new Error('Connection terminated unexpectedly'));
  it('finds the DatabaseUnavailableError itself or under causes', () => {
    expect(isDatabaseUnavailable(lost)).toBe(true);
    expect(isDatabaseUnavailable(new Error('turn failed', { cause: lost }))).toBe(true);
    expect(isDatabaseUnavailable(new ExternalServiceError('erp', 'erp.failed', 'x', { retryable: true, cause: lost }))).toBe(true);
  });
  it('does not take a raw socket error for the database (a platform API refusing is not the database going away)', () => {
    expect(isDatabaseUnavailable(new TypeError('fetch failed', { cause: withCode('connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED') }))).toBe(false);
    expect(isDatabaseUnavailable(new AppError('erp.failed', 'x'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
  it('is a 503 with code db.unavailable', () => {
    expect(lost).toMatchObject({ code: 'db.unavailable', httpStatus: 503 });
  });
});
