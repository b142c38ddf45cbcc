/**
 * Turns an identity schema's `traits` (JSON Schema draft-07) into form fields, and a submitted
 * form back into traits. Covers what Olympus' schemas use: strings (email, date, tel, pattern,
 * length), enums, booleans, numbers, nested objects and arrays of strings. The identity core
 * validates the result against the full schema; the form only helps (HTML constraints).
 * A hand-written renderer rather than rjsf: rjsf's ajv validator compiles code with `new Function`,
 * which Athena's CSP (no 'unsafe-eval') forbids.
 */

type JsonSchema = Record<string, unknown>;

export interface Field {
  /** Form field name: the dotted path under traits, e.g. `name.first`. */
  name: string;
  title: string;
  kind:
    | "text"
    | "email"
    | "date"
    | "tel"
    | "url"
    | "number"
    | "integer"
    | "boolean"
    | "enum"
    | "list"
    | "object";
  required: boolean;
  description?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  options?: string[];
  defaultValue?: string | boolean;
  /** Identifier for sign-in (`ory.sh/kratos.credentials.password.identifier`). */
  identifier?: boolean;
  children?: Field[];
}

const isObj = (v: unknown): v is JsonSchema => !!v && typeof v === "object" && !Array.isArray(v);

function titleOf(key: string, s: JsonSchema): string {
  if (typeof s.title === "string") return s.title;
  const t = key.replace(/[_-]+/g, " ");
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** Is this regex usable as an HTML `pattern` (compiled with the `v` flag)? */
export function htmlPattern(p: unknown): string | undefined {
  if (typeof p !== "string") return undefined;
  // HTML anchors patterns itself; strip the JSON Schema anchors it would otherwise double.
  const body = p.replace(/^\^/, "").replace(/\$$/, "");
  try {
    new RegExp(`^(?:${body})$`, "v");
    return body;
  } catch {
    return undefined;
  }
}

function kindOf(s: JsonSchema): Field["kind"] {
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  if (Array.isArray(s.enum)) return "enum";
  if (type === "boolean") return "boolean";
  if (type === "number") return "number";
  if (type === "integer") return "integer";
  if (type === "object") return "object";
  if (type === "array") return "list";
  if (s.format === "email") return "email";
  if (s.format === "date") return "date";
  if (s.format === "tel") return "tel";
  if (s.format === "uri" || s.format === "url") return "url";
  return "text";
}

/** The fields of an object schema, in the schema's property order. */
export function fieldsOf(schema: unknown, prefix = ""): Field[] {
  if (!isObj(schema) || !isObj(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(schema.properties).flatMap(([key, raw]): Field[] => {
    if (!isObj(raw)) return [];
    const name = prefix ? `${prefix}.${key}` : key;
    const kind = kindOf(raw);
    const kratos = isObj(raw["ory.sh/kratos"]) ? (raw["ory.sh/kratos"] as JsonSchema) : {};
    const creds = isObj(kratos.credentials) ? (kratos.credentials as JsonSchema) : {};
    const identifier = Object.values(creds).some((c) => isObj(c) && c.identifier === true);
    const f: Field = { name, title: titleOf(key, raw), kind, required: required.has(key) };
    if (typeof raw.description === "string") f.description = raw.description;
    if (identifier) f.identifier = true;
    const pattern = htmlPattern(raw.pattern);
    if (pattern) f.pattern = pattern;
    if (typeof raw.minLength === "number") f.minLength = raw.minLength;
    if (typeof raw.maxLength === "number") f.maxLength = raw.maxLength;
    if (kind === "enum") f.options = (raw.enum as unknown[]).map(String);
    if (typeof raw.default === "string" || typeof raw.default === "boolean") f.defaultValue = raw.default;
    if (kind === "object") f.children = fieldsOf(raw, name);
    return [f];
  });
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown) {
  let cur = target;
  for (const k of path.slice(0, -1)) {
    if (!isObj(cur[k])) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path.at(-1)!] = value;
}

/** Builds traits from submitted values (a FormData or plain entries); empty optional values are left out. */
export function traitsFrom(fields: Field[], get: (name: string) => string | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (fs: Field[]) => {
    for (const f of fs) {
      if (f.kind === "object") {
        walk(f.children ?? []);
        continue;
      }
      const raw = get(f.name);
      const path = f.name.split(".");
      if (f.kind === "boolean") {
        setPath(out, path, raw === "on" || raw === "true");
        continue;
      }
      const text = (raw ?? "").trim();
      if (!text) continue;
      if (f.kind === "number" || f.kind === "integer") {
        const n = Number(text);
        setPath(out, path, Number.isFinite(n) ? n : text);
      } else if (f.kind === "list") {
        setPath(
          out,
          path,
          text
            .split(/[\n,]/)
            .map((x) => x.trim())
            .filter(Boolean),
        );
      } else {
        setPath(out, path, text);
      }
    }
  };
  walk(fields);
  return out;
}
