import { type ClientRecord, clientLifespan, type LifespanGrant } from "../clients/model.ts";
import type { GrantRow, NewGrant } from "../grants.ts";
import { lastUse } from "../grants.ts";
import { nowSeconds, type OAuth2 } from "../runtime.ts";
import type { Context } from "hono";
import { boundJkt, type DPoPProof } from "../dpop/proof.ts";
import { mintToken, newAccessToken, signIdToken, tokenHash } from "./tokens.ts";
import { type AuthorizationDetail, grantedDetails } from "../authorize/details.ts";

/** What a grant gets besides the client and the form: the HTTP context and the request's verified DPoP proof. */
export interface TokenRequestContext {
  c?: Context;
  dpop?: DPoPProof;
}

export interface PreparedTokens {
  accessToken: string;
  refreshToken?: string;
  expiresIn: number;
  scope: string[];
  /** How long an ID token issued with these tokens lives (the client's lifespan for the grant, or the server's). */
  idTokenTtl: number;
  /** The DPoP key thumbprint the tokens are bound to (token_type DPoP), if any. */
  jkt?: string;
  /** RFC 9396: the authorization details of the access token (returned in the token response). */
  authorizationDetails?: AuthorizationDetail[];
  /** The columns the grant row gets in the same conditional UPDATE (or INSERT) that issues them. */
  set: Partial<NewGrant>;
}

/** Refresh tokens only for `offline` / `offline_access` and clients allowed the refresh_token grant. */
export function wantsRefreshToken(client: ClientRecord, scope: string[]): boolean {
  return (
    (scope.includes("offline") || scope.includes("offline_access")) &&
    client.data.grant_types.includes("refresh_token")
  );
}

/**
 * Mints the tokens of a grant and the column values that store them (hashes and expiries only).
 * `generation` is the refresh generation the new tokens belong to.
 */
export async function prepareTokens(
  o2: OAuth2,
  client: ClientRecord,
  grant: GrantRow,
  opts: {
    scope: string[];
    refresh: boolean;
    generation: number;
    /** The grant whose client lifespans apply (none: the server's, as for a token exchange). */
    via?: LifespanGrant;
    /** The access token expires no later than this (a token exchange: the subject token's expiry). */
    notAfter?: Date;
    strategy?: "opaque" | "jwt";
    /** The DPoP key thumbprint the tokens are bound to (RFC 9449). */
    jkt?: string;
    /** RFC 9396 §6.2: the access token's authorization details, narrowed from the granted ones; all granted when absent. */
    narrowedDetails?: AuthorizationDetail[];
  },
): Promise<PreparedTokens> {
  // A client may set its own lifespans per grant (Hydra's *_lifespan fields); else the server's.
  const cfg = o2.cfg.ttl;
  const ttl = {
    access_token: clientLifespan(client, opts.via, "access_token") ?? cfg.access_token,
    refresh_token: clientLifespan(client, opts.via, "refresh_token") ?? cfg.refresh_token,
    id_token: clientLifespan(client, opts.via, "id_token") ?? cfg.id_token,
  };
  const iat = nowSeconds();
  const now = new Date(iat * 1000);
  let accessExpiresAt = new Date(now.getTime() + ttl.access_token);
  if (opts.notAfter && opts.notAfter < accessExpiresAt) {
    accessExpiresAt = new Date(Math.floor(opts.notAfter.getTime() / 1000) * 1000);
  }
  const details = opts.narrowedDetails ?? grantedDetails(grant);
  const request = withAccessDetails(withJkt(grant.request, opts.jkt), opts.narrowedDetails);
  const accessToken = await newAccessToken(o2, client, grant, {
    ...(details ? { authorizationDetails: details } : {}),
    iat,
    exp: Math.floor(accessExpiresAt.getTime() / 1000),
    scope: opts.scope,
    generation: opts.generation,
    jkt: opts.jkt,
    ...(opts.strategy ? { strategy: opts.strategy } : {}),
  });
  const refreshToken = opts.refresh ? mintToken(o2, "ory_rt_", grant.id, opts.generation) : undefined;
  const refreshExpiresAt = refreshToken ? new Date(now.getTime() + ttl.refresh_token) : null;
  return {
    accessToken,
    refreshToken,
    expiresIn: Math.floor((accessExpiresAt.getTime() - now.getTime()) / 1000),
    scope: opts.scope,
    idTokenTtl: ttl.id_token,
    jkt: opts.jkt,
    ...(details ? { authorizationDetails: details } : {}),
    set: {
      // The key the new tokens are bound to replaces the code's or the previous tokens' (RFC 9449);
      // a refresh's narrowed authorization details replace the previous access token's (RFC 9396).
      ...(boundJkt(grant) !== opts.jkt || narrowedBefore(grant) || opts.narrowedDetails ? { request } : {}),
      accessHash: tokenHash(o2, accessToken),
      accessExpiresAt,
      accessScope: opts.scope.length === grant.grantedScope.length ? null : opts.scope,
      refreshHash: refreshToken ? tokenHash(o2, refreshToken) : null,
      refreshExpiresAt,
      generation: opts.generation,
      tokensIssuedAt: now,
      expiresAt: lastUse(accessExpiresAt, refreshExpiresAt),
    },
  };
}

/** The RFC 6749 §5.1 token response, with an ID token when `openid` was granted. */
export async function tokenResponse(
  o2: OAuth2,
  grant: GrantRow,
  tokens: PreparedTokens,
  opts: { idToken: boolean; nonce: boolean },
): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {
    access_token: tokens.accessToken,
    token_type: tokens.jkt ? "DPoP" : "bearer",
    expires_in: tokens.expiresIn,
    scope: tokens.scope.join(" "),
  };
  if (tokens.refreshToken) body.refresh_token = tokens.refreshToken;
  if (tokens.authorizationDetails) body.authorization_details = tokens.authorizationDetails;
  if (opts.idToken && grant.grantedScope.includes("openid")) {
    body.id_token = await signIdToken(o2, grant, {
      accessToken: tokens.accessToken,
      nonce: opts.nonce,
      ttl: tokens.idTokenTtl,
    });
  }
  return body;
}

/** Whether the grant's current access token has narrowed authorization details (the next one may not). */
function narrowedBefore(grant: GrantRow): boolean {
  return (
    (grant.request as { access_authorization_details?: unknown } | null)?.access_authorization_details !==
    undefined
  );
}

/** A grant's request JSON with the current access token's narrowed authorization details (or none: all granted). */
function withAccessDetails(
  request: Record<string, unknown>,
  narrowed: AuthorizationDetail[] | undefined,
): Record<string, unknown> {
  const { access_authorization_details: _, ...rest } = request ?? {};
  return narrowed ? { ...rest, access_authorization_details: narrowed } : rest;
}

/** A grant's request JSON with `dpop_jkt` set to the key the tokens are bound to (or removed). */
function withJkt(request: Record<string, unknown>, jkt: string | undefined): Record<string, unknown> {
  const { dpop_jkt: _, ...rest } = request ?? {};
  return jkt ? { ...rest, dpop_jkt: jkt } : rest;
}
