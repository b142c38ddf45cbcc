import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import type { Config } from "../config/index.ts";

// ajv-formats ships CommonJS; its default export arrives wrapped under NodeNext resolution.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/** The `ory.sh/kratos` extension of a trait property. */
export interface KratosExtension {
  credentials?: {
    password?: { identifier?: boolean };
    webauthn?: { identifier?: boolean };
    totp?: { account_name?: boolean };
    code?: { identifier?: boolean; via?: "email" | "sms" };
    passkey?: { display_name?: boolean };
  };
  verification?: { via?: "email" | "sms" };
  recovery?: { via?: "email" | "sms" };
}

/** A leaf trait as the UI needs it: its dotted path, JSON Schema and extension. */
export interface TraitField {
  path: string;
  title?: string;
  type: string;
  format?: string;
  required: boolean;
  enum?: unknown[];
  schema: Record<string, unknown>;
  extension: KratosExtension;
  /**
   * JSON Schema's `readOnly: true` on the trait or an object around it: the value is managed by
   * administrators (admin API) only. Self-service registration cannot set it and settings cannot
   * change it (an Olympus extension; Kratos ignores the annotation).
   */
  readOnly: boolean;
}

export interface IdentitySchema {
  id: string;
  url: string;
  raw: Record<string, unknown>;
  fields: TraitField[];
  validate: ValidateFunction;
}

export interface ExtractedTraits {
  passwordIdentifiers: string[];
  verifiable: { via: string; value: string }[];
  recovery: { via: string; value: string }[];
  /** Where the `code` method may send codes: traits marked `credentials.code.identifier`. */
  codeAddresses: { channel: "email" | "sms"; address: string }[];
}

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Normalizes an identifier as Kratos does: NFKC, trimmed, lowercased. */
export function normalizeIdentifier(value: string): string {
  return value.normalize("NFKC").trim().toLowerCase();
}

function collectFields(
  schema: Record<string, unknown>,
  prefix: string,
  requiredSet: Set<string>,
  out: TraitField[],
  readOnly = false,
): void {
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [name, prop] of Object.entries(props)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const type = Array.isArray(prop.type) ? String(prop.type[0]) : String(prop.type ?? "string");
    const locked = readOnly || prop.readOnly === true;
    if (type === "object" && prop.properties) {
      collectFields(prop, path, required.has(name) ? requiredSet : new Set(), out, locked);
      continue;
    }
    out.push({
      path,
      title: typeof prop.title === "string" ? prop.title : undefined,
      type,
      format: typeof prop.format === "string" ? prop.format : undefined,
      required: required.has(name),
      enum: Array.isArray(prop.enum) ? prop.enum : undefined,
      schema: prop,
      extension: (prop["ory.sh/kratos"] ?? {}) as KratosExtension,
      readOnly: locked,
    });
  }
}

async function loadRaw(url: string): Promise<Record<string, unknown>> {
  if (url.startsWith("base64://")) {
    return JSON.parse(Buffer.from(url.slice("base64://".length), "base64").toString("utf8"));
  }
  if (url.startsWith("file://")) return JSON.parse(await readFile(fileURLToPath(url), "utf8"));
  if (url.startsWith("http://") || url.startsWith("https://")) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`identity schema ${url}: HTTP ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }
  throw new Error(`identity schema url must be file://, base64:// or http(s)://, got ${url}`);
}

/** The identity schemas of one domain, compiled once at start. */
export class IdentitySchemas {
  private readonly byId = new Map<string, IdentitySchema>();
  readonly defaultId: string;

  private constructor(defaultId: string) {
    this.defaultId = defaultId;
  }

  static async load(config: Config): Promise<IdentitySchemas> {
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    addFormats(ajv);
    // Kratos accepts "tel" for phone numbers; ajv-formats has no such format.
    ajv.addFormat("tel", /^\+?[0-9][0-9 ().-]{2,30}$/);
    const schemas = new IdentitySchemas(config.identity.default_schema_id);
    for (const { id, url } of config.identity.schemas) {
      let raw: Record<string, unknown>;
      try {
        raw = await loadRaw(url);
      } catch (e) {
        throw new Error(`identity schema "${id}" could not be loaded from ${url}: ${(e as Error).message}`);
      }
      const traits = ((raw.properties as Record<string, unknown> | undefined)?.traits ?? {}) as Record<
        string,
        unknown
      >;
      const fields: TraitField[] = [];
      collectFields(traits, "", new Set(), fields);
      const { $id: _ignored, ...compilable } = raw;
      let validate: ValidateFunction;
      try {
        validate = ajv.compile(compilable);
      } catch (e) {
        throw new Error(`identity schema "${id}" is not a valid JSON Schema: ${(e as Error).message}`);
      }
      schemas.byId.set(id, { id, url, raw, fields, validate });
    }
    return schemas;
  }

  get(id: string): IdentitySchema | undefined {
    return this.byId.get(id);
  }

  list(): IdentitySchema[] {
    return [...this.byId.values()];
  }

  get default(): IdentitySchema {
    return this.byId.get(this.defaultId)!;
  }

  /** Validates traits; returns ajv's errors or an empty list. */
  validate(schema: IdentitySchema, traits: unknown): ErrorObject[] {
    const ok = schema.validate({ traits });
    return ok ? [] : [...(schema.validate.errors ?? [])];
  }

  /** Reads identifiers and addresses out of traits according to the schema's extensions. */
  extract(schema: IdentitySchema, traits: Record<string, unknown>): ExtractedTraits {
    const out: ExtractedTraits = { passwordIdentifiers: [], verifiable: [], recovery: [], codeAddresses: [] };
    for (const f of schema.fields) {
      const v = getPath(traits, f.path);
      const values = (Array.isArray(v) ? v : [v]).filter(
        (x): x is string => typeof x === "string" && x !== "",
      );
      for (const value of values) {
        const norm = normalizeIdentifier(value);
        if (f.extension.credentials?.password?.identifier) out.passwordIdentifiers.push(norm);
        if (f.extension.verification?.via)
          out.verifiable.push({ via: f.extension.verification.via, value: norm });
        if (f.extension.recovery?.via) out.recovery.push({ via: f.extension.recovery.via, value: norm });
        const code = f.extension.credentials?.code;
        if (code?.identifier) {
          // A phone number is kept without its formatting, as the code method reads identifiers.
          const channel = code.via === "sms" ? "sms" : "email";
          const address = channel === "sms" ? norm.replace(/[\s().-]/g, "") : norm;
          if (!out.codeAddresses.some((a) => a.address === address))
            out.codeAddresses.push({ channel, address });
        }
      }
    }
    out.passwordIdentifiers = [...new Set(out.passwordIdentifiers)];
    return out;
  }
}
