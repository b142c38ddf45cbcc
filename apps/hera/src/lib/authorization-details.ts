/*
 * Rich Authorization Requests (RFC 9396) as the consent page shows them. The core checked the
 * details' shape, but everything in them was written by the client: it is shown as text (React
 * escapes it), never as markup or links, and long values are cut.
 */

export interface AuthorizationDetail {
  type: string;
  [field: string]: unknown;
}

/** The RFC 9396 §2.2 common fields, in the order they are shown. */
export const COMMON_FIELDS = ["actions", "locations", "datatypes", "identifier", "privileges"] as const;
export type CommonField = (typeof COMMON_FIELDS)[number];

const MAX_TEXT = 200;

/** The details of a consent request's raw JSON; anything that is not a list of typed objects is left out. */
export function readAuthorizationDetails(value: unknown): AuthorizationDetail[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (d): d is AuthorizationDetail =>
      Boolean(d) &&
      typeof d === "object" &&
      !Array.isArray(d) &&
      typeof (d as { type?: unknown }).type === "string",
  );
}

const isScalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/**
 * A field's value as one line of text: strings as they are, lists of strings joined, an object of
 * plain values as `name: value` pairs, anything else as JSON.
 */
export function fieldText(value: unknown): string {
  const text =
    typeof value === "string"
      ? value
      : Array.isArray(value) && value.every((v) => typeof v === "string")
        ? value.join(", ")
        : value && typeof value === "object" && !Array.isArray(value) && Object.values(value).every(isScalar)
          ? Object.entries(value)
              .map(([k, v]) => `${k}: ${String(v)}`)
              .join(", ")
          : JSON.stringify(value);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

export interface DetailRows {
  type: string;
  common: { field: CommonField; text: string }[];
  other: { key: string; text: string }[];
}

/** What the page shows of one detail: its type, the common fields it has, then every other field. */
export function detailRows(d: AuthorizationDetail): DetailRows {
  const common = COMMON_FIELDS.filter((f) => d[f] !== undefined).map((field) => ({
    field,
    text: fieldText(d[field]),
  }));
  const other = Object.keys(d)
    .filter((k) => k !== "type" && !(COMMON_FIELDS as readonly string[]).includes(k))
    .sort()
    .map((key) => ({ key, text: fieldText(d[key]) }));
  return { type: d.type, common, other };
}
