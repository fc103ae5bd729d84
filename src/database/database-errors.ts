// Failures that say the database is away (down, restarting, unreachable, out of connections),
// not that the request was wrong: they are answered 503, to be tried again.

/** Prisma's codes for a server that cannot be reached or stopped answering. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** What @prisma/adapter-pg reports under meta.driverAdapterError.cause.kind. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/**
 * Postgres SQLSTATEs of a shutting-down or starting server, of broken connections, of a server out
 * of connections (53300), and of a server too busy to answer in time: a lock not granted within
 * lock_timeout (55P03), a statement cancelled by statement_timeout (57014). All of them may work
 * when tried again.
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '53300', '55P03', '57014']);
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
/** node-postgres's and pg-pool's own errors, which carry no code. */
const NODE_POSTGRES_MESSAGES = [
  // The connection died under a query, or while it was being made.
  /^Connection terminated/,
  // A statement sent on a connection that had already failed (see Database.inTransaction).
  /^Client has encountered a connection error and is not queryable$/,
  // The client's own query_timeout (see Database): the connection stopped answering.
  /^Query read timeout$/,
  // No connection could be had from the pool within connectionTimeoutMillis.
  /^timeout exceeded when trying to connect$/,
];

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
  if (
    typeof shape.message === 'string' &&
    NODE_POSTGRES_MESSAGES.some((pattern) => pattern.test(shape.message as string))
  ) {
    return true;
  }
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
