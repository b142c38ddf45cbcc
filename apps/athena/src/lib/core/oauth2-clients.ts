import "server-only";
import { type JsonPatch, OlympusOAuth2AdminApi, type OAuth2Client } from "@olympus/sdk";
import { z } from "zod";
import { athenaEnv } from "../env";
import { HttpError } from "../api";
import { withActorHeader } from "./actor";
import { coreFailure } from "./errors";
import { core } from "./clients";
import { nextPageToken } from "./pagination";

/**
 * The grants the core accepts (its discovery document's `grant_types_supported`): no implicit, which
 * the core refuses, as OAuth 2.1 drops it.
 */
export const GRANT_TYPES = [
  "authorization_code",
  "refresh_token",
  "client_credentials",
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
  "urn:ietf:params:oauth:grant-type:device_code",
  "urn:ietf:params:oauth:grant-type:token-exchange",
] as const;

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";

/**
 * An RFC 9396 authorization details type the client may request: the core's rule (no spaces or
 * control characters, at most 256 characters), checked here too so the form names the line.
 */
const detailsType = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(/^[^\s\p{Cc}]+$/u, "one type per line, without spaces or control characters");

/** The core's token exchange policy of a client (RFC 8693; Olympus, not in Hydra's client). */
export interface TokenExchangePolicy {
  allowed_audiences: string[];
  allowed_subject_clients: string[];
  allowed_issuers: string[];
  may_impersonate: boolean;
}

/** A value of a token exchange policy list (audiences travel space-separated: no spaces). */
const policyList = z
  .array(z.string().trim().min(1).max(500).regex(/^\S+$/, "one value per line, without spaces"))
  .max(100)
  .default([]);

/** How a confidential client authenticates at the token endpoint (public clients: `none`). */
export const CONFIDENTIAL_AUTH_METHODS = [
  "client_secret_basic",
  "client_secret_post",
  "client_secret_jwt",
  "private_key_jwt",
] as const;

/** Public clients authenticate with nothing (PKCE instead); confidential ones with a secret. */
export const isPublicClient = (c: Pick<OAuth2Client, "token_endpoint_auth_method">) =>
  c.token_endpoint_auth_method === "none";

/** Whether a client holds a secret that can be rotated (not public, not private_key_jwt). */
export const hasClientSecret = (c: Pick<OAuth2Client, "token_endpoint_auth_method">) =>
  c.token_endpoint_auth_method !== "none" && c.token_endpoint_auth_method !== "private_key_jwt";

const uri = z.url({ protocol: /^https?$|^[a-z][a-z0-9+.-]*$/ });
/** URLs the provider calls, frames or shows (logout, logo, policies): web URLs only. */
const webUri = z.url({ protocol: /^https?$/ }).max(2000);
const optionalWebUri = z.union([z.literal(""), webUri]).default("");
/** A CORS origin: scheme, host and port, nothing after. */
const origin = z
  .string()
  .trim()
  .max(500)
  .regex(/^https?:\/\/[^/?#\s]+$/, "an origin is scheme://host[:port], without a path");

/**
 * What a client's request objects (RFC 9101) may be signed with: "" any asymmetric algorithm, "none"
 * unsigned (the core then accepts unsigned objects from it), or exactly one algorithm.
 */
export const REQUEST_OBJECT_ALGS = [
  "",
  "none",
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
] as const;

/** A JWK Set pasted as JSON text, or "" for none. */
const jwksText = z
  .string()
  .max(100_000)
  .default("")
  .transform((text, ctx) => {
    if (!text.trim()) return undefined;
    try {
      const v = JSON.parse(text) as unknown;
      if (v && typeof v === "object" && Array.isArray((v as { keys?: unknown }).keys)) {
        return v as { keys: Record<string, unknown>[] };
      }
    } catch {}
    ctx.addIssue({ code: "custom", message: 'a JSON Web Key Set: {"keys": [...]}' });
    return z.NEVER;
  });

/**
 * The token lifetimes a client may set per grant (Hydra's lifespan fields, the implicit ones left
 * out: the core refuses that grant). "" follows the server's `oauth2.ttl`.
 */
export const LIFESPAN_FIELDS = [
  "authorization_code_grant_access_token_lifespan",
  "authorization_code_grant_id_token_lifespan",
  "authorization_code_grant_refresh_token_lifespan",
  "refresh_token_grant_access_token_lifespan",
  "refresh_token_grant_id_token_lifespan",
  "refresh_token_grant_refresh_token_lifespan",
  "client_credentials_grant_access_token_lifespan",
  "jwt_bearer_grant_access_token_lifespan",
  "device_authorization_grant_access_token_lifespan",
  "device_authorization_grant_id_token_lifespan",
  "device_authorization_grant_refresh_token_lifespan",
] as const;
export type LifespanField = (typeof LIFESPAN_FIELDS)[number];

/** A Go duration as the core takes it: `30m`, `1h30m`, `45s`. */
const duration = z
  .string()
  .trim()
  .max(32)
  .regex(/^(([0-9]+(ms|s|m|h))+)?$/, "a duration such as 30m, 1h30m or 45s")
  .default("");
const lifespanFields = Object.fromEntries(LIFESPAN_FIELDS.map((f) => [f, duration])) as Record<
  LifespanField,
  typeof duration
>;

/** What the create and edit forms send. */
export const clientInput = z
  .object({
    client_name: z.string().trim().min(1, "a name is required").max(200),
    client_type: z.enum(["public", "confidential"]),
    token_endpoint_auth_method: z.enum(CONFIDENTIAL_AUTH_METHODS).default("client_secret_basic"),
    grant_types: z.array(z.enum(GRANT_TYPES)).min(1, "choose at least one grant type"),
    scope: z
      .string()
      .trim()
      .max(2000)
      .regex(/^[\x21\x23-\x5B\x5D-\x7E ]*$/, "scopes are space-separated tokens")
      .default(""),
    redirect_uris: z.array(uri).max(50).default([]),
    post_logout_redirect_uris: z.array(uri).max(50).default([]),
    audience: z.array(z.string().trim().min(1).max(500)).max(50).default([]),
    allowed_cors_origins: z.array(origin).max(50).default([]),
    skip_consent: z.boolean().default(false),
    /** "" follows the server's `oauth2.strategies.access_token`. */
    access_token_strategy: z.enum(["", "opaque", "jwt"]).default(""),
    client_uri: optionalWebUri,
    logo_uri: optionalWebUri,
    policy_uri: optionalWebUri,
    tos_uri: optionalWebUri,
    backchannel_logout_uri: optionalWebUri,
    frontchannel_logout_uri: optionalWebUri,
    require_pushed_authorization_requests: z.boolean().default(false),
    /** private_key_jwt: the client's public keys, inline or at a URL. */
    jwks: jwksText,
    jwks_uri: optionalWebUri,
    /** The client signs request objects (RFC 9101) with its own keys: the keys are kept whatever its authentication. */
    request_object_keys: z.boolean().default(false),
    request_object_signing_alg: z.enum(REQUEST_OBJECT_ALGS).default(""),
    /** Where the core may fetch the client's request objects from (request_uri by reference): https URLs. */
    request_uris: z.array(webUri).max(20).default([]),
    /** RFC 9449 §5.2: every token request must carry a DPoP proof. */
    dpop_bound_access_tokens: z.boolean().default(false),
    ...lifespanFields,
    /** Who the client may exchange tokens for, and for which audiences; all empty: nothing. */
    token_exchange: z
      .object({
        allowed_audiences: policyList,
        allowed_subject_clients: policyList,
        allowed_issuers: policyList,
        may_impersonate: z.boolean().default(false),
      })
      .prefault({}),
    /**
     * RFC 9396 §10: the authorization details types the client may request. Absent (a caller that
     * predates the field): the client keeps the types it has.
     */
    authorization_details_types: z.array(detailsType).max(50).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.grant_types.includes("authorization_code") && c.redirect_uris.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["redirect_uris"],
        message: "authorization_code needs a redirect URI",
      });
    }
    if (c.client_type === "public" && c.grant_types.includes(TOKEN_EXCHANGE_GRANT)) {
      ctx.addIssue({
        code: "custom",
        path: ["grant_types"],
        message: "a public client cannot use token exchange",
      });
    }
    if (c.client_type === "public" && c.grant_types.includes("client_credentials")) {
      ctx.addIssue({
        code: "custom",
        path: ["grant_types"],
        message: "a public client cannot use client_credentials",
      });
    }
    const privateKeyJwt =
      c.client_type === "confidential" && c.token_endpoint_auth_method === "private_key_jwt";
    if (privateKeyJwt || c.request_object_keys) {
      if (!c.jwks && !c.jwks_uri) {
        ctx.addIssue({
          code: "custom",
          path: ["jwks_uri"],
          message: privateKeyJwt
            ? "private_key_jwt needs keys or a JWKS URL"
            : "signed request objects need keys or a JWKS URL",
        });
      }
      if (c.jwks && c.jwks_uri) {
        ctx.addIssue({ code: "custom", path: ["jwks"], message: "give the keys or a JWKS URL, not both" });
      }
    }
  });
export type ClientInput = z.infer<typeof clientInput>;

/** The Hydra client body for the form's fields. */
export function toHydraClient(c: ClientInput): OAuth2Client {
  const response_types = c.grant_types.includes("authorization_code") ? ["code"] : [];
  const keyed =
    (c.client_type === "confidential" && c.token_endpoint_auth_method === "private_key_jwt") ||
    c.request_object_keys;
  return {
    client_name: c.client_name,
    grant_types: c.grant_types,
    response_types,
    scope: c.scope,
    redirect_uris: c.redirect_uris,
    post_logout_redirect_uris: c.post_logout_redirect_uris,
    audience: c.audience,
    allowed_cors_origins: c.allowed_cors_origins,
    skip_consent: c.skip_consent,
    access_token_strategy: c.access_token_strategy || undefined,
    client_uri: c.client_uri,
    logo_uri: c.logo_uri,
    policy_uri: c.policy_uri,
    tos_uri: c.tos_uri,
    backchannel_logout_uri: c.backchannel_logout_uri,
    frontchannel_logout_uri: c.frontchannel_logout_uri,
    require_pushed_authorization_requests: c.require_pushed_authorization_requests,
    dpop_bound_access_tokens: c.dpop_bound_access_tokens,
    request_object_signing_alg: c.request_object_signing_alg,
    request_uris: c.request_uris,
    token_endpoint_auth_method: c.client_type === "public" ? "none" : c.token_endpoint_auth_method,
    // A lifespan left empty follows the server's.
    ...Object.fromEntries(LIFESPAN_FIELDS.map((f) => [f, c[f] || null])),
    // Keys only for private_key_jwt or signed request objects; null clears what an earlier choice had.
    jwks: keyed && c.jwks ? c.jwks : null,
    jwks_uri: keyed && !c.jwks ? c.jwks_uri : "",
  } as unknown as OAuth2Client; // require_pushed_authorization_requests (RFC 9126) and dpop_bound_access_tokens (RFC 9449) are Olympus', not in Hydra's type
}

const CORE_FIELDS = [
  "client_name",
  "token_endpoint_auth_method",
  "grant_types",
  "scope",
  "redirect_uris",
  "post_logout_redirect_uris",
  "audience",
  "allowed_cors_origins",
  "client_uri",
  "logo_uri",
  "policy_uri",
  "tos_uri",
  "backchannel_logout_uri",
  "frontchannel_logout_uri",
  "jwks_uri",
  "jwks",
  "request_object_signing_alg",
  "authorization_details_types",
  ...LIFESPAN_FIELDS,
] as const;

/**
 * The form field a core refusal (`invalid_client_metadata`, `invalid_redirect_uri`) names, read from
 * its description: `Field "logo_uri" must be…`, `Redirect URI "…" must be…`, `Grant type "…"…`.
 */
export function coreFieldOf(message: string): string | undefined {
  const named = /Field "([a-z_]+)/.exec(message)?.[1];
  if (named && (CORE_FIELDS as readonly string[]).includes(named)) return named;
  if (/^Redirect URI /i.test(message) || /redirect_uri/.test(message)) return "redirect_uris";
  if (/^Post logout redirect URI /i.test(message)) return "post_logout_redirect_uris";
  if (/^Grant type /i.test(message)) return "grant_types";
  if (/^Scope /i.test(message)) return "scope";
  if (/^Request URI /i.test(message)) return "request_uris";
  if (/"jwks"/.test(message)) return "jwks";
  if (/"jwks_uri"/.test(message)) return "jwks_uri";
  return undefined;
}

/**
 * A core refusal of a client write, as an answer the form can show on the field it names; anything
 * else is rethrown for the route's usual mapping.
 */
export async function clientRefusal(e: unknown): Promise<never> {
  const failure = await coreFailure(e);
  if (failure.status !== 400) throw e;
  const field = coreFieldOf(failure.message);
  throw new HttpError(
    400,
    "core_error",
    failure.message,
    field ? { fields: { [field]: failure.message } } : {},
  );
}

export interface ClientFilter {
  /** Words matched against the name, id, owner, redirect URIs and audience (all must match). */
  q?: string;
  type?: "public" | "confidential";
  grant?: string;
}

/** The clients a list search and its filters keep, in the list's order. */
export function filterClients<C extends OAuth2Client>(clients: C[], f: ClientFilter): C[] {
  const words = (f.q ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  return clients.filter((c) => {
    if (f.type && (isPublicClient(c) ? "public" : "confidential") !== f.type) return false;
    if (f.grant && !(c.grant_types ?? []).includes(f.grant)) return false;
    if (!words.length) return true;
    const hay = [c.client_name, c.client_id, c.owner, ...(c.redirect_uris ?? []), ...(c.audience ?? [])]
      .filter(Boolean)
      .join(" ")
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Every client (pages followed, bounded), for the list. */
export async function listAllClients(limit = 1000): Promise<{ clients: OAuth2Client[]; truncated: boolean }> {
  const api = core().oauth2;
  const clients: OAuth2Client[] = [];
  let token: string | undefined;
  do {
    const res = await api.listOAuth2ClientsRaw({ pageSize: 250, ...(token ? { pageToken: token } : {}) });
    clients.push(...(await res.value()));
    token = nextPageToken(res.raw.headers.get("link"));
  } while (token && clients.length < limit);
  return { clients, truncated: !!token };
}

/** The longest overlap the core allows a rotation (30 days). */
export const MAX_OVERLAP_SECONDS = 30 * 24 * 3600;

/**
 * Olympus' rotation endpoint (not in Hydra): the new secret comes back once; with an overlap the
 * previous secret keeps working until `rotated_secret_expires_at`.
 */
export function rotateSecret(clientId: string, overlapSeconds = 0) {
  return new OlympusOAuth2AdminApi(athenaEnv().hydraAdminUrl, (i, init) =>
    fetch(i, { ...withActorHeader(i, init), cache: "no-store" }),
  ).rotateClientSecret(clientId, { overlapSeconds });
}

/** A client as the core answers it, with Olympus' fields the SDK's model drops. */
export type CoreClient = OAuth2Client & {
  require_pushed_authorization_requests?: boolean;
  dpop_bound_access_tokens?: boolean;
  token_exchange?: TokenExchangePolicy;
  rotated_secret_expires_at?: string;
  /** RFC 9396 §10: the authorization details types the client may request (set over the admin API). */
  authorization_details_types?: string[];
};

/** Reads one client as the core sent it (Olympus' fields kept). */
export async function getClient(id: string): Promise<CoreClient> {
  const res = await core().oauth2.getOAuth2ClientRaw({ id });
  return (await res.raw.json()) as CoreClient;
}

/**
 * The Olympus fields a form does not send, as the client had them: a replace resets them, so an edit
 * puts them back (set over the admin API, they survive an edit in Athena).
 */
export function keptFieldsPatch(current: CoreClient, input: ClientInput): JsonPatch[] {
  if (input.authorization_details_types) return [];
  return [
    {
      op: "add",
      path: "/authorization_details_types",
      value: Array.isArray(current.authorization_details_types) ? current.authorization_details_types : [],
    },
  ];
}

/**
 * The Olympus fields of the form as a JSON Patch: `@ory/client-fetch`'s OAuth2Client model drops
 * fields Hydra does not have when it writes a client, so they follow the create or replace this way.
 */
export function olympusFieldsPatch(c: ClientInput): JsonPatch[] {
  return [
    ...(c.authorization_details_types
      ? [
          {
            op: "add" as const,
            path: "/authorization_details_types",
            value: [...new Set(c.authorization_details_types)],
          },
        ]
      : []),
    { op: "add", path: "/token_exchange", value: c.token_exchange },
    {
      op: "add",
      path: "/require_pushed_authorization_requests",
      value: c.require_pushed_authorization_requests,
    },
    { op: "add", path: "/dpop_bound_access_tokens", value: c.dpop_bound_access_tokens },
  ];
}
