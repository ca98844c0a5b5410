import { QueryFailedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isTransientDatabaseError } from './transient-database-error';

const pgError = (code: string, message = 'error') => Object.assign(new Error(message), { code });

describe('isTransientDatabaseError', () => {
  it.each([
    ['a serialization failure', pgError('40001')],
    ['a deadlock', pgError('40P01')],
    ['a terminated backend', pgError('57P01', 'terminating connection due to administrator command')],
    ['a server starting up', pgError('57P03', 'the database system is starting up')],
    ['a refused connection', pgError('ECONNREFUSED')],
    ['a connection exception class 08', pgError('08006')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a transaction whose connection TypeORM released', new QueryRunnerProviderAlreadyReleasedError()],
    ['a QueryFailedError wrapping a deadlock', new QueryFailedError('SELECT 1', [], pgError('40P01'))],
  ])('retries %s', (_label, error) => {
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it.each([
    ['a unique violation', pgError('23505')],
    ['a value too long', pgError('22001')],
    ['a syntax error', new QueryFailedError('SELEC 1', [], pgError('42601'))],
    ['a programming error', new TypeError('x is undefined')],
    ['a non-error', 'boom'],
  ])('does not retry %s', (_label, error) => {
    expect(isTransientDatabaseError(error)).toBe(false);
  });
});
