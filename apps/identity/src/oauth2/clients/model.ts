import { z } from "zod";
import { randomAlnum, uuid } from "../../security/random.ts";
import { OAuth2Error } from "../errors.ts";
import type { OAuth2Config } from "../runtime.ts";
import { isScopeToken, splitList } from "../scope.ts";

export const GRANT_TYPES = [
  "authorization_code",
  "refresh_token",
  "client_credentials",
  "implicit",
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
  "urn:ietf:params:oauth:grant-type:device_code",
] as const;

export const AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

const LIFESPANS = [
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
}

export interface ClientRecord {
  id: string;
  secretHash: string | null;
  clientName: string;
  owner: string;
  data: ClientData;
  createdAt: Date;
  updatedAt: Date;
}

const strList = z.array(z.string().max(2048)).max(100);
const text = (max = 2048) => z.string().max(max);

/** What POST/PUT /admin/clients accepts; unknown fields are ignored, as lenient JSON decoders do. */
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
  if (input.token_endpoint_auth_method === "private_key_jwt") {
    throw metadataError(
      'Token endpoint authentication method "private_key_jwt" is not supported by this server.',
    );
  }
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
    const u = absoluteUrl(uri);
    // Native apps may use private-use schemes (RFC 8252 §7.1); script-capable schemes never.
    if (!u || u.hash || ["javascript:", "data:", "vbscript:", "file:", "blob:"].includes(u.protocol)) {
      throw new OAuth2Error(
        "invalid_redirect_uri",
        `Redirect URI "${uri}" must be an absolute URL without a fragment, and not a javascript:, data: or file: URL.`,
      );
    }
  }
  const postLogout = input.post_logout_redirect_uris ?? [];
  for (const uri of postLogout) {
    const u = absoluteUrl(uri);
    if (!u || u.hash) {
      throw metadataError(`Post logout redirect URI "${uri}" must be an absolute URL without a fragment.`);
    }
  }
  for (const [field, value] of [
    ["client_uri", input.client_uri],
    ["logo_uri", input.logo_uri],
    ["policy_uri", input.policy_uri],
    ["tos_uri", input.tos_uri],
    ["frontchannel_logout_uri", input.frontchannel_logout_uri],
    ["backchannel_logout_uri", input.backchannel_logout_uri],
    ["sector_identifier_uri", input.sector_identifier_uri],
  ] as const) {
    if (value && !absoluteUrl(value)) throw metadataError(`Field "${field}" must be an absolute URL.`);
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
  if (input.jwks !== undefined && input.jwks !== null && typeof input.jwks === "object") {
    const keys = (input.jwks as { keys?: unknown[] }).keys;
    if (Array.isArray(keys) && keys.length > 0) {
      throw metadataError(
        'Field "jwks" is not supported: private_key_jwt client authentication is not available.',
      );
    }
  }
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
    token_endpoint_auth_signing_alg: input.token_endpoint_auth_signing_alg ?? "",
    request_uris: input.request_uris ?? [],
  };
}

/**
 * The secret a client gets: the one given (at least 6 characters, as Hydra requires), or a new random
 * 26-character one. Public clients (`none`) have none.
 */
export function chooseSecret(input: ClientInput, data: ClientData): string | undefined {
  if (data.token_endpoint_auth_method === "none") return undefined;
  if (input.client_secret) {
    if (input.client_secret.length < 6) {
      throw metadataError('Field "client_secret" must contain a secret that is at least 6 characters long.');
    }
    return input.client_secret;
  }
  return newClientSecret();
}

/** 26 random alphanumeric characters (~155 bits), as long as Hydra's generated secrets. */
export function newClientSecret(): string {
  return randomAlnum(26);
}

export function newClientId(input: ClientInput): string {
  return input.client_id ?? uuid();
}

/** The Hydra OAuth2Client wire shape; the secret appears only when it was just set. */
export function clientToWire(c: ClientRecord, secret?: string): Record<string, unknown> {
  const d = c.data;
  const lifespans = Object.fromEntries(LIFESPANS.map((k) => [k, null]));
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
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
    ...lifespans,
  };
}

/** A client as the wire input it could have been created from (for PATCH). */
export function clientToInput(c: ClientRecord): Record<string, unknown> {
  const wire = clientToWire(c);
  for (const k of ["created_at", "updated_at", "client_secret_expires_at", ...LIFESPANS]) delete wire[k];
  return wire;
}

export function isPublic(c: ClientRecord): boolean {
  return c.data.token_endpoint_auth_method === "none";
}
