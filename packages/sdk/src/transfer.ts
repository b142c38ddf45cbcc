// Identity import and export in Kratos' import shape (JSON) and as CSV: the parsing, the batched
// import through `PATCH /admin/identities` with a report per row, and the export. octl and Athena
// share it, so a file means the same thing on the command line and in the browser.
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import type { Identity, IdentityApi } from "@ory/client-fetch";
import { nextPageToken } from "./olympus.ts";

/** One identity to import: its row (CSV line, or position in a JSON array), the body or why not. */
export interface ImportRow {
  row: number;
  create?: Record<string, unknown>;
  error?: string;
}

/** What became of one row. */
export interface ImportResult {
  row: number;
  status: "created" | "failed";
  id?: string;
  /** The identifier the row was about (traits.email or traits.username), when it had one. */
  identifier?: string;
  reason?: string;
}

/** Kratos refuses a batch with more than 200 cleartext passwords; smaller batches also report sooner. */
export const IMPORT_BATCH_SIZE = 200;

/** Columns of the CSV that are not traits. Any other column is a trait (`name.first` nests). */
export const CSV_COLUMNS = {
  fields: ["schema_id", "state", "external_id", "password", "hashed_password", "email_verified"],
  json: ["metadata_public", "metadata_admin"],
  /** Written by the export, skipped by the import. */
  ignored: ["id", "created_at", "updated_at"],
} as const;

const RESERVED = new Set<string>([...CSV_COLUMNS.fields, ...CSV_COLUMNS.json, ...CSV_COLUMNS.ignored]);

// Members an exported or listed identity has that a create body must not (Kratos decodes it strictly).
const READ_ONLY = ["id", "created_at", "updated_at", "state_changed_at", "schema_url", "organization_id"];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const identifierOf = (body: Record<string, unknown> | undefined): string | undefined => {
  const traits = body?.traits;
  if (!isObject(traits)) return undefined;
  const v = traits.email ?? traits.username ?? traits.phone;
  return typeof v === "string" ? v : undefined;
};

/**
 * Reads a JSON import file: an array of identities in Kratos' create shape (`schema_id`, `traits`,
 * `credentials.password.config.password` or `.hashed_password`, `verifiable_addresses`, metadata).
 * Identities as listed or exported (with `id`, timestamps) are accepted; those members are dropped.
 */
export function identitiesFromJson(text: string): ImportRow[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`);
  }
  if (isObject(doc) && Array.isArray(doc.identities)) doc = doc.identities;
  if (!Array.isArray(doc)) throw new Error("expected a JSON array of identities");
  return doc.map((item, i) => {
    const row = i + 1;
    if (!isObject(item)) return { row, error: "not a JSON object" };
    const create = { ...item };
    for (const k of READ_ONLY) delete create[k];
    return { row, create };
  });
}

/** A JSON Schema, as far as trait coercion needs it. */
export interface TraitSchema {
  type?: string | string[];
  properties?: Record<string, TraitSchema>;
}

/** The JSON Schema type of `traits.<path>` in an identity schema, when it declares one. */
function traitType(schema: unknown, path: string[]): string | undefined {
  let node = (schema as { properties?: { traits?: TraitSchema } } | undefined)?.properties?.traits;
  for (const key of path) node = node?.properties?.[key];
  const t = node?.type;
  return Array.isArray(t) ? t.find((x) => x !== "null") : t;
}

/** A cell as the value the schema wants: numbers, booleans, arrays and objects are not strings. */
function coerce(cell: string, type: string | undefined, column: string): unknown {
  switch (type) {
    case "integer":
    case "number": {
      const n = Number(cell);
      if (cell.trim() === "" || !Number.isFinite(n) || (type === "integer" && !Number.isInteger(n))) {
        throw new Error(`${column}: "${cell}" is not ${type === "integer" ? "an integer" : "a number"}`);
      }
      return n;
    }
    case "boolean":
      return bool(cell, column);
    case "array":
    case "object": {
      let v: unknown;
      try {
        v = JSON.parse(cell);
      } catch {
        throw new Error(`${column}: expected a JSON ${type}`);
      }
      if (type === "array" ? !Array.isArray(v) : !isObject(v)) {
        throw new Error(`${column}: expected a JSON ${type}`);
      }
      return v;
    }
    default:
      return cell;
  }
}

function bool(cell: string, column: string): boolean {
  const v = cell.trim().toLowerCase();
  if (["true", "yes", "1"].includes(v)) return true;
  if (["false", "no", "0"].includes(v)) return false;
  throw new Error(`${column}: "${cell}" is not true or false`);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}

/** Where a CSV column goes: an identity field, a JSON metadata field, skipped, or a trait path. */
type Column =
  | { kind: "field"; name: (typeof CSV_COLUMNS.fields)[number] }
  | { kind: "json"; name: (typeof CSV_COLUMNS.json)[number] }
  | { kind: "ignored" }
  | { kind: "trait"; path: string[] };

function column(header: string): Column {
  const h = header.trim();
  if ((CSV_COLUMNS.fields as readonly string[]).includes(h)) return { kind: "field", name: h as never };
  if ((CSV_COLUMNS.json as readonly string[]).includes(h)) return { kind: "json", name: h as never };
  if ((CSV_COLUMNS.ignored as readonly string[]).includes(h)) return { kind: "ignored" };
  const path = (h.startsWith("traits.") ? h.slice(7) : h).split(".");
  if (path.some((p) => p === "" || p === "__proto__" || p === "constructor" || p === "prototype")) {
    throw new Error(`column "${header}" is not a trait path`);
  }
  return { kind: "trait", path };
}

/**
 * Reads a CSV import file. The header row names the columns: `email` and the other traits (dots
 * nest: `name.first`; `traits.` in front forces a trait whose name is reserved), and optionally
 * `schema_id`, `state`, `external_id`, `password`, `hashed_password`, `email_verified`,
 * `metadata_public`, `metadata_admin` (JSON); `id`, `created_at`, `updated_at` are skipped. Empty
 * cells are left out. Cells are typed by the identity schema (`schemaFor`): integers, numbers,
 * booleans, and JSON for arrays and objects. Rows are numbered as lines of the file (header = 1).
 */
export async function identitiesFromCsv(
  text: string,
  opts: { defaultSchemaId?: string; schemaFor?: (id: string) => Promise<unknown> } = {},
): Promise<ImportRow[]> {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    throw new Error(`not CSV: ${(e as Error).message}`);
  }
  const [head, ...body] = records;
  if (!head) throw new Error("the CSV file is empty: it needs a header row");
  const columns = head.record.map(column);
  const seen = new Set<string>();
  for (const [i, c] of columns.entries()) {
    const key = c.kind === "trait" ? `traits.${c.path.join(".")}` : head.record[i]!.trim();
    if (seen.has(key)) throw new Error(`the header names ${key} twice`);
    seen.add(key);
  }
  if (!columns.some((c) => c.kind === "trait")) throw new Error("the header names no trait column");

  const schemas = new Map<string, Promise<unknown>>();
  const schemaOf = (id: string) => {
    if (!schemas.has(id)) schemas.set(id, opts.schemaFor?.(id).catch(() => undefined) ?? Promise.resolve());
    return schemas.get(id)!;
  };
  const defaultSchemaId = opts.defaultSchemaId ?? "default";

  const rows: ImportRow[] = [];
  for (const { record: raw, info } of body) {
    const row = info.lines;
    const record = raw.map(restore);
    try {
      if (record.length !== columns.length) {
        throw new Error(`${record.length} fields where the header has ${columns.length}`);
      }
      const cell = (name: string) => {
        const i = head.record.findIndex((h) => h.trim() === name);
        return i < 0 || record[i] === "" ? undefined : record[i];
      };
      const schemaId = cell("schema_id") ?? defaultSchemaId;
      const schema = await schemaOf(schemaId);
      const create: Record<string, unknown> = { schema_id: schemaId };
      const traits: Record<string, unknown> = {};
      const password: Record<string, string> = {};
      let verified: boolean | undefined;
      for (const [i, c] of columns.entries()) {
        const value = record[i]!;
        if (value === "" || c.kind === "ignored") continue;
        const name = head.record[i]!.trim();
        if (c.kind === "trait") setPath(traits, c.path, coerce(value, traitType(schema, c.path), name));
        else if (c.kind === "json") {
          try {
            create[c.name] = JSON.parse(value);
          } catch {
            throw new Error(`${name}: not JSON`);
          }
        } else if (c.name === "password" || c.name === "hashed_password") password[c.name] = value;
        else if (c.name === "email_verified") verified = bool(value, name);
        else if (c.name !== "schema_id") create[c.name] = value;
      }
      create.traits = traits;
      if (Object.keys(password).length) create.credentials = { password: { config: password } };
      if (verified !== undefined) {
        if (typeof traits.email !== "string") throw new Error("email_verified: the row has no email");
        create.verifiable_addresses = [
          {
            value: traits.email,
            via: "email",
            verified,
            status: verified ? "completed" : "pending",
          },
        ];
      }
      rows.push({ row, create });
    } catch (e) {
      rows.push({ row, error: (e as Error).message });
    }
  }
  return rows;
}

/**
 * The schema for CSV rows that name none: `default` when the core has it, else the first it lists
 * (the configuration's order; the seeds list each domain's default first).
 */
export async function defaultImportSchema(api: IdentityApi): Promise<string> {
  const ids = (await api.listIdentitySchemas({ pageSize: 250 })).map((c) => c.id ?? "").filter(Boolean);
  return ids.includes("default") ? "default" : (ids[0] ?? "default");
}

/** Kratos' error body, or a plain message for anything else. */
function reasonOf(error: unknown): string {
  if (isObject(error)) {
    // Schema errors are already spelt out in the reason; other details (hash parameters) are not.
    const rest = isObject(error.details)
      ? Object.fromEntries(Object.entries(error.details).filter(([k]) => k !== "errors"))
      : {};
    const details = Object.keys(rest).length ? ` (${JSON.stringify(rest)})` : "";
    const text = [error.reason, error.message].find((v) => typeof v === "string" && v !== "");
    return `${String(text ?? "refused")}${details}`;
  }
  return String(error);
}

/**
 * Imports rows through `PATCH /admin/identities`, `batchSize` at a time. Each identity is written
 * whole or not at all; rows that could not be read are reported without being sent.
 */
export async function importIdentities(
  adminUrl: string,
  rows: ImportRow[],
  opts: { batchSize?: number; fetchApi?: typeof fetch; headers?: Record<string, string> } = {},
): Promise<ImportResult[]> {
  const doFetch = opts.fetchApi ?? fetch;
  const size = Math.max(1, Math.min(opts.batchSize ?? IMPORT_BATCH_SIZE, IMPORT_BATCH_SIZE));
  const results = new Map<number, ImportResult>();
  for (const r of rows) {
    if (r.error !== undefined || !r.create) {
      results.set(r.row, { row: r.row, status: "failed", reason: r.error ?? "nothing to import" });
    }
  }
  const sendable = rows.filter((r) => r.create && r.error === undefined);
  for (let i = 0; i < sendable.length; i += size) {
    const batch = sendable.slice(i, i + size);
    const res = await doFetch(`${adminUrl.replace(/\/$/, "")}/admin/identities`, {
      method: "PATCH",
      headers: { "content-type": "application/json", accept: "application/json", ...opts.headers },
      body: JSON.stringify({ identities: batch.map((r) => ({ create: r.create })) }),
    });
    const body = (await res.json().catch(() => undefined)) as
      | { identities?: { action?: string; identity?: string; error?: unknown }[]; error?: unknown }
      | undefined;
    if (!res.ok || !Array.isArray(body?.identities) || body.identities.length !== batch.length) {
      // The whole batch was refused (nothing of it was written): every row in it says why.
      const reason = body?.error ? reasonOf(body.error) : `HTTP ${res.status}`;
      for (const r of batch) {
        results.set(r.row, { row: r.row, status: "failed", identifier: identifierOf(r.create), reason });
      }
      continue;
    }
    body.identities.forEach((out, j) => {
      const r = batch[j]!;
      const identifier = identifierOf(r.create);
      results.set(
        r.row,
        out.action === "create" && typeof out.identity === "string"
          ? { row: r.row, status: "created", id: out.identity, ...(identifier ? { identifier } : {}) }
          : {
              row: r.row,
              status: "failed",
              ...(identifier ? { identifier } : {}),
              reason: reasonOf(out.error),
            },
      );
    });
  }
  return rows.map((r) => results.get(r.row)!);
}

/** Every identity, page by page. */
export async function* allIdentities(api: IdentityApi, pageSize = 500): AsyncGenerator<Identity> {
  let pageToken: string | undefined;
  do {
    const res = await api.listIdentitiesRaw({ pageSize, ...(pageToken ? { pageToken } : {}) });
    for (const identity of await res.value()) yield identity;
    pageToken = nextPageToken(res.raw.headers.get("link"));
  } while (pageToken);
}

/**
 * An identity in Kratos' import shape (no id, no timestamps: importing the export elsewhere makes
 * the same identities). The password hash only when `withPassword` and the identity has one.
 */
export function toImportShape(identity: Identity, withPassword = false): Record<string, unknown> {
  const out: Record<string, unknown> = {
    schema_id: identity.schema_id,
    traits: identity.traits ?? {},
    state: identity.state ?? "active",
  };
  if (identity.metadata_public != null) out.metadata_public = identity.metadata_public;
  if (identity.metadata_admin != null) out.metadata_admin = identity.metadata_admin;
  if (identity.external_id) out.external_id = identity.external_id;
  if (identity.verifiable_addresses?.length) {
    out.verifiable_addresses = identity.verifiable_addresses.map((a) => ({
      value: a.value,
      via: a.via,
      verified: a.verified,
      status: a.status,
    }));
  }
  if (identity.recovery_addresses?.length) {
    out.recovery_addresses = identity.recovery_addresses.map((a) => ({ value: a.value, via: a.via }));
  }
  const hashed = (identity.credentials?.password?.config as { hashed_password?: string } | undefined)
    ?.hashed_password;
  if (withPassword && hashed) out.credentials = { password: { config: { hashed_password: hashed } } };
  return out;
}

/**
 * Every identity in import shape. `includeCredentials` adds each password hash (Kratos'
 * `include_credential=password`; one request per identity). Nothing else secret is exported.
 */
export async function exportIdentities(
  api: IdentityApi,
  opts: { includeCredentials?: boolean } = {},
): Promise<{ id: string; created_at?: Date | undefined; body: Record<string, unknown> }[]> {
  const out = [];
  for await (const listed of allIdentities(api)) {
    const identity = opts.includeCredentials
      ? await api.getIdentity({ id: listed.id, includeCredential: ["password"] })
      : listed;
    out.push({
      id: identity.id,
      created_at: identity.created_at,
      body: toImportShape(identity, opts.includeCredentials),
    });
  }
  return out;
}

function flatten(value: unknown, prefix: string[], into: Map<string, unknown>): void {
  if (isObject(value) && (Object.keys(value).length || prefix.length === 0)) {
    for (const [k, v] of Object.entries(value)) flatten(v, [...prefix, k], into);
  } else into.set(prefix.join("."), value);
}

// A cell a spreadsheet would run as a formula is written with a leading apostrophe (OWASP's CSV
// injection advice); the import takes the apostrophe off again, so the export round-trips.
const FORMULA = /^[=+\-@\t\r]/;
const defuse = (cell: string) => (FORMULA.test(cell) ? `'${cell}` : cell);
const restore = (cell: string) =>
  cell.startsWith("'") && FORMULA.test(cell.slice(1)) ? cell.slice(1) : cell;

/**
 * The export as CSV, in the import's columns: `id`, `schema_id`, `state`, `external_id`,
 * `email_verified`, one column per trait path, the metadata as JSON, `hashed_password` when
 * exported, `created_at`. Importing it back makes the same identities.
 */
export function identitiesToCsv(
  items: { id: string; created_at?: Date | undefined; body: Record<string, unknown> }[],
): string {
  const traitColumns: string[] = [];
  const flat = items.map((item) => {
    const m = new Map<string, unknown>();
    flatten(item.body.traits, [], m);
    for (const k of m.keys()) if (!traitColumns.includes(k)) traitColumns.push(k);
    return m;
  });
  // The database does not keep the order of traits: identifiers first, then by name.
  const rank = (c: string) => ["email", "username", "phone"].indexOf(c) >>> 0;
  traitColumns.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const has = (f: (b: Record<string, unknown>) => unknown) => items.some((i) => f(i.body) != null);
  const emailOf = (b: Record<string, unknown>) => (b.traits as Record<string, unknown>)?.email;
  const verifiedOf = (b: Record<string, unknown>) => {
    const email = emailOf(b);
    const a = (b.verifiable_addresses as { value?: string; verified?: boolean }[] | undefined)?.find(
      (x) => x.value === email,
    );
    return a ? a.verified === true : undefined;
  };
  const hashOf = (b: Record<string, unknown>) =>
    (b.credentials as { password?: { config?: { hashed_password?: string } } } | undefined)?.password?.config
      ?.hashed_password;
  const optional: [string, (b: Record<string, unknown>) => unknown][] = [
    ["external_id", (b) => b.external_id],
    ["email_verified", verifiedOf],
  ];
  const trailing: [string, (b: Record<string, unknown>) => unknown][] = [
    ["metadata_public", (b) => b.metadata_public],
    ["metadata_admin", (b) => b.metadata_admin],
    ["hashed_password", hashOf],
  ];
  const extra = optional.filter(([, f]) => has(f));
  const tail = trailing.filter(([, f]) => has(f));
  const header = [
    "id",
    "schema_id",
    "state",
    ...extra.map(([n]) => n),
    ...traitColumns.map((c) => (RESERVED.has(c) ? `traits.${c}` : c)),
    ...tail.map(([n]) => n),
    "created_at",
  ];
  const text = (v: unknown) =>
    defuse(v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));
  const records = items.map((item, i) => [
    item.id,
    text(item.body.schema_id),
    text(item.body.state),
    ...extra.map(([, f]) => text(f(item.body))),
    ...traitColumns.map((c) => text(flat[i]!.get(c))),
    ...tail.map(([, f]) => text(f(item.body))),
    item.created_at ? item.created_at.toISOString() : "",
  ]);
  return stringify([header, ...records]);
}
