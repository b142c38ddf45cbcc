import type { DomainName } from "@olympus/sdk";

/** The parts of a Kratos identity the ID token is built from. */
export interface ClaimSource {
  id: string;
  traits?: unknown;
  /** Only the admin API has it; the browser's own session (the fallback source) never does. */
  metadata_admin?: unknown;
  verifiable_addresses?: { value: string; verified: boolean; via?: string }[];
}

type Traits = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);

/** given/family/full name from the schemas Olympus ships: `name{first,last}`, `first_name`/`last_name`, or `name`. */
function names(traits: Traits): { name?: string; given_name?: string; family_name?: string } {
  const nested = traits.name && typeof traits.name === "object" ? (traits.name as Traits) : undefined;
  const given = str(nested?.first) ?? str(traits.first_name);
  const family = str(nested?.last) ?? str(traits.last_name);
  const full = str(traits.name) ?? ([given, family].filter(Boolean).join(" ") || undefined);
  return {
    ...(full ? { name: full } : {}),
    ...(given ? { given_name: given } : {}),
    ...(family ? { family_name: family } : {}),
  };
}

/**
 * The ID token claims for a granted consent (OIDC Core §5.4: claims follow the granted scopes).
 * `email` grants `email` + `email_verified`; `profile` grants the name claims. IAM tokens also
 * carry the employee's `role` (and extra `roles`) from `metadata_admin`, which only the admin API
 * writes — never from traits, which their owner rewrites through self-service settings. The claim
 * is informational: Athena reads the role from IAM itself and does not authorise on it.
 */
export function idTokenClaims(identity: ClaimSource, grantScope: string[], domain: DomainName): Traits {
  const traits = (identity.traits && typeof identity.traits === "object" ? identity.traits : {}) as Traits;
  const scopes = new Set(grantScope);
  const claims: Traits = {};
  const email = str(traits.email);
  if (scopes.has("email") && email) {
    claims.email = email;
    claims.email_verified = (identity.verifiable_addresses ?? []).some(
      (a) => a.verified && a.value.toLowerCase() === email.toLowerCase(),
    );
  }
  if (scopes.has("profile")) Object.assign(claims, names(traits));
  if (domain === "iam") {
    const meta = (
      identity.metadata_admin && typeof identity.metadata_admin === "object" ? identity.metadata_admin : {}
    ) as Traits;
    const role = str(meta.role);
    if (role) claims.role = role;
    if (Array.isArray(meta.roles)) claims.roles = meta.roles.filter((r) => typeof r === "string");
  }
  return claims;
}

/** The scopes a consent may grant: the ones the user kept, never more than the client asked for. */
export function grantableScopes(requested: string[], chosen: string[] | undefined): string[] {
  if (!chosen) return [...requested];
  const keep = new Set(chosen);
  return requested.filter((s) => keep.has(s));
}
