import { describe, expect, it } from 'vitest';
import { reviveTryton, trytonDate, trytonDecimal } from '../../../src/erp/connectors/tryton/rpc-codec.ts';
import { fromFault, fromFetchFailure, fromHttpStatus } from '../../../src/erp/connectors/tryton/rpc-errors.ts';

/**
 * The pure parts of the Tryton client: typed values and error mapping, for the answers the integration test
 * (test/integration/tryton-rpc.test.ts, real trytond) cannot provoke on demand. Shapes as trytond 6.0 sends them
 * (trytond/exceptions.py, trytond/protocols/jsonrpc.py).
 */
describe('Tryton typed values', () => {
  it('sends money as a Decimal string and dates as plain dates', () => {
    expect(trytonDecimal('35.50')).toEqual({ __class__: 'Decimal', decimal: '35.50' });
    expect(trytonDate('2026-01-09')).toEqual({ __class__: 'date', year: 2026, month: 1, day: 9 });
    expect(() => trytonDecimal('1e3')).toThrow(TypeError);
    expect(() => trytonDecimal('35,50')).toThrow(TypeError);
    expect(() => trytonDate('2026-1-9')).toThrow(TypeError);
  });

  it('revives tagged values inside results, keeping decimals exact', () => {
    const revived = reviveTryton([{
      id: 7, total_amount: { __class__: 'Decimal', decimal: '0.10' }, invoice_date: { __class__: 'date', year: 2026, month: 3, day: 4 },
      write_date: { __class__: 'datetime', year: 2026, month: 3, day: 4, hour: 5, minute: 6, second: 7, microsecond: 890 },
      'party.': { id: 2, rec_name: 'Wang Fang' }, data: { __class__: 'bytes', base64: Buffer.from('hi').toString('base64') },
    }]);
    expect(revived).toEqual([{
      id: 7, total_amount: '0.10', invoice_date: '2026-03-04', write_date: '2026-03-04T05:06:07.000890',
      'party.': { id: 2, rec_name: 'Wang Fang' }, data: Buffer.from('hi'),
    }]);
  });
});

describe('Tryton errors', () => {
  it('UserError and UserWarning are erp.validation with Tryton’s message', () => {
    const err = fromFault('model.account.invoice.post', ['UserError', ['The invoice "1" has no line.', 'Add a line.', null]]);
    expect(err).toMatchObject({ code: 'erp.validation', retryable: false, message: 'The invoice "1" has no line.' });
    expect(err.details).toEqual({ method: 'model.account.invoice.post', kind: 'UserError', description: 'Add a line.' });
    const warn = fromFault('model.account.invoice.post', ['UserWarning', ['some_warning_key', 'The date is in the future.', '']]);
    expect(warn).toMatchObject({ code: 'erp.validation', message: 'The date is in the future.' });
    expect(warn.details).toMatchObject({ warning: 'some_warning_key' });
  });

  it('a LoginException is erp.auth; other faults are erp.rpc_error and not retried', () => {
    expect(fromFault('common.db.login', ['LoginException', ['password', 'Password for admin', 'password']]).code).toBe('erp.auth');
    const server = fromFault('model.account.invoice.create', ['division by zero', 'Traceback (most recent call last): …']);
    expect(server).toMatchObject({ code: 'erp.rpc_error', retryable: false });
    expect(server.message).toContain('division by zero');
    expect(fromFault('model.account.invoice.write', ['ConcurrencyException', 'Records were modified in the meanwhile']).message)
      .toContain('modified in the meanwhile');
  });

  it('maps HTTP statuses: 404 and 5xx unavailable, 429 auth, 403 rpc_error', () => {
    expect(fromHttpStatus('common.db.login', 404)).toMatchObject({ code: 'erp.unavailable', retryable: true });
    expect(fromHttpStatus('model.x.read', 503)).toMatchObject({ code: 'erp.unavailable', retryable: true });
    expect(fromHttpStatus('common.db.login', 429)).toMatchObject({ code: 'erp.auth', retryable: false });
    expect(fromHttpStatus('model.ir.session.read', 403)).toMatchObject({ code: 'erp.rpc_error', retryable: false });
  });

  it('fetch failures are erp.unavailable with the reason', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    expect(fromFetchFailure('m', refused, 1000)).toMatchObject({ code: 'erp.unavailable', retryable: true, details: { reason: 'network' } });
    expect(fromFetchFailure('m', refused, 1000).message).toContain('ECONNREFUSED');
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(fromFetchFailure('m', timeout, 1000)).toMatchObject({ code: 'erp.unavailable', details: { reason: 'timeout' } });
  });
});
