import "server-only";
import { OlympusOAuth2AdminApi, type OAuth2Client } from "@olympus/sdk";
import { z } from "zod";
import { athenaEnv } from "../env";
import { withActorHeader } from "./actor";
import { core } from "./clients";
import { nextPageToken } from "./pagination";

/** The grants the core's discovery document lists (no implicit: the core refuses it, as OAuth 2.1 drops it). */
export const GRANT_TYPES = [
  "authorization_code",
  "refresh_token",
  "client_credentials",
  "urn:ietf:params:oauth:grant-type:device_code",
] as const;

/** Public clients authenticate with nothing (PKCE instead); confidential ones with a secret. */
export const isPublicClient = (c: Pick<OAuth2Client, "token_endpoint_auth_method">) =>
  c.token_endpoint_auth_method === "none";

const uri = z.url({ protocol: /^https?$|^[a-z][a-z0-9+.-]*$/ });
/** URLs the provider calls or frames (logout): web URLs only. */
const webUri = z.url({ protocol: /^https?$/ }).max(2000);

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

/** Olympus' client fields beyond Hydra's: @ory/client-fetch's OAuth2Client model drops them on every read and write. */
export interface OlympusClientFields {
  require_pushed_authorization_requests: boolean;
  dpop_bound_access_tokens: boolean;
}

/** Reads the Olympus-only fields of a client from the raw answer. */
export async function readOlympusFields(id: string): Promise<OlympusClientFields> {
  const res = await core().oauth2.getOAuth2ClientRaw({ id });
  const raw = (await res.raw.json()) as Record<string, unknown>;
  return {
    require_pushed_authorization_requests: raw.require_pushed_authorization_requests === true,
    dpop_bound_access_tokens: raw.dpop_bound_access_tokens === true,
  };
}

/** Sets the Olympus-only fields (a JSON Patch carries them through the SDK untouched). */
export async function writeOlympusFields(id: string, fields: OlympusClientFields): Promise<void> {
  await core().oauth2.patchOAuth2Client({
    id,
    jsonPatch: [
      {
        op: "add",
        path: "/require_pushed_authorization_requests",
        value: fields.require_pushed_authorization_requests,
      },
      { op: "add", path: "/dpop_bound_access_tokens", value: fields.dpop_bound_access_tokens },
    ],
  });
}
