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

/** True when an error means the database cannot be reached (connection refused, closed, timed out). */
export function isConnectionError(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const err = cur as { code?: string; message?: string; cause?: unknown };
    if (
      err.code &&
      [
        "ECONNREFUSED",
        "ECONNRESET",
        "ETIMEDOUT",
        "CONNECT_TIMEOUT",
        "CONNECTION_CLOSED",
        "CONNECTION_ENDED",
        "CONNECTION_DESTROYED",
        "57P01",
        "57P03",
        "08006",
        "08001",
        "08003",
      ].includes(err.code)
    ) {
      return true;
    }
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
