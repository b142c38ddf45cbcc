import { importJWK, type JWK } from "jose";
import { z } from "zod";
import { randomAlnum, uuid } from "../../security/random.ts";
import { OAuth2Error } from "../errors.ts";
import { fetchableUrl } from "../remote/fetch.ts";
import type { OAuth2Config } from "../runtime.ts";
import { isScopeToken, splitList } from "../scope.ts";

export const GRANT_TYPES = [
  "authorization_code",
  "refresh_token",
  "client_credentials",
  "implicit",
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
  "urn:ietf:params:oauth:grant-type:device_code",
  "urn:ietf:params:oauth:grant-type:token-exchange",
] as const;

export const AUTH_METHODS = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
  "client_secret_jwt",
  "none",
] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** Algorithms of private_key_jwt assertions and request objects (asymmetric: the client holds the private key). */
export const ASYMMETRIC_ALGS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
];
/** Algorithms of client_secret_jwt assertions (HMAC under the client secret). */
export const HMAC_ALGS = ["HS256", "HS384", "HS512"];

export const LIFESPANS = [
  "authorization_code_grant_access_token_lifespan",
  "authorization_code_grant_id_token_lifespan",
  "authorization_code_grant_refresh_token_lifespan",
  "client_credentials_grant_access_token_lifespan",
  "device_authorization_grant_access_token_lifespan",
  "device_authorization_grant_id_token_lifespan",
  "device_authorization_grant_refresh_token_lifespan",
  "implicit_grant_access_token_lifespan",
  "implicit_grant_id_token_lifespan",
  "jwt_bearer_grant_access_token_lifespan",
  "refresh_token_grant_access_token_lifespan",
  "refresh_token_grant_id_token_lifespan",
  "refresh_token_grant_refresh_token_lifespan",
] as const;
export type LifespanField = (typeof LIFESPANS)[number];
/** The grants a lifespan can be set for (Hydra's prefixes). */
export type LifespanGrant =
  | "authorization_code"
  | "client_credentials"
  | "device_authorization"
  | "implicit"
  | "jwt_bearer"
  | "refresh_token";

/** The longest lifespan a client may set: ten years. */
const MAX_LIFESPAN_MS = 10 * 365 * 24 * 3600 * 1000;
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * A Go duration as Hydra takes it (`1h30m`, `45s`, `500ms`) in milliseconds; undefined when it is not
 * one. Hydra's pattern: `^([0-9]+(ns|us|ms|s|m|h))*$`.
 */
export function parseDuration(value: string): number | undefined {
  if (value.length > 64 || !/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) return undefined;
  let ms = 0;
  for (const [, n, , unit] of value.matchAll(/([0-9]+(\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)) {
    ms += Number(n) * UNIT_MS[unit!]!;
  }
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** Milliseconds as Go prints a duration (`1h0m0s`, `30m0s`, `45s`, `500ms`), as Hydra answers them. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}

/** The client's own lifespan of a token kind for a grant, if it set one (ms). */
export function clientLifespan(
  client: ClientRecord,
  grant: LifespanGrant | undefined,
  token: "access_token" | "id_token" | "refresh_token",
): number | undefined {
  if (!grant) return undefined;
  const v = client.data.lifespans?.[`${grant}_grant_${token}_lifespan` as LifespanField];
  return typeof v === "number" && v > 0 ? v : undefined;
}

/** The client fields kept in `oauth2_clients.data` (everything but id, secret, name, owner, timestamps). */
export interface ClientData {
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  scope: string;
  audience: string[];
  token_endpoint_auth_method: AuthMethod;
  post_logout_redirect_uris: string[];
  skip_consent: boolean;
  skip_logout_consent: boolean;
  access_token_strategy: "" | "opaque" | "jwt";
  subject_type: "public" | "pairwise";
  sector_identifier_uri: string;
  metadata: Record<string, unknown>;
  client_uri: string;
  logo_uri: string;
  policy_uri: string;
  tos_uri: string;
  contacts: string[];
  allowed_cors_origins: string[];
  frontchannel_logout_uri: string;
  frontchannel_logout_session_required: boolean;
  backchannel_logout_uri: string;
  backchannel_logout_session_required: boolean;
  userinfo_signed_response_alg: string;
  request_object_signing_alg: string;
  token_endpoint_auth_signing_alg: string;
  request_uris: string[];
  // Fields added after the first release are optional: rows written before them lack them.
  /** The client's public keys (private_key_jwt, request objects), or none when `jwks_uri` names them. */
  jwks?: { keys: JWK[] };
  jwks_uri?: string;
  /** RFC 9126 §6: authorization requests of this client must be pushed first. */
  require_pushed_authorization_requests?: boolean;
  /** RFC 9449 §5.2: every token request of this client must carry a DPoP proof (its tokens are always DPoP-bound). */
  dpop_bound_access_tokens?: boolean;
  /**
   * Olympus: the secret a rotation replaced, still accepted until `expires_at` (ISO 8601). Kept as
   * stored before (HMAC hash; sealed as well for client_secret_jwt, whose HMAC needs the secret).
   */
  previous_secret?: PreviousSecret;
  /** Hydra's per-grant token lifespans, in milliseconds; a missing one follows the server's `oauth2.ttl`. */
  lifespans?: Partial<Record<LifespanField, number>>;
  /** RFC 8693: whose tokens this client may exchange, and for which audiences (deny by default). */
  token_exchange?: TokenExchangePolicy;
  /** RFC 9396 §10: the `authorization_details` types this client may request (none by default). */
  authorization_details_types?: string[];
}

export interface PreviousSecret {
  hash: string;
  sealed?: string;
  expires_at: string;
}

/** The longest overlap a rotation may give the previous secret: 30 days. */
export const MAX_ROTATION_OVERLAP_SECONDS = 30 * 24 * 3600;

/** The previous secret while its overlap lasts, else undefined. */
export function activePreviousSecret(data: ClientData, now = Date.now()): PreviousSecret | undefined {
  const p = data.previous_secret;
  return p && Date.parse(p.expires_at) > now ? p : undefined;
}

/**
 * A client's token exchange policy (Olympus; Hydra has no token exchange). Every list is empty and
 * `may_impersonate` false unless set: a client with the grant but no policy can exchange nothing.
 */
export interface TokenExchangePolicy {
  /** Audiences (and RFC 8707 resources) an exchanged token may be issued for; exact matches. */
  allowed_audiences: string[];
  /** Other clients whose tokens (access or ID tokens this server issued) may be exchanged. */
  allowed_subject_clients: string[];
  /** Issuers trusted through the jwt-bearer trust API whose JWTs may be exchanged (subject or actor). */
  allowed_issuers: string[];
  /** Whether an exchange without an actor token (impersonation: no `act` claim is added) is allowed. */
  may_impersonate: boolean;
}

const EMPTY_EXCHANGE_POLICY: TokenExchangePolicy = {
  allowed_audiences: [],
  allowed_subject_clients: [],
  allowed_issuers: [],
  may_impersonate: false,
};

/** The token exchange policy of a client (the deny-all policy when none is set). */
export function exchangePolicy(data: ClientData): TokenExchangePolicy {
  return { ...EMPTY_EXCHANGE_POLICY, ...(data.token_exchange ?? {}) };
}

export interface ClientRecord {
  id: string;
  secretHash: string | null;
  /** The encrypted secret of a client_secret_jwt client (see repository.ts). */
  secretSealed: string | null;
  clientName: string;
  owner: string;
  data: ClientData;
  createdAt: Date;
  updatedAt: Date;
}

const strList = z.array(z.string().max(2048)).max(100);
/** Each lifespan: a Go duration string, or null / "" for the server's default. */
const lifespanInput = Object.fromEntries(LIFESPANS.map((k) => [k, z.string().max(64).nullish()])) as Record<
  LifespanField,
  z.ZodOptional<z.ZodNullable<z.ZodString>>
>;
const text = (max = 2048) => z.string().max(max);

/** A value of a token exchange policy list: no spaces (audiences travel space-separated). */
const policyValue = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\s\p{Cc}]+$/u, "must not contain spaces or control characters");

/** What POST/PUT /admin/clients accepts; unknown fields are ignored, as lenient JSON decoders do. */
/** What PUT /admin/clients/{id}/lifespans accepts (Hydra's OAuth2ClientTokenLifespans). */
export const lifespansInput = z.object(lifespanInput);

export const clientInput = z.object({
  client_id: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7E]+$/, "must be printable ASCII without spaces")
    .optional(),
  client_secret: z.string().max(1024).optional(),
  client_name: text(512).optional(),
  owner: text(512).optional(),
  redirect_uris: strList.nullish(),
  grant_types: strList.nullish(),
  response_types: strList.nullish(),
  scope: text(4096).optional(),
  audience: strList.nullish(),
  token_endpoint_auth_method: z.string().optional(),
  post_logout_redirect_uris: strList.nullish(),
  skip_consent: z.boolean().optional(),
  skip_logout_consent: z.boolean().nullish(),
  access_token_strategy: z.string().optional(),
  subject_type: z.string().optional(),
  sector_identifier_uri: text().optional(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  client_uri: text().optional(),
  logo_uri: text().optional(),
  policy_uri: text().optional(),
  tos_uri: text().optional(),
  contacts: strList.nullish(),
  allowed_cors_origins: strList.nullish(),
  frontchannel_logout_uri: text().optional(),
  frontchannel_logout_session_required: z.boolean().optional(),
  backchannel_logout_uri: text().optional(),
  backchannel_logout_session_required: z.boolean().optional(),
  userinfo_signed_response_alg: text(32).optional(),
  request_object_signing_alg: text(32).optional(),
  token_endpoint_auth_signing_alg: text(32).optional(),
  request_uris: strList.nullish(),
  jwks: z.unknown().optional(),
  jwks_uri: text().optional(),
  require_pushed_authorization_requests: z.boolean().optional(),
  ...lifespanInput,
  dpop_bound_access_tokens: z.boolean().optional(),
  authorization_details_types: z.array(policyValue(256)).max(50).nullish(),
  token_exchange: z
    .strictObject({
      allowed_audiences: z.array(policyValue(2048)).max(100).nullish(),
      allowed_subject_clients: z.array(policyValue(255)).max(100).nullish(),
      allowed_issuers: z.array(policyValue(2048)).max(100).nullish(),
      may_impersonate: z.boolean().nullish(),
    })
    .nullish(),
});
export type ClientInput = z.infer<typeof clientInput>;

const metadataError = (hint: string) => new OAuth2Error("invalid_client_metadata", hint);

function absoluteUrl(value: string): URL | undefined {
  try {
    const u = new URL(value);
    return u.protocol.length > 1 ? u : undefined;
  } catch {
    return undefined;
  }
}

/** An absolute http(s) URL: what a browser may be sent to or load an image from. */
function webUrl(value: string): URL | undefined {
  const u = absoluteUrl(value);
  return u && (u.protocol === "https:" || u.protocol === "http:") && u.host !== "" ? u : undefined;
}

/**
 * Schemes a browser runs, renders or reads locally. A native app's private-use scheme (RFC 8252
 * §7.1, `com.example.app:/callback`) is fine as a redirect target; these never are.
 */
const DANGEROUS_SCHEMES = new Set([
  "javascript:",
  "vbscript:",
  "livescript:",
  "data:",
  "file:",
  "blob:",
  "filesystem:",
  "about:",
  "view-source:",
  "jar:",
  "mhtml:",
]);

/** A redirect target: an http(s) URL or a native app's private-use scheme, never a fragment. */
function appOrWebUrl(value: string): URL | undefined {
  // WHATWG URL drops tabs and newlines and trims C0 controls before parsing: refuse them outright,
  // so that what is stored is what the browser is sent to.
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    if (ch <= 0x20 || ch === 0x7f || ch === 0x5c) return undefined;
  }
  const u = absoluteUrl(value);
  if (!u || u.hash || value.includes("#") || DANGEROUS_SCHEMES.has(u.protocol)) return undefined;
  if ((u.protocol === "http:" || u.protocol === "https:") && u.host === "") return undefined;
  return u;
}

/** Parses a request body into client input; a type mismatch names the field (400 invalid_client_metadata). */
export function parseClientInput(body: unknown): ClientInput {
  const parsed = clientInput.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw metadataError(`Field "${issue.path.join(".")}" is invalid: ${issue.message}.`);
  }
  return parsed.data;
}

/** Applies Hydra's defaults and validation rules; returns the normalized client data. */
export function normalizeClient(input: ClientInput, cfg: OAuth2Config): ClientData {
  const authMethod = (input.token_endpoint_auth_method || "client_secret_basic") as AuthMethod;
  if (!AUTH_METHODS.includes(authMethod)) {
    throw metadataError(
      `Field "token_endpoint_auth_method" must be one of ${AUTH_METHODS.join(", ")}, got "${authMethod}".`,
    );
  }
  const grantTypes = input.grant_types?.length ? [...new Set(input.grant_types)] : ["authorization_code"];
  for (const g of grantTypes) {
    if (!(GRANT_TYPES as readonly string[]).includes(g)) {
      throw metadataError(`Grant type "${g}" is not supported.`);
    }
  }
  const responseTypes = input.response_types?.length ? [...new Set(input.response_types)] : ["code"];
  for (const r of responseTypes) {
    const parts = splitList(r);
    if (!parts.length || parts.some((p) => !["code", "token", "id_token", "none"].includes(p))) {
      throw metadataError(`Response type "${r}" is not supported.`);
    }
  }
  const redirectUris = input.redirect_uris ?? [];
  for (const uri of redirectUris) {
    if (!appOrWebUrl(uri)) {
      throw new OAuth2Error(
        "invalid_redirect_uri",
        `Redirect URI "${uri}" must be an absolute URL without a fragment, and not a javascript:, data:, vbscript: or file: URL.`,
      );
    }
  }
  const postLogout = input.post_logout_redirect_uris ?? [];
  // Where a signed-out browser is sent: http(s) only (a native app returns through a claimed https
  // link or a loopback address, RFC 8252 §7.2–7.3), without a fragment.
  for (const uri of postLogout) {
    const u = webUrl(uri);
    if (!u || u.hash) {
      throw metadataError(
        `Post logout redirect URI "${uri}" must be an absolute http or https URL without a fragment.`,
      );
    }
  }
  // Shown to end users as links and images (consent and login screens): web addresses only.
  for (const [field, value] of [
    ["client_uri", input.client_uri],
    ["logo_uri", input.logo_uri],
    ["policy_uri", input.policy_uri],
    ["tos_uri", input.tos_uri],
    ["frontchannel_logout_uri", input.frontchannel_logout_uri],
    ["backchannel_logout_uri", input.backchannel_logout_uri],
    ["sector_identifier_uri", input.sector_identifier_uri],
  ] as const) {
    if (value && !webUrl(value)) {
      throw metadataError(`Field "${field}" must be an absolute http or https URL.`);
    }
  }
  // Logout endpoints (OpenID Connect Front-/Back-Channel Logout §2): no fragment, and no credentials
  // in a URL the provider calls or puts in a page.
  for (const [field, value] of [
    ["frontchannel_logout_uri", input.frontchannel_logout_uri],
    ["backchannel_logout_uri", input.backchannel_logout_uri],
  ] as const) {
    const u = value ? webUrl(value) : undefined;
    if (u && (u.hash || u.username || u.password)) {
      throw metadataError(`Field "${field}" must not contain a fragment or credentials.`);
    }
  }
  const scope = input.scope === undefined ? "offline_access offline openid" : input.scope.trim();
  for (const s of splitList(scope)) {
    if (!isScopeToken(s)) throw metadataError(`Scope "${s}" contains characters a scope may not contain.`);
  }
  const strategy = input.access_token_strategy ?? "";
  if (!["", "opaque", "jwt"].includes(strategy)) {
    throw metadataError(`Field "access_token_strategy" must be "opaque" or "jwt", got "${strategy}".`);
  }
  const subjectType = input.subject_type || "public";
  if (subjectType !== "public" && subjectType !== "pairwise") {
    throw metadataError(`Field "subject_type" must be "public" or "pairwise", got "${subjectType}".`);
  }
  if (!cfg.subject_identifiers.supported_types.includes(subjectType)) {
    throw metadataError(
      `Subject type "${subjectType}" is not supported by this server (supported: ${cfg.subject_identifiers.supported_types.join(", ")}).`,
    );
  }
  const jwks = keySetInput(input.jwks);
  const jwksUri = input.jwks_uri ?? "";
  if (jwksUri && !fetchableUrl(jwksUri)) {
    throw metadataError('Field "jwks_uri" must be an absolute http or https URL.');
  }
  if (jwks && jwksUri) throw metadataError('Fields "jwks" and "jwks_uri" can not both be set.');
  if (authMethod === "private_key_jwt" && !jwks && !jwksUri) {
    throw metadataError(
      'When token_endpoint_auth_method is "private_key_jwt", either "jwks" or "jwks_uri" must be set.',
    );
  }
  const authAlg = input.token_endpoint_auth_signing_alg ?? "";
  if (authAlg) {
    const allowed =
      authMethod === "private_key_jwt"
        ? ASYMMETRIC_ALGS
        : authMethod === "client_secret_jwt"
          ? HMAC_ALGS
          : [];
    if (!allowed.includes(authAlg)) {
      throw metadataError(
        allowed.length
          ? `Field "token_endpoint_auth_signing_alg" must be one of ${allowed.join(", ")} for "${authMethod}", got "${authAlg}".`
          : `Field "token_endpoint_auth_signing_alg" only applies to private_key_jwt and client_secret_jwt.`,
      );
    }
  }
  const requestAlg = input.request_object_signing_alg ?? "";
  if (requestAlg && requestAlg !== "none" && !ASYMMETRIC_ALGS.includes(requestAlg)) {
    throw metadataError(
      `Field "request_object_signing_alg" must be "none" or one of ${ASYMMETRIC_ALGS.join(", ")}, got "${requestAlg}".`,
    );
  }
  const requestUris = input.request_uris ?? [];
  for (const uri of requestUris) {
    if (!fetchableUrl(uri))
      throw metadataError(`Request URI "${uri}" must be an absolute http or https URL.`);
  }
  checkPairwise(subjectType, input.sector_identifier_uri ?? "", redirectUris);
  const lifespans = normalizeLifespans(input);
  const exchange = input.token_exchange;
  return {
    redirect_uris: redirectUris,
    grant_types: grantTypes,
    response_types: responseTypes,
    scope,
    audience: input.audience ?? [],
    token_endpoint_auth_method: authMethod,
    post_logout_redirect_uris: postLogout,
    skip_consent: input.skip_consent ?? false,
    skip_logout_consent: input.skip_logout_consent ?? false,
    access_token_strategy: strategy as ClientData["access_token_strategy"],
    subject_type: subjectType,
    sector_identifier_uri: input.sector_identifier_uri ?? "",
    metadata: input.metadata ?? {},
    client_uri: input.client_uri ?? "",
    logo_uri: input.logo_uri ?? "",
    policy_uri: input.policy_uri ?? "",
    tos_uri: input.tos_uri ?? "",
    contacts: input.contacts ?? [],
    allowed_cors_origins: input.allowed_cors_origins ?? [],
    frontchannel_logout_uri: input.frontchannel_logout_uri ?? "",
    frontchannel_logout_session_required: input.frontchannel_logout_session_required ?? false,
    backchannel_logout_uri: input.backchannel_logout_uri ?? "",
    backchannel_logout_session_required: input.backchannel_logout_session_required ?? false,
    userinfo_signed_response_alg: input.userinfo_signed_response_alg || "none",
    request_object_signing_alg: input.request_object_signing_alg ?? "",
    token_endpoint_auth_signing_alg: authAlg,
    request_uris: requestUris,
    ...(jwks ? { jwks } : {}),
    jwks_uri: jwksUri,
    require_pushed_authorization_requests: input.require_pushed_authorization_requests ?? false,
    ...(lifespans ? { lifespans } : {}),
    dpop_bound_access_tokens: input.dpop_bound_access_tokens ?? false,
    authorization_details_types: [...new Set(input.authorization_details_types ?? [])],
    token_exchange: {
      allowed_audiences: [...new Set(exchange?.allowed_audiences ?? [])],
      allowed_subject_clients: [...new Set(exchange?.allowed_subject_clients ?? [])],
      allowed_issuers: [...new Set(exchange?.allowed_issuers ?? [])],
      may_impersonate: exchange?.may_impersonate ?? false,
    },
  };
}

/** The lifespans a client input sets (Go durations, at most ten years each), or undefined for none. */
export function normalizeLifespans(input: Partial<Record<LifespanField, string | null>>) {
  const out: Partial<Record<LifespanField, number>> = {};
  for (const k of LIFESPANS) {
    const v = input[k];
    if (v === undefined || v === null || v === "") continue;
    const ms = parseDuration(v);
    if (ms === undefined || ms > MAX_LIFESPAN_MS) {
      throw metadataError(
        `Field "${k}" must be a duration such as "1h", "30m" or "45s" (at most 87600h), got "${v}".`,
      );
    }
    if (ms > 0) out[k] = ms;
  }
  return Object.keys(out).length ? out : undefined;
}

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/**
 * A client's `jwks`: a JWK Set of at most 20 public keys (a private or symmetric key registered here
 * would be a leaked secret). Undefined for none or an empty set. The keys are imported (checked) in
 * `checkClientKeys`.
 */
function keySetInput(value: unknown): { keys: JWK[] } | undefined {
  if (value === undefined || value === null) return undefined;
  const keys = (value as { keys?: unknown }).keys;
  if (
    typeof value !== "object" ||
    Array.isArray(value) ||
    (keys !== undefined && keys !== null && !Array.isArray(keys))
  ) {
    throw metadataError('Field "jwks" must be a JSON Web Key Set: {"keys": [...]}.');
  }
  if (!Array.isArray(keys) || keys.length === 0) return undefined;
  if (keys.length > 20) throw metadataError('Field "jwks" may hold at most 20 keys.');
  for (const k of keys) {
    if (typeof k !== "object" || k === null || typeof (k as JWK).kty !== "string") {
      throw metadataError('Every key of "jwks" must be a JSON Web Key with a "kty".');
    }
    if (PRIVATE_MEMBERS.some((m) => m in k)) {
      throw metadataError(
        'Field "jwks" must hold public keys only; it contains private or symmetric key material.',
      );
    }
  }
  return { keys: keys as JWK[] };
}

/** Checks that every key of a client's `jwks` can be imported as a verification key. */
export async function checkClientKeys(data: ClientData): Promise<void> {
  for (const k of data.jwks?.keys ?? []) {
    if (k.use === "enc") continue;
    try {
      await importJWK(k, k.alg ?? defaultAlg(k));
    } catch (e) {
      throw metadataError(
        `A key of "jwks"${k.kid ? ` (kid "${k.kid}")` : ""} can not be used: ${(e as Error).message}`,
      );
    }
  }
}

/** The algorithm a JWK without `alg` is imported for (only to check it). */
function defaultAlg(k: JWK): string {
  if (k.kty === "RSA") return "RS256";
  if (k.kty === "OKP") return "EdDSA";
  return { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" }[k.crv ?? ""] ?? "ES256";
}

/**
 * OpenID Connect Core §8.1 and Registration §5: a pairwise client whose redirect URIs lie on several
 * hosts needs a sector_identifier_uri (else its subjects would depend on which host came first); a
 * sector_identifier_uri must use https (http is allowed for loopback hosts, for development).
 */
function checkPairwise(subjectType: string, sectorUri: string, redirectUris: string[]): void {
  if (sectorUri) {
    const u = fetchableUrl(sectorUri);
    const loopback = u && ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname);
    if (!u || (u.protocol !== "https:" && !loopback)) {
      throw metadataError('Field "sector_identifier_uri" must be an https URL.');
    }
    return;
  }
  if (subjectType !== "pairwise") return;
  const hosts = new Set(redirectUris.map((r) => absoluteUrl(r)?.host ?? r));
  if (hosts.size > 1) {
    throw metadataError(
      'A pairwise client whose redirect URIs lie on several hosts must set "sector_identifier_uri" (OpenID Connect Core §8.1).',
    );
  }
}

/**
 * The secret a client gets: the one given (at least 6 characters, as Hydra requires), or a new random
 * 26-character one. Public clients (`none`) have none.
 */
export function chooseSecret(input: ClientInput, data: ClientData): string | undefined {
  if (!hasSecret(data)) return undefined;
  const method = data.token_endpoint_auth_method;
  if (input.client_secret) {
    // RFC 7518 §3.2: an HMAC key at least as long as the hash (256 bits for HS256).
    const min = method === "client_secret_jwt" ? 32 : 6;
    if (input.client_secret.length < min) {
      throw metadataError(
        `Field "client_secret" must contain a secret that is at least ${min} characters long.`,
      );
    }
    return input.client_secret;
  }
  return newClientSecret(method);
}

/** Whether a client authenticates with a secret (client_secret_basic, _post, _jwt). */
export function hasSecret(data: ClientData): boolean {
  return data.token_endpoint_auth_method !== "none" && data.token_endpoint_auth_method !== "private_key_jwt";
}

/**
 * 26 random alphanumeric characters (~155 bits), as long as Hydra's generated secrets; 64 for
 * client_secret_jwt, whose secret is an HMAC key for HS256 to HS512.
 */
export function newClientSecret(method?: AuthMethod): string {
  return randomAlnum(method === "client_secret_jwt" ? 64 : 26);
}

export function newClientId(input: ClientInput): string {
  return input.client_id ?? uuid();
}

/** The Hydra OAuth2Client wire shape; the secret appears only when it was just set. */
export function clientToWire(c: ClientRecord, secret?: string): Record<string, unknown> {
  const d = c.data;
  const lifespans = Object.fromEntries(
    LIFESPANS.map((k) => [k, d.lifespans?.[k] ? formatDuration(d.lifespans[k]) : null]),
  );
  return {
    client_id: c.id,
    client_name: c.clientName,
    ...(secret ? { client_secret: secret } : {}),
    redirect_uris: d.redirect_uris,
    grant_types: d.grant_types,
    response_types: d.response_types,
    scope: d.scope,
    audience: d.audience,
    owner: c.owner,
    policy_uri: d.policy_uri,
    allowed_cors_origins: d.allowed_cors_origins,
    tos_uri: d.tos_uri,
    client_uri: d.client_uri,
    logo_uri: d.logo_uri,
    contacts: d.contacts,
    client_secret_expires_at: 0,
    subject_type: d.subject_type,
    token_endpoint_auth_method: d.token_endpoint_auth_method,
    userinfo_signed_response_alg: d.userinfo_signed_response_alg,
    request_object_signing_alg: d.request_object_signing_alg,
    token_endpoint_auth_signing_alg: d.token_endpoint_auth_signing_alg,
    request_uris: d.request_uris,
    ...(d.jwks ? { jwks: d.jwks } : {}),
    jwks_uri: d.jwks_uri ?? "",
    require_pushed_authorization_requests: d.require_pushed_authorization_requests ?? false,
    dpop_bound_access_tokens: d.dpop_bound_access_tokens ?? false,
    token_exchange: exchangePolicy(d),
    authorization_details_types: d.authorization_details_types ?? [],
    sector_identifier_uri: d.sector_identifier_uri,
    post_logout_redirect_uris: d.post_logout_redirect_uris,
    frontchannel_logout_uri: d.frontchannel_logout_uri,
    frontchannel_logout_session_required: d.frontchannel_logout_session_required,
    backchannel_logout_uri: d.backchannel_logout_uri,
    backchannel_logout_session_required: d.backchannel_logout_session_required,
    metadata: d.metadata,
    skip_consent: d.skip_consent,
    skip_logout_consent: d.skip_logout_consent,
    access_token_strategy: d.access_token_strategy || undefined,
    // Olympus: while a rotation's overlap lasts, when the previous secret stops working.
    ...(activePreviousSecret(d) ? { rotated_secret_expires_at: d.previous_secret!.expires_at } : {}),
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
    ...lifespans,
  };
}

/** A client as the wire input it could have been created from (for PATCH). */
export function clientToInput(c: ClientRecord): Record<string, unknown> {
  const wire = clientToWire(c);
  for (const k of ["created_at", "updated_at", "client_secret_expires_at", "rotated_secret_expires_at"])
    delete wire[k];
  return wire;
}

export function isPublic(c: ClientRecord): boolean {
  return c.data.token_endpoint_auth_method === "none";
}
