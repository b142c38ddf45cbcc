import { getTableColumns } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

/** The rows of `db.execute`: postgres.js answers an array of rows, PGlite an object holding them. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

/**
 * A row of `table` as drizzle's own reads give it, from a row keyed by column name (`db.execute`'s
 * rows, or `to_jsonb(row)`): each value through its column's mapping (timestamps from text), JSON
 * columns as they come (already parsed).
 */
export function rowOf<T extends PgTable>(table: T, raw: Record<string, unknown>): T["$inferSelect"] {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = raw[column.name];
    out[key] =
      value === null || value === undefined
        ? null
        : column.dataType === "json"
          ? value
          : column.mapFromDriverValue(value);
  }
  return out as T["$inferSelect"];
}
