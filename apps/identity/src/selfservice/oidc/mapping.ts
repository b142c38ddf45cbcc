import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type OidcMapping, type OidcProviderConfig, oidcMapping } from "../../config/oidc.ts";

/*
 * Claims become traits through a declarative mapping: trait path ← claim path. Kratos runs a Jsonnet
 * mapper here; Olympus does not run Jsonnet yet (docs/ory-compatibility.md, "Social sign-in"), so
 * `mapper_url` must hold the declarative mapping as JSON, and a Jsonnet mapper is refused at start with
 * a message that says so rather than misread.
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

function readMapperUrl(url: string): string {
  if (url.startsWith("base64://"))
    return Buffer.from(url.slice("base64://".length), "base64").toString("utf8");
  if (url.startsWith("file://")) return readFileSync(fileURLToPath(url), "utf8");
  throw new MappingError(`mapper_url must be a file:// or base64:// URL, got ${url.slice(0, 40)}`);
}

const loaded = new WeakMap<OidcProviderConfig, OidcMapping>();

/** The provider's mapping: `mapping`, else the JSON at `mapper_url`, else the default. Throws MappingError. */
export function mappingOf(p: OidcProviderConfig): OidcMapping {
  const hit = loaded.get(p);
  if (hit) return hit;
  let m: OidcMapping;
  if (p.mapping) m = p.mapping;
  else if (p.mapper_url) {
    const source = readMapperUrl(p.mapper_url);
    let json: unknown;
    try {
      json = JSON.parse(source);
    } catch {
      throw new MappingError(
        `selfservice.methods.oidc.config.providers[${p.id}].mapper_url holds a Jsonnet program; Olympus reads a declarative JSON mapping there instead (see docs/ory-compatibility.md, "Social sign-in mappers").`,
      );
    }
    const parsed = oidcMapping.safeParse(json);
    if (!parsed.success) {
      throw new MappingError(
        `selfservice.methods.oidc.config.providers[${p.id}].mapper_url: ${parsed.error.issues
          .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
          .join("; ")}`,
      );
    }
    m = parsed.data;
  } else m = DEFAULT_MAPPING;
  loaded.set(p, m);
  return m;
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
