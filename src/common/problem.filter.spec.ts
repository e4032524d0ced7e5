import { describe, expect, it } from '@jest/globals';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { DomainError } from './errors.js';
import { ProblemFilter } from './problem.filter.js';

const filter = new ProblemFilter();
const dbError = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new QueryFailedError('SELECT secret FROM users', [], new Error('relation "users" leaked')), { code, ...extra });

describe('ProblemFilter.toProblem', () => {
  it('maps domain errors through the one table', () => {
    expect(filter.toProblem(new DomainError('stale-version', 'stale_version', { current: 4 }))).toMatchObject({
      status: 409,
      code: 'stale_version',
      params: { current: 4 },
      detail: 'The record was changed by someone else (now version 4); reload and retry',
    });
    expect(filter.toProblem(new DomainError('business-rule', 'extensions_used', { max: 1, used: 1 }))).toMatchObject({ status: 422 });
    expect(filter.toProblem(new DomainError('too-many-requests', 'too_many_logins', { seconds: 3 }, { retryAfterSeconds: 3 }))).toMatchObject({
      status: 429,
      retryAfterSeconds: 3,
    });
  });

  it('never exposes internals of an unknown error', () => {
    const problem = filter.toProblem(new Error('connect to /var/run/secret.sock failed at Object.<anonymous> (/app/src/x.ts:1:1)'));
    expect(problem).toEqual({ type: 'about:blank', title: 'Internal server error', status: 500, detail: 'An unexpected error occurred', code: 'internal_error', params: {} });
  });

  it('turns database errors a client can cause into 4xx without SQL, and outages into 503', () => {
    expect(filter.toProblem(dbError('23505', { constraint: 'schools_npsn_key' }))).toMatchObject({ status: 409, errors: [{ field: 'npsn' }] });
    expect(filter.toProblem(dbError('23502', { column: 'school_id' }))).toMatchObject({ status: 400, errors: [{ field: 'schoolId' }] });
    expect(filter.toProblem(dbError('22P02'))).toMatchObject({ status: 400 });
    expect(filter.toProblem(dbError('57014'))).toMatchObject({ status: 503 });
    expect(filter.toProblem(dbError('57P01'))).toMatchObject({ status: 503 });
    expect(filter.toProblem(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({ status: 503 });
    expect(filter.toProblem(Object.assign(new Error('connect ENOENT /tmp/x/.s.PGSQL.5432'), { code: 'ENOENT', syscall: 'connect' }))).toMatchObject({ status: 503 });
    expect(filter.toProblem(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', syscall: 'open' }))).toMatchObject({ status: 500 });
    expect(filter.toProblem(dbError('53300'))).toMatchObject({ status: 503 });
    for (const code of ['23505', '23502', '22P02', '57014', '55P03', 'XX000']) {
      expect(JSON.stringify(filter.toProblem(dbError(code)))).not.toMatch(/SELECT|leaked|users/);
    }
  });

  it('tells the kinds of 503 apart: a row lock, a busy pool, a database away', () => {
    expect(filter.toProblem(dbError('55P03'))).toMatchObject({ status: 503, detail: expect.stringMatching(/another request is changing/i) });
    expect(filter.toProblem(dbError('57014'))).toMatchObject({ status: 503, detail: expect.stringMatching(/did not answer in time/) });
    // pg-pool: no pooled connection freed up within the acquire timeout.
    expect(filter.toProblem(new Error('timeout exceeded when trying to connect'))).toMatchObject({ status: 503, detail: expect.stringMatching(/connections are in use/) });
    // Dropped mid-query, refused at connect time (with and without a SQLSTATE).
    const away = [
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout'),
      new Error('Client has encountered a connection error and is not queryable'),
      Object.assign(new Error('the database system is shutting down'), { code: '57P03' }),
      Object.assign(new Error('sorry, too many clients already'), { code: '53300' }),
      Object.assign(new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly')), {}),
      // TypeORM, for the next statement of a transaction whose connection was dropped.
      new QueryRunnerProviderAlreadyReleasedError(),
      new QueryRunnerAlreadyReleasedError(),
    ];
    for (const error of away) expect(filter.toProblem(error)).toMatchObject({ status: 503, detail: expect.stringMatching(/not reachable/) });
  });
});
