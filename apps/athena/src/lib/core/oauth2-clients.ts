import "server-only";
import { type JsonPatch, OlympusOAuth2AdminApi, type OAuth2Client } from "@olympus/sdk";
import { z } from "zod";
import { athenaEnv } from "../env";
import { withActorHeader } from "./actor";
import { core } from "./clients";
import { nextPageToken } from "./pagination";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";

/** The grants the core's discovery document lists (no implicit: the core refuses it, as OAuth 2.1 drops it). */
export const GRANT_TYPES = [
  "authorization_code",
  "refresh_token",
  "client_credentials",
  "urn:ietf:params:oauth:grant-type:device_code",
  TOKEN_EXCHANGE_GRANT,
] as const;

/** The core's token exchange policy of a client (RFC 8693; Olympus, not in Hydra's client). */
export interface TokenExchangePolicy {
  allowed_audiences: string[];
  allowed_subject_clients: string[];
  allowed_issuers: string[];
  may_impersonate: boolean;
}

/** A client as the core answers it, with the Olympus fields Ory's SDK model does not carry. */
export type CoreClient = OAuth2Client & {
  token_exchange?: TokenExchangePolicy;
  require_pushed_authorization_requests?: boolean;
  dpop_bound_access_tokens?: boolean;
};

/** Public clients authenticate with nothing (PKCE instead); confidential ones with a secret. */
export const isPublicClient = (c: Pick<OAuth2Client, "token_endpoint_auth_method">) =>
  c.token_endpoint_auth_method === "none";

const uri = z.url({ protocol: /^https?$|^[a-z][a-z0-9+.-]*$/ });
/** URLs the provider calls or frames (logout): web URLs only. */
const webUri = z.url({ protocol: /^https?$/ }).max(2000);

/** A value of a token exchange policy list (audiences travel space-separated: no spaces). */
const policyList = z
  .array(z.string().trim().min(1).max(500).regex(/^\S+$/, "one value per line, without spaces"))
  .max(100)
  .default([]);

/** What the create and edit forms send. */
export const clientInput = z
  .object({
    client_name: z.string().trim().min(1, "a name is required").max(200),
    client_type: z.enum(["public", "confidential"]),
    token_endpoint_auth_method: z
      .enum(["client_secret_basic", "client_secret_post"])
      .default("client_secret_basic"),
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
    skip_consent: z.boolean().default(false),
    /** "" follows the server's `oauth2.strategies.access_token`. */
    access_token_strategy: z.enum(["", "opaque", "jwt"]).default(""),
    backchannel_logout_uri: z.union([z.literal(""), webUri]).default(""),
    frontchannel_logout_uri: z.union([z.literal(""), webUri]).default(""),
    require_pushed_authorization_requests: z.boolean().default(false),
    /** RFC 9449 §5.2: every token request must carry a DPoP proof. */
    dpop_bound_access_tokens: z.boolean().default(false),
    /** Who the client may exchange tokens for, and for which audiences; all empty: nothing. */
    token_exchange: z
      .object({
        allowed_audiences: policyList,
        allowed_subject_clients: policyList,
        allowed_issuers: policyList,
        may_impersonate: z.boolean().default(false),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    if (c.grant_types.includes("authorization_code") && c.redirect_uris.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["redirect_uris"],
        message: "authorization_code needs a redirect URI",
      });
    }
    if (c.client_type === "public" && c.grant_types.includes("client_credentials")) {
      ctx.addIssue({
        code: "custom",
        path: ["grant_types"],
        message: "a public client cannot use client_credentials",
      });
    }
    if (c.client_type === "public" && c.grant_types.includes(TOKEN_EXCHANGE_GRANT)) {
      ctx.addIssue({
        code: "custom",
        path: ["grant_types"],
        message: "a public client cannot use token exchange",
      });
    }
  });
export type ClientInput = z.infer<typeof clientInput>;

/** The Hydra client body for the form's fields. */
export function toHydraClient(c: ClientInput): OAuth2Client {
  const response_types = c.grant_types.includes("authorization_code") ? ["code"] : [];
  return {
    client_name: c.client_name,
    grant_types: c.grant_types,
    response_types,
    scope: c.scope,
    redirect_uris: c.redirect_uris,
    post_logout_redirect_uris: c.post_logout_redirect_uris,
    audience: c.audience,
    skip_consent: c.skip_consent,
    access_token_strategy: c.access_token_strategy || undefined,
    backchannel_logout_uri: c.backchannel_logout_uri,
    frontchannel_logout_uri: c.frontchannel_logout_uri,
    require_pushed_authorization_requests: c.require_pushed_authorization_requests,
    dpop_bound_access_tokens: c.dpop_bound_access_tokens,
    token_endpoint_auth_method: c.client_type === "public" ? "none" : c.token_endpoint_auth_method,
  } as OAuth2Client; // require_pushed_authorization_requests (RFC 9126) and dpop_bound_access_tokens (RFC 9449) are Olympus', not in Hydra's type
}

/**
 * The Olympus fields of the form as a JSON Patch: `@ory/client-fetch`'s OAuth2Client model drops
 * fields Hydra does not have when it writes a client, so they follow the create or replace this way.
 */
export function olympusFieldsPatch(c: ClientInput): JsonPatch[] {
  return [
    { op: "add", path: "/token_exchange", value: c.token_exchange },
    {
      op: "add",
      path: "/require_pushed_authorization_requests",
      value: c.require_pushed_authorization_requests,
    },
    { op: "add", path: "/dpop_bound_access_tokens", value: c.dpop_bound_access_tokens },
  ];
}

/** A client read with every field the core answers (the SDK model would drop the Olympus ones). */
export async function getCoreClient(id: string): Promise<CoreClient> {
  const res = await core().oauth2.getOAuth2ClientRaw({ id });
  return (await res.raw.json()) as CoreClient;
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

/** Olympus' rotation endpoint (not in Hydra): the new secret comes back once. */
export function rotateSecret(clientId: string) {
  return new OlympusOAuth2AdminApi(athenaEnv().hydraAdminUrl, (i, init) =>
    fetch(i, { ...withActorHeader(i, init), cache: "no-store" }),
  ).rotateClientSecret(clientId);
}
