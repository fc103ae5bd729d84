// Failures that say the database is away (down, restarting, unreachable, out of connections),
// not that the request was wrong: they are answered 503, to be tried again.

/** Prisma's codes for a server that cannot be reached or stopped answering. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** What @prisma/adapter-pg reports under meta.driverAdapterError.cause.kind. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/**
 * Postgres SQLSTATEs of a shutting-down or starting server, of broken connections, and of a server
 * too busy to answer in time: a lock not granted within lock_timeout (55P03), a statement
 * cancelled by statement_timeout (57014). All of them may work when tried again.
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '55P03', '57014']);
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

interface ErrorShape {
  code?: unknown;
  message?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
  cause?: unknown;
}

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 3 || error === null || typeof error !== 'object') return false;
  const shape = error as ErrorShape;
  if (
    typeof shape.code === 'string' &&
    (PRISMA_CODES.has(shape.code) || SQLSTATES.has(shape.code) || NODE_CODES.has(shape.code))
  ) {
    return true;
  }
  const adapter = shape.meta?.driverAdapterError?.cause;
  if (typeof adapter?.kind === 'string' && ADAPTER_KINDS.has(adapter.kind)) return true;
  if (typeof adapter?.originalCode === 'string' && SQLSTATES.has(adapter.originalCode)) return true;
  // node-postgres, when a pooled connection dies under a query.
  if (typeof shape.message === 'string' && /^Connection terminated/.test(shape.message)) return true;
  // node-postgres's own query_timeout (see Database): the connection stopped answering.
  if (typeof shape.message === 'string' && shape.message === 'Query read timeout') return true;
  return isDatabaseUnavailable(shape.cause, depth + 1);
}

/**
 * A unique index refused a row: Postgres's 23505 through node-postgres, Prisma's P2002 from model
 * queries, or the adapter's UniqueConstraintViolation under P2010 from raw statements.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const shape = error as ErrorShape;
  return (
    shape.code === '23505' ||
    shape.code === 'P2002' ||
    shape.meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation' ||
    shape.meta?.driverAdapterError?.cause?.originalCode === '23505'
  );
}

/** Two transactions waited on each other (40P01) or could not be serialised (40001): the one refused may run again. */
export function isTransactionConflict(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const code = (error as ErrorShape).code;
  return code === '40P01' || code === '40001';
}
