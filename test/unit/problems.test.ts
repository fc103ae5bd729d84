import { ErrorCode, errorKind } from '../../src/common/errors/error-codes.js';
import { toDomainError } from '../../src/common/errors/problem.js';

// What a failure that is no DomainError is answered with: never a 500 for a database that is
// away or a write that met another head-on, which the client can simply send again.

describe('toDomainError', () => {
  it.each([
    ['a deadlock (40P01)', Object.assign(new Error('deadlock detected'), { code: '40P01' })],
    ['a serialization failure (40001)', Object.assign(new Error('could not serialize access'), { code: '40001' })],
  ])('answers %s with 409 WRITE_CONFLICT and Retry-After', (_case, error) => {
    const problem = toDomainError(error);
    expect(problem.code).toBe(ErrorCode.WRITE_CONFLICT);
    expect(errorKind(problem.code).status).toBe(409);
    expect(problem.headers).toEqual({ 'retry-after': '1' });
  });

  it.each([
    ["node-postgres's query_timeout", new Error('Query read timeout')],
    ['a connection that died under a query', new Error('Connection terminated unexpectedly')],
    ['a server shutting down (57P01)', Object.assign(new Error('terminating connection'), { code: '57P01' })],
  ])('answers %s with 503 DATABASE_UNAVAILABLE', (_case, error) => {
    const problem = toDomainError(error);
    expect(problem.code).toBe(ErrorCode.DATABASE_UNAVAILABLE);
    expect(errorKind(problem.code).status).toBe(503);
  });

  it('answers anything else it does not know with a 500 that says nothing of it', () => {
    const problem = toDomainError(new Error('relation "orders" does not exist'));
    expect(problem.code).toBe(ErrorCode.INTERNAL);
    expect(problem.detail).not.toContain('orders');
  });
});
