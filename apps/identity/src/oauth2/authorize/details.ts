import type { ClientRecord } from "../clients/model.ts";
import { OAuth2Error } from "../errors.ts";
import type { GrantRow } from "../grants.ts";

/*
 * Rich Authorization Requests (RFC 9396). `authorization_details` is a JSON array of objects, each with
 * a string `type` the client registered (`authorization_details_types`, RFC 9396 §10). The common
 * fields of §2.2 are checked for their shape; everything else a type defines is kept as sent. A
 * narrowed set (consent, refresh) must be covered by the set it narrows (`covers`).
 */

export interface AuthorizationDetail {
  type: string;
  [field: string]: unknown;
}

/** Limits on what a client may send (the value travels in URLs, sealed challenges and tokens). */
export const MAX_DETAILS_CHARS = 8192;
export const MAX_DETAILS = 16;
const MAX_DEPTH = 6;
const MAX_TYPE_CHARS = 256;
/** RFC 9396 §2.2: the common fields that are arrays of strings, and the one that is a string. */
const STRING_ARRAYS = ["locations", "actions", "datatypes", "privileges"];

const invalid = (hint: string) => new OAuth2Error("invalid_authorization_details", hint);

function depth(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depth));
  if (value && typeof value === "object") return 1 + Math.max(0, ...Object.values(value).map(depth));
  return 0;
}

/**
 * Checks a decoded `authorization_details` value: an array of 1..16 objects, each with a `type` the
 * client may use; the common fields in their RFC shapes. Throws `invalid_authorization_details`.
 */
export function checkAuthorizationDetails(value: unknown, client: ClientRecord): AuthorizationDetail[] {
  if (!Array.isArray(value)) throw invalid("The 'authorization_details' parameter must be a JSON array.");
  if (value.length === 0) throw invalid("The 'authorization_details' array must not be empty.");
  if (value.length > MAX_DETAILS) {
    throw invalid(`The 'authorization_details' array may hold at most ${MAX_DETAILS} objects.`);
  }
  if (depth(value) > MAX_DEPTH) throw invalid("The 'authorization_details' are nested too deeply.");
  const allowed = client.data.authorization_details_types ?? [];
  return value.map((d, i) => {
    if (!d || typeof d !== "object" || Array.isArray(d)) {
      throw invalid(`authorization_details[${i}] must be a JSON object.`);
    }
    const detail = d as Record<string, unknown>;
    const type = detail.type;
    if (typeof type !== "string" || !type || type.length > MAX_TYPE_CHARS) {
      throw invalid(`authorization_details[${i}] must have a 'type' string.`);
    }
    if (!allowed.includes(type)) {
      throw invalid(`The OAuth 2.0 Client may not request authorization details of type '${type}'.`);
    }
    for (const field of STRING_ARRAYS) {
      const v = detail[field];
      if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== "string"))) {
        throw invalid(`authorization_details[${i}].${field} must be an array of strings.`);
      }
    }
    if (detail.identifier !== undefined && typeof detail.identifier !== "string") {
      throw invalid(`authorization_details[${i}].identifier must be a string.`);
    }
    return detail as AuthorizationDetail;
  });
}

/** Decodes and checks the `authorization_details` parameter; undefined when it is absent. */
export function parseAuthorizationDetails(
  raw: string | null,
  client: ClientRecord,
): AuthorizationDetail[] | undefined {
  if (raw === null || raw === "") return undefined;
  if (raw.length > MAX_DETAILS_CHARS) {
    throw invalid(`The 'authorization_details' parameter may be at most ${MAX_DETAILS_CHARS} characters.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw invalid("The 'authorization_details' parameter is not valid JSON.");
  }
  return checkAuthorizationDetails(value, client);
}

function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]))
    );
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      sameJson(ka, kb) &&
      ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

/**
 * Whether `wide` covers `narrow`: the same type and the same fields (a field left out would mean
 * "any"); every array field of `narrow` a subset of `wide`'s, every other field equal.
 */
export function detailCovers(wide: AuthorizationDetail, narrow: AuthorizationDetail): boolean {
  const kw = Object.keys(wide).sort();
  if (!sameJson(kw, Object.keys(narrow).sort())) return false;
  return kw.every((k) => {
    const w = wide[k];
    const n = narrow[k];
    if (Array.isArray(w) && Array.isArray(n)) return n.every((x) => w.some((y) => sameJson(x, y)));
    return sameJson(w, n);
  });
}

/** Whether every detail of `narrow` is covered by some detail of `wide`. */
export function covers(wide: AuthorizationDetail[], narrow: AuthorizationDetail[]): boolean {
  return narrow.every((n) => wide.some((w) => detailCovers(w, n)));
}

interface DetailsRequest {
  authorization_details?: AuthorizationDetail[];
  access_authorization_details?: AuthorizationDetail[];
}

/** The authorization details a grant holds (what the consent granted), if it was asked for any. */
export function grantedDetails(grant: GrantRow): AuthorizationDetail[] | undefined {
  return (grant.request as DetailsRequest | null)?.authorization_details;
}

/** The authorization details of the grant's current access token (narrowed at a refresh, or all granted). */
export function accessDetails(grant: GrantRow): AuthorizationDetail[] | undefined {
  const r = grant.request as DetailsRequest | null;
  return r?.access_authorization_details ?? r?.authorization_details;
}

/**
 * RFC 9396 §6.2: the `authorization_details` of a refresh request, each covered by the granted ones;
 * undefined (all granted) when absent. Throws `invalid_authorization_details`.
 */
export function narrowAtRefresh(
  grant: GrantRow,
  client: ClientRecord,
  form: URLSearchParams,
): AuthorizationDetail[] | undefined {
  const asked = parseAuthorizationDetails(form.get("authorization_details"), client);
  if (!asked) return undefined;
  if (!covers(grantedDetails(grant) ?? [], asked)) {
    throw invalid("The requested 'authorization_details' exceed what was granted.");
  }
  return asked;
}
