import { OAuth2Error } from "../errors.ts";

/*
 * The OpenID Connect `claims` request parameter (Core §5.5): a JSON object whose `userinfo` and
 * `id_token` members name the claims the client wants, each `null` (voluntary) or an object with
 * `essential`, `value` or `values`. The core checks its shape, hands it to the consent app
 * (`oidc_context.claims`), and enforces what it can itself: an essential `acr` the login did not meet
 * (§5.5.1.1) and a requested `sub` value (§5.5.1) that is not the user's.
 */

export interface ClaimRequest {
  essential?: boolean;
  value?: unknown;
  values?: unknown[];
}

export interface ClaimsRequest {
  userinfo?: Record<string, ClaimRequest | null>;
  id_token?: Record<string, ClaimRequest | null>;
}

const MAX_CHARS = 4096;
const MAX_CLAIMS = 64;
const MAX_NAME = 256;

const invalid = (hint: string) => new OAuth2Error("invalid_request", hint);

function member(value: unknown, name: string): Record<string, ClaimRequest | null> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalid(`The 'claims' parameter's '${name}' member must be a JSON object.`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_CLAIMS) {
    throw invalid(`The 'claims' parameter's '${name}' member may name at most ${MAX_CLAIMS} claims.`);
  }
  const out: Record<string, ClaimRequest | null> = {};
  for (const [claim, req] of entries) {
    if (!claim || claim.length > MAX_NAME) throw invalid("The 'claims' parameter names an invalid claim.");
    if (req === null) {
      out[claim] = null;
      continue;
    }
    if (typeof req !== "object" || Array.isArray(req)) {
      throw invalid(`The request for claim '${claim}' must be null or a JSON object.`);
    }
    const r = req as Record<string, unknown>;
    if (r.essential !== undefined && typeof r.essential !== "boolean") {
      throw invalid(`The 'essential' member of claim '${claim}' must be a boolean.`);
    }
    if (r.values !== undefined && !Array.isArray(r.values)) {
      throw invalid(`The 'values' member of claim '${claim}' must be an array.`);
    }
    if (r.value !== undefined && r.values !== undefined) {
      throw invalid(`Claim '${claim}' may have 'value' or 'values', not both.`);
    }
    out[claim] = {
      ...(r.essential !== undefined ? { essential: r.essential as boolean } : {}),
      ...(r.value !== undefined ? { value: r.value } : {}),
      ...(r.values !== undefined ? { values: r.values as unknown[] } : {}),
    };
  }
  return out;
}

/** Decodes and checks the `claims` parameter; undefined when absent. Malformed: `invalid_request`. */
export function parseClaimsRequest(raw: string | null): ClaimsRequest | undefined {
  if (raw === null || raw === "") return undefined;
  if (raw.length > MAX_CHARS) throw invalid(`The 'claims' parameter may be at most ${MAX_CHARS} characters.`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw invalid("The 'claims' parameter is not valid JSON.");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw invalid("The 'claims' parameter must be a JSON object.");
  }
  const v = value as Record<string, unknown>;
  const userinfo = member(v.userinfo, "userinfo");
  const idToken = member(v.id_token, "id_token");
  // Other members are ignored (Core §5.5: they may be defined by extensions).
  return { ...(userinfo ? { userinfo } : {}), ...(idToken ? { id_token: idToken } : {}) };
}

/** The request for one claim, from the ID token member or else the userinfo member. */
function claimRequest(claims: ClaimsRequest | undefined, name: string): ClaimRequest | undefined {
  return claims?.id_token?.[name] ?? claims?.userinfo?.[name] ?? undefined;
}

/**
 * Core §5.5.1.1: the `acr` values an essential `acr` request allows (`value` or `values`); undefined
 * when `acr` is not essential (then it is voluntary, like `acr_values`).
 */
export function essentialAcr(claims: ClaimsRequest | undefined): string[] | undefined {
  const r = claimRequest(claims, "acr");
  if (!r?.essential) return undefined;
  const allowed = r.values ?? (r.value !== undefined ? [r.value] : []);
  return allowed.filter((v): v is string => typeof v === "string");
}

/** Core §5.5.1: the `sub` the client asked for by value (the ID token must be about that user only). */
export function requestedSubject(claims: ClaimsRequest | undefined): string | undefined {
  const v = claims?.id_token?.sub?.value;
  return typeof v === "string" ? v : undefined;
}
