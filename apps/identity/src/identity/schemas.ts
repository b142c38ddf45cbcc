import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
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

const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;
const DRAFT_2020 = /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/;

function newAjv<T extends Ajv | Ajv2020>(ajv: T): T {
  addFormats(ajv as unknown as Ajv);
  // Kratos accepts "tel" for phone numbers; ajv-formats has no such format.
  ajv.addFormat("tel", /^\+?[0-9][0-9 ().-]{2,30}$/);
  return ajv;
}

/** The identity schemas of one domain: the configuration's, then those added at run time. */
export class IdentitySchemas {
  private readonly byId = new Map<string, IdentitySchema>();
  private readonly configIds = new Set<string>();
  private readonly configDefaultId: string;
  private currentDefaultId: string;
  private readonly ajv07 = newAjv(new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }));
  private readonly ajv2020 = newAjv(new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true }));

  private constructor(defaultId: string) {
    this.configDefaultId = defaultId;
    this.currentDefaultId = defaultId;
  }

  /** The schema new identities get when none is named (the configuration's, or one set at run time). */
  get defaultId(): string {
    return this.currentDefaultId;
  }

  /** True for a schema of the configuration file (not added at run time). */
  fromConfig(id: string): boolean {
    return this.configIds.has(id);
  }

  /** Compiles a schema document (draft-07 unless `$schema` names 2020-12); throws on an invalid one. */
  private compile(id: string, url: string, raw: Record<string, unknown>): IdentitySchema {
    const traits = ((raw.properties as Record<string, unknown> | undefined)?.traits ?? {}) as Record<
      string,
      unknown
    >;
    const fields: TraitField[] = [];
    collectFields(traits, "", new Set(), fields);
    const { $id: _ignored, ...compilable } = raw;
    const ajv = typeof raw.$schema === "string" && DRAFT_2020.test(raw.$schema) ? this.ajv2020 : this.ajv07;
    return { id, url, raw, fields, validate: ajv.compile(compilable) };
  }

  static async load(config: Config): Promise<IdentitySchemas> {
    const schemas = new IdentitySchemas(config.identity.default_schema_id);
    for (const { id, url } of config.identity.schemas) {
      let raw: Record<string, unknown>;
      try {
        raw = await loadRaw(url);
      } catch (e) {
        throw new Error(`identity schema "${id}" could not be loaded from ${url}: ${(e as Error).message}`);
      }
      let schema: IdentitySchema;
      try {
        schema = schemas.compile(id, url, raw);
      } catch (e) {
        throw new Error(`identity schema "${id}" is not a valid JSON Schema: ${(e as Error).message}`);
      }
      schemas.byId.set(id, schema);
      schemas.configIds.add(id);
    }
    return schemas;
  }

  /**
   * Checks a schema document before it is accepted at run time: a JSON Schema (draft-07 or 2020-12)
   * of an object whose `traits` is an object, with Kratos' `ory.sh/kratos` extension only on trait
   * properties and only with the keys Kratos defines. Answers the problems, each with its JSON
   * pointer; none when the document can be stored.
   */
  check(raw: unknown): string[] {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return ["the schema must be a JSON object"];
    const doc = raw as Record<string, unknown>;
    const problems: string[] = [];
    if (
      doc.$schema !== undefined &&
      !(typeof doc.$schema === "string" && (DRAFT_07.test(doc.$schema) || DRAFT_2020.test(doc.$schema)))
    ) {
      return [
        `/$schema: must be draft-07 (http://json-schema.org/draft-07/schema#) or 2020-12 (https://json-schema.org/draft/2020-12/schema)`,
      ];
    }
    const ajv = typeof doc.$schema === "string" && DRAFT_2020.test(doc.$schema) ? this.ajv2020 : this.ajv07;
    const { $id: _ignored, ...meta } = doc;
    if (!ajv.validateSchema(meta)) {
      for (const e of ajv.errors ?? []) problems.push(`${e.instancePath || "/"}: ${e.message ?? "invalid"}`);
      return problems;
    }
    if (doc.type !== "object") problems.push(`/type: must be "object"`);
    const props = doc.properties as Record<string, unknown> | undefined;
    const traits = props?.traits as Record<string, unknown> | undefined;
    if (
      !traits ||
      typeof traits !== "object" ||
      traits.type !== "object" ||
      typeof traits.properties !== "object"
    ) {
      problems.push(`/properties/traits: must be an object schema with "type": "object" and "properties"`);
    }
    const EXT = "ory.sh/kratos";
    // The extension belongs on the properties of traits (and of objects nested in traits), nowhere else.
    const walk = (node: unknown, pointer: string, traitProperty: boolean) => {
      if (!node || typeof node !== "object") return;
      if (Array.isArray(node)) {
        for (const [i, n] of node.entries()) walk(n, `${pointer}/${i}`, false);
        return;
      }
      const obj = node as Record<string, unknown>;
      for (const [key, value] of Object.entries(obj)) {
        const at = `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
        if (key === EXT) {
          if (!traitProperty)
            problems.push(`${at}: the ory.sh/kratos extension is only allowed on properties of traits`);
          else problems.push(...checkExtension(value, at, obj));
          continue;
        }
        walk(value, at, false);
      }
    };
    const walkTraits = (schema: Record<string, unknown>, pointer: string) => {
      for (const [key, value] of Object.entries(schema)) {
        const at = `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
        if (key === "properties" && value && typeof value === "object" && !Array.isArray(value)) {
          for (const [name, prop] of Object.entries(value as Record<string, unknown>)) {
            const propAt = `${at}/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
            if (!prop || typeof prop !== "object" || Array.isArray(prop)) continue;
            const p = prop as Record<string, unknown>;
            if (p[EXT] !== undefined) problems.push(...checkExtension(p[EXT], `${propAt}/ory.sh~1kratos`, p));
            const { [EXT]: _ext, ...rest } = p;
            if (rest.type === "object" || rest.properties) walkTraits(rest, propAt);
            else walk(rest, propAt, false);
          }
        } else if (key === EXT) {
          problems.push(`${at}: the ory.sh/kratos extension is only allowed on properties of traits`);
        } else {
          walk(value, at, false);
        }
      }
    };
    for (const [key, value] of Object.entries(doc)) {
      if (key === "properties" && value && typeof value === "object" && !Array.isArray(value)) {
        for (const [name, prop] of Object.entries(value as Record<string, unknown>)) {
          const at = `/properties/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
          if (name === "traits" && prop && typeof prop === "object" && !Array.isArray(prop))
            walkTraits(prop as Record<string, unknown>, at);
          else walk(prop, at, false);
        }
      } else if (key === EXT) {
        problems.push(`/${key}: the ory.sh/kratos extension is only allowed on properties of traits`);
      } else {
        walk(value, `/${key}`, false);
      }
    }
    if (problems.length) return problems;
    try {
      this.compile("check", "check", doc);
    } catch (e) {
      problems.push(`/: ${(e as Error).message}`);
    }
    return problems;
  }

  /**
   * Applies the schemas stored at run time (compiled once; a stored schema never changes) and the
   * stored default, which must name a known schema (else the configuration's default holds).
   */
  applyStored(stored: { id: string; raw: Record<string, unknown> }[], defaultId: string | undefined): void {
    for (const { id, raw } of stored) {
      if (this.byId.has(id)) continue;
      try {
        this.byId.set(id, this.compile(id, `olympus://identity-schemas/${id}`, raw));
      } catch {
        // Checked before it was stored; a row written around the API that does not compile is skipped.
      }
    }
    this.currentDefaultId = defaultId && this.byId.has(defaultId) ? defaultId : this.configDefaultId;
  }

  get(id: string): IdentitySchema | undefined {
    return this.byId.get(id);
  }

  list(): IdentitySchema[] {
    return [...this.byId.values()];
  }

  get default(): IdentitySchema {
    return this.byId.get(this.currentDefaultId)!;
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

const CREDENTIALS: Record<string, Record<string, "boolean" | "via">> = {
  password: { identifier: "boolean" },
  webauthn: { identifier: "boolean" },
  passkey: { display_name: "boolean" },
  totp: { account_name: "boolean" },
  code: { identifier: "boolean", via: "via" },
};

/** Checks one `ory.sh/kratos` extension object against the keys Kratos defines. */
function checkExtension(ext: unknown, at: string, property: Record<string, unknown>): string[] {
  if (!ext || typeof ext !== "object" || Array.isArray(ext)) return [`${at}: must be an object`];
  const out: string[] = [];
  const via = (v: unknown, where: string) => {
    if (v !== "email" && v !== "sms") out.push(`${where}: must be "email" or "sms"`);
  };
  for (const [key, value] of Object.entries(ext as Record<string, unknown>)) {
    const where = `${at}/${key}`;
    if (key === "credentials") {
      if (!value || typeof value !== "object" || Array.isArray(value)) {
        out.push(`${where}: must be an object`);
        continue;
      }
      for (const [method, conf] of Object.entries(value as Record<string, unknown>)) {
        const allowed = CREDENTIALS[method];
        if (!allowed) {
          out.push(`${where}/${method}: unknown credentials method (${Object.keys(CREDENTIALS).join(", ")})`);
          continue;
        }
        if (!conf || typeof conf !== "object" || Array.isArray(conf)) {
          out.push(`${where}/${method}: must be an object`);
          continue;
        }
        for (const [k, v] of Object.entries(conf as Record<string, unknown>)) {
          const kind = allowed[k];
          if (!kind) out.push(`${where}/${method}/${k}: unknown key (${Object.keys(allowed).join(", ")})`);
          else if (kind === "boolean" && typeof v !== "boolean")
            out.push(`${where}/${method}/${k}: must be a boolean`);
          else if (kind === "via") via(v, `${where}/${method}/${k}`);
        }
      }
    } else if (key === "verification" || key === "recovery") {
      if (!value || typeof value !== "object" || Array.isArray(value)) {
        out.push(`${where}: must be an object`);
        continue;
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (k !== "via") out.push(`${where}/${k}: unknown key (via)`);
        else via(v, `${where}/via`);
      }
    } else {
      out.push(`${where}: unknown key (credentials, verification, recovery)`);
    }
  }
  // Identifiers and addresses are text: a string, or an array of strings.
  const items = property.items as Record<string, unknown> | undefined;
  const isText = property.type === "string" || (property.type === "array" && items?.type === "string");
  if (!out.length && !isText) out.push(`${at}: identifiers and addresses must be on a string property`);
  return out;
}
