/**
 * Telling a database that cannot answer (or cannot take a write) from a
 * query that is wrong. The first is the outside world's fault and passes:
 * the connection dropped, the server restarts, the disk is full, the file
 * is read-only, another process holds the write lock. Callers answer it
 * with "try again shortly" (HTTP 503 with Retry-After) rather than a 500,
 * and name the cause in the log. Both dialects' codes live here.
 */

export interface DatabaseFault {
  /** The driver's code: `ECONNREFUSED`, `57P01`, `SQLITE_FULL`, ... */
  readonly code: string;
  /** The code and the driver's message, for the log and /readyz. */
  readonly cause: string;
}

/** Socket errors on the way to PostgreSQL. */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

/**
 * PostgreSQL SQLSTATEs that say the server, not the query, is the problem:
 * class 08 (connection exception), 57P01-57P03 (shutting down, cannot
 * connect now), 53xxx (out of disk, memory or connections), 25006 (a
 * read-only server: a standby after a failover).
 */
const pgStates = /^(08...|57P0[1-3]|53...|25006)$/;

/** node-postgres says these in words only, without a code. */
const pgMessages =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed and is not queryable|Connection ended unexpectedly/i;

/**
 * SQLite's primary codes (better-sqlite3 reports extended ones, such as
 * SQLITE_READONLY_DBMOVED or SQLITE_IOERR_WRITE, which start with these):
 * the disk or the page budget is full, the file cannot be written or
 * opened, another connection holds the lock past the busy timeout.
 */
const sqlitePrefixes = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_BUSY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN'];

export function databaseFault(err: unknown): DatabaseFault | null {
  if (err === null || typeof err !== 'object') return null;
  const e: { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown } = err;
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const fault = (c: string): DatabaseFault => ({ code: c, cause: message ? `${c}: ${message}` : c });
  if (networkCodes.has(code) || pgStates.test(code)) return fault(code);
  if (sqlitePrefixes.some((p) => code.startsWith(p))) return fault(code);
  if (pgMessages.test(message)) return fault('connection_lost');
  // An AggregateError (a refused connect to both ::1 and 127.0.0.1), or an error wrapping one.
  if (Array.isArray(e.errors))
    for (const inner of e.errors) if (databaseFault(inner)) return fault(code || 'connection_failed');
  if (e.cause !== undefined && e.cause !== err) return databaseFault(e.cause);
  return null;
}

/** How /readyz words a fault: a database that answers but takes no write, or one that does not answer. */
export function faultCheck(fault: DatabaseFault): string {
  const refusesWrites = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_BUSY', '53100', '25006'].some((c) =>
    fault.code.startsWith(c),
  );
  return `${refusesWrites ? 'cannot write' : 'unreachable'}: ${fault.cause}`;
}
