/** True when a database error (possibly wrapped by drizzle) is a unique-constraint violation. */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const err = cur as {
      code?: string;
      constraint_name?: string;
      constraint?: string;
      detail?: string;
      message?: string;
      cause?: unknown;
    };
    if (err.code === "23505") {
      if (!constraint) return true;
      const name = err.constraint_name ?? err.constraint ?? "";
      return (
        name === constraint ||
        (err.message ?? "").includes(constraint) ||
        (err.detail ?? "").includes(constraint)
      );
    }
    cur = err.cause;
  }
  return false;
}

/** Driver and PostgreSQL codes that mean "the database is not there (now)", not "the request is wrong". */
const UNAVAILABLE_CODES = new Set([
  // Node sockets and postgres.js
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  // the availability gate (availability.ts)
  "DB_UNAVAILABLE",
  // SQLSTATE class 08 (connection exception)
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  // class 53 (insufficient resources: disk full, out of memory, too many connections)
  "53000",
  "53100",
  "53200",
  "53300",
  // class 57 (operator intervention: admin or crash shutdown, cannot connect now)
  "57P01",
  "57P02",
  "57P03",
  // class 58 (system error: I/O error)
  "58000",
  "58030",
]);

/**
 * True when an error means the database cannot be reached or cannot store now: a connection refused,
 * closed, reset or timed out, the availability gate being down, PostgreSQL out of disk, memory or
 * connections, shutting down, or failing I/O — and for PGlite (in-process) its storage failing or the
 * instance being closed. Answered 503, never 500.
 */
export function isConnectionError(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const err = cur as { code?: string; message?: string; name?: string; cause?: unknown };
    if (typeof err.code === "string" && UNAVAILABLE_CODES.has(err.code)) return true;
    // PGlite: a closed instance, or its (Emscripten) file system failing underneath PostgreSQL.
    if (err.message === "PGlite is closed" || err.name === "ErrnoError") return true;
    cur = err.cause;
  }
  return false;
}

/**
 * True when PostgreSQL refused a value the client sent as text it cannot store (a NUL byte,
 * an untranslatable character): the request is bad, not the server.
 */
export function isInvalidTextError(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const err = cur as { code?: string; cause?: unknown };
    if (err.code === "22021" || err.code === "22P05") return true;
    cur = err.cause;
  }
  return false;
}
