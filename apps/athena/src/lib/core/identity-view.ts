/** Plain-data views of identities, shared by server pages and client components. */

export interface IdentityLike {
  id: string;
  schema_id: string;
  state?: string;
  traits?: unknown;
  metadata_admin?: unknown;
  metadata_public?: unknown;
  created_at?: Date | string;
  verifiable_addresses?: { value: string; verified: boolean }[];
}

type Traits = Record<string, unknown>;
const traitsOf = (i: IdentityLike): Traits =>
  i.traits && typeof i.traits === "object" ? (i.traits as Traits) : {};

/** Demo identities (`metadata_admin.demo === true`) are protected from destructive actions. */
export function isDemo(i: Pick<IdentityLike, "metadata_admin">): boolean {
  const m = i.metadata_admin;
  return !!m && typeof m === "object" && (m as Record<string, unknown>).demo === true;
}

/** The identity's main identifier for lists: email, else username, customer or employee id. */
export function primaryIdentifier(i: IdentityLike): string {
  const t = traitsOf(i);
  for (const k of ["email", "username", "customer_id", "employee_id", "phone"]) {
    if (typeof t[k] === "string" && t[k]) return t[k] as string;
  }
  return i.id;
}

/** A human name from the schemas Olympus ships (`name{first,last}`, `first_name`/`last_name`, `name`). */
export function displayName(i: IdentityLike): string {
  const t = traitsOf(i);
  if (typeof t.name === "string") return t.name;
  const n = t.name && typeof t.name === "object" ? (t.name as Traits) : {};
  const first = (n.first ?? t.first_name) as string | undefined;
  const last = (n.last ?? t.last_name) as string | undefined;
  return [first, last].filter((x) => typeof x === "string" && x).join(" ");
}

/** Is this address verified? */
export function isVerified(i: IdentityLike): boolean {
  return (i.verifiable_addresses ?? []).some((a) => a.verified);
}

/** The row a table shows. */
export interface IdentityRow {
  id: string;
  identifier: string;
  name: string;
  schema: string;
  state: string;
  verified: boolean;
  demo: boolean;
  created: string | null;
}

export function toRow(i: IdentityLike): IdentityRow {
  return {
    id: i.id,
    identifier: primaryIdentifier(i),
    name: displayName(i),
    schema: i.schema_id,
    state: i.state ?? "active",
    verified: isVerified(i),
    demo: isDemo(i),
    created: i.created_at ? new Date(i.created_at).toISOString() : null,
  };
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
