import { fileURLToPath } from "node:url";
import { type OidcMapping, type OidcProviderConfig, oidcMapping } from "../../config/oidc.ts";
import { checkJsonnet, evaluateJsonnet, JsonnetError } from "../../jsonnet/evaluate.ts";
import { namedJsonnet, ProgramSourceError, programUrlKind, readProgram } from "../../jsonnet/source.ts";

/*
 * Claims become traits through the provider's mapper, as in Kratos:
 * - `mapper_url` holding a Jsonnet program (any https:// URL, a file:// URL ending in .jsonnet, or any
 *   program that is not a declarative mapping): run with `std.extVar('claims')` by the Jsonnet
 *   evaluator (jsonnet/evaluate.ts: out of process, time and size limits, no imports); its output is
 *   read as Kratos reads it: `identity.traits` (an object), `identity.metadata_public` and
 *   `identity.metadata_admin` (objects when present), `identity.verified_addresses` (`[{value, via}]`,
 *   trusted as the mapper says, applied only to addresses the traits hold);
 * - Olympus' declarative mapping (trait path ← claim path), inline as `mapping` or as JSON with a
 *   `traits` key at `mapper_url`.
 */

/** Without any mapping: the address, verified when the provider says so (what most schemas need). */
export const DEFAULT_MAPPING: OidcMapping = {
  traits: { email: "email" },
  verified: { email: "email_verified" },
  metadata_public: {},
  metadata_admin: {},
};

export class MappingError extends Error {
  override name = "MappingError";
}

type Mapper =
  | { kind: "declarative"; mapping: OidcMapping }
  | { kind: "jsonnet"; program: string; filename: string }
  | { kind: "remote"; url: string };

const key = (p: OidcProviderConfig) => `selfservice.methods.oidc.config.providers[${p.id}].mapper_url`;

function declarative(p: OidcProviderConfig, json: unknown): OidcMapping {
  const parsed = oidcMapping.safeParse(json);
  if (!parsed.success) {
    throw new MappingError(
      `${key(p)}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}

/** Whether a program's text is Olympus' declarative mapping (a JSON object with `traits`). */
function asDeclarative(source: string): unknown {
  try {
    const json: unknown = JSON.parse(source);
    if (json && typeof json === "object" && !Array.isArray(json) && "traits" in json) return json;
  } catch {
    // Not JSON: a Jsonnet program.
  }
  return undefined;
}

const resolved = new WeakMap<OidcProviderConfig, Mapper>();

async function resolve(p: OidcProviderConfig): Promise<Mapper> {
  const hit = resolved.get(p);
  if (hit) return hit;
  let m: Mapper;
  if (p.mapping) m = { kind: "declarative", mapping: p.mapping };
  else if (p.mapper_url) {
    const url = p.mapper_url;
    const kind = programUrlKind(url);
    if (!kind)
      throw new MappingError(
        `${key(p)} must be a base64://, file:// or https:// URL, got ${url.slice(0, 40)}`,
      );
    if (kind === "https") m = { kind: "remote", url };
    else {
      let source: string;
      try {
        source = await readProgram(url, key(p));
      } catch (e) {
        if (e instanceof ProgramSourceError) throw new MappingError(e.message);
        throw e;
      }
      const json = namedJsonnet(url) ? undefined : asDeclarative(source);
      m =
        json !== undefined
          ? { kind: "declarative", mapping: declarative(p, json) }
          : { kind: "jsonnet", program: source, filename: kind === "file" ? fileURLToPath(url) : key(p) };
    }
  } else m = { kind: "declarative", mapping: DEFAULT_MAPPING };
  resolved.set(p, m);
  return m;
}

/**
 * Checks every provider's mapper at start: a mapper that cannot be read, a declarative mapping that
 * is malformed, or a Jsonnet program that does not parse (its message names the line) stops the
 * process. https:// mappers are fetched when used.
 */
export async function checkMappers(providers: readonly OidcProviderConfig[]): Promise<void> {
  for (const p of providers) {
    const m = await resolve(p);
    if (m.kind !== "jsonnet") continue;
    const problem = await checkJsonnet(m.program, m.filename);
    if (problem) throw new MappingError(`${key(p)}: the Jsonnet program does not parse: ${problem}`);
  }
}

/** The provider's declarative mapping (for the admin summary), or null when it runs a Jsonnet mapper. */
export function mappingOf(p: OidcProviderConfig): OidcMapping | null {
  if (p.mapping) return p.mapping;
  if (!p.mapper_url) return DEFAULT_MAPPING;
  const m = resolved.get(p);
  return m?.kind === "declarative" ? m.mapping : null;
}

const FORBIDDEN = new Set(["__proto__", "prototype", "constructor"]);

function get(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split(".")) {
    if (FORBIDDEN.has(part) || typeof cur !== "object" || cur === null || Array.isArray(cur))
      return undefined;
    if (!Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function set(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  if (parts.some((p) => FORBIDDEN.has(p))) return;
  let cur = target;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (typeof next !== "object" || next === null || Array.isArray(next)) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

function project(claims: Record<string, unknown>, spec: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [to, from] of Object.entries(spec)) {
    const v = get(claims, from);
    if (v !== undefined && v !== null && v !== "") set(out, to, v);
  }
  return out;
}

export interface Mapped {
  traits: Record<string, unknown>;
  /** Address values the provider vouches for (their trait's `verified` claim is true). */
  verified: Set<string>;
  metadataPublic?: Record<string, unknown>;
  metadataAdmin?: Record<string, unknown>;
}

/** Applies a mapping to the claims. */
export function mapClaims(m: OidcMapping, claims: Record<string, unknown>): Mapped {
  const traits = project(claims, m.traits);
  const verified = new Set<string>();
  for (const [trait, claim] of Object.entries(m.verified)) {
    const value = get(traits, trait);
    if (typeof value === "string" && get(claims, claim) === true) verified.add(value.trim().toLowerCase());
  }
  const pub = project(claims, m.metadata_public);
  const adm = project(claims, m.metadata_admin);
  return {
    traits,
    verified,
    ...(Object.keys(pub).length ? { metadataPublic: pub } : {}),
    ...(Object.keys(adm).length ? { metadataAdmin: adm } : {}),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads a Jsonnet mapper's output as Kratos does. Throws MappingError. */
function fromJsonnetOutput(out: unknown): Mapped {
  const identity = isObject(out) ? out.identity : undefined;
  const traits = isObject(identity) ? identity.traits : undefined;
  if (!isObject(identity) || !isObject(traits)) {
    throw new MappingError("the Jsonnet mapper did not return an object for key identity.traits");
  }
  const mapped: Mapped = { traits, verified: new Set() };
  for (const [k, field] of [
    ["metadata_public", "metadataPublic"],
    ["metadata_admin", "metadataAdmin"],
  ] as const) {
    if (!Object.hasOwn(identity, k)) continue;
    const v = identity[k];
    if (!isObject(v))
      throw new MappingError(`the Jsonnet mapper did not return an object for key identity.${k}`);
    mapped[field] = v;
  }
  if (Object.hasOwn(identity, "verified_addresses")) {
    const list = identity.verified_addresses;
    if (!Array.isArray(list)) {
      throw new MappingError(
        "the Jsonnet mapper did not return an array for key identity.verified_addresses",
      );
    }
    for (const a of list) {
      if (!isObject(a) || typeof a.value !== "string" || typeof a.via !== "string") {
        throw new MappingError("identity.verified_addresses: expected entries {value, via}");
      }
      mapped.verified.add(a.via === "email" ? a.value.trim().toLowerCase() : a.value);
    }
  }
  return mapped;
}

/**
 * Maps the upstream's claims with the provider's mapper. Throws MappingError (a mapper that fails,
 * runs too long, or returns the wrong shape); the flow then fails with a message and nothing is made.
 */
export async function mapProviderClaims(
  p: OidcProviderConfig,
  claims: Record<string, unknown>,
): Promise<Mapped> {
  const m = await resolve(p);
  if (m.kind === "declarative") return mapClaims(m.mapping, claims);
  let program: string;
  let filename: string;
  if (m.kind === "remote") {
    try {
      program = await readProgram(m.url, key(p));
    } catch (e) {
      throw new MappingError((e as Error).message);
    }
    filename = m.url;
  } else {
    program = m.program;
    filename = m.filename;
  }
  let out: unknown;
  try {
    out = await evaluateJsonnet(program, { filename, ext: { claims } });
  } catch (e) {
    if (e instanceof JsonnetError) throw new MappingError(`${key(p)}: ${e.kind}: ${e.message}`);
    throw e;
  }
  return fromJsonnetOutput(out);
}
