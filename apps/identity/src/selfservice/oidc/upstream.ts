import { importPKCS8, SignJWT } from "jose";
import * as client from "openid-client";
import type { OidcProviderConfig } from "../../config/oidc.ts";
import { PRESETS, type Preset } from "./presets.ts";

/*
 * The relying-party side of social sign-in, on openid-client (a certified RP library): discovery,
 * the authorization URL with state, nonce and PKCE, and the callback — code exchange, ID token checks
 * (signature against the upstream's JWKS, issuer, audience, expiry, nonce), userinfo. Everything the
 * upstream says or fails to say becomes an UpstreamError with a kind the flow turns into a message.
 */

export type UpstreamErrorKind =
  | "unreachable"
  | "upstream_error"
  | "access_denied"
  | "state_mismatch"
  | "id_token_invalid"
  | "token_exchange_failed"
  | "profile_failed"
  | "misconfigured";

export class UpstreamError extends Error {
  override name = "UpstreamError";
  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export interface UpstreamTokens {
  id_token?: string;
  access_token?: string;
  refresh_token?: string;
}

export interface UpstreamIdentity {
  subject: string;
  claims: Record<string, unknown>;
  tokens: UpstreamTokens;
}

interface Resolved {
  preset: Preset;
  config: client.Configuration;
  /** Whether the upstream is an OpenID provider (ID token, nonce) or plain OAuth2 with a profile API. */
  oidc: boolean;
  userinfoUrl?: string;
  usePkce: boolean;
  scope: string[];
}

const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const resolvedCache = new WeakMap<OidcProviderConfig, { at: number; value: Resolved }>();

function isLoopback(u: URL): boolean {
  const h = u.hostname;
  return h === "localhost" || h.endsWith(".localhost") || h === "[::1]" || /^127\./.test(h);
}

/**
 * Plain http toward an upstream only where it cannot be overheard in production: a loopback
 * upstream, or a deployment that is itself served over http (development, CI).
 */
function insecureAllowed(target: URL, publicBaseUrl: string): boolean {
  return target.protocol === "https:" || isLoopback(target) || publicBaseUrl.startsWith("http://");
}

function timeoutFetch(ms: number): (url: string, init?: RequestInit) => Promise<Response> {
  return (url, init = {}) => fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(ms) });
}

async function clientAuth(p: OidcProviderConfig): Promise<client.ClientAuth> {
  if (p.provider === "apple" && p.apple_private_key && p.apple_team_id && p.apple_private_key_id) {
    // Apple's client secret is a short-lived ES256 JWT signed with the team's Sign in with Apple key.
    const key = await importPKCS8(p.apple_private_key, "ES256");
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: p.apple_private_key_id })
      .setIssuer(p.apple_team_id)
      .setSubject(p.client_id)
      .setAudience("https://appleid.apple.com")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(key);
    return client.ClientSecretPost(jwt);
  }
  if (p.client_secret) return client.ClientSecretBasic(p.client_secret);
  return client.None();
}

/**
 * The token endpoint refused with a challenge (401, e.g. `invalid_client`: this side's client secret
 * is not the one the provider holds). The body still carries RFC 6749's error and description, which
 * the operator needs in the log; the user gets the generic refusal.
 */
async function challenged(e: client.WWWAuthenticateChallengeError): Promise<UpstreamError> {
  const body = (await e.response.json().catch(() => ({}))) as {
    error?: unknown;
    error_description?: unknown;
  };
  const params = e.cause[0]?.parameters ?? {};
  const error = typeof body.error === "string" ? body.error : (params.error ?? `HTTP ${e.status}`);
  const description =
    typeof body.error_description === "string" ? body.error_description : params.error_description;
  return new UpstreamError(
    "token_exchange_failed",
    "The provider's answer could not be used.",
    `the token endpoint answered ${e.status} ${error}${description ? `: ${description.slice(0, 300)}` : ""}`,
  );
}

function classify(e: unknown, stage: "discovery" | "callback" | "profile"): UpstreamError {
  if (e instanceof UpstreamError) return e;
  if (e instanceof client.AuthorizationResponseError) {
    const kind = e.error === "access_denied" ? "access_denied" : "upstream_error";
    return new UpstreamError(
      kind,
      kind === "access_denied"
        ? "The sign-in was cancelled or refused at the provider."
        : `The provider answered with an error: ${e.error}${e.error_description ? ` (${e.error_description})` : ""}.`,
      e.error,
    );
  }
  if (e instanceof client.ResponseBodyError) {
    return new UpstreamError(
      "token_exchange_failed",
      `The provider refused the sign-in: ${e.error}${e.error_description ? ` (${e.error_description})` : ""}.`,
      e.error,
    );
  }
  const err = e as { name?: string; code?: string; message?: string; cause?: unknown };
  const cause = (err.cause ?? {}) as { name?: string; code?: string; message?: string };
  // The library's own code and message, and those of what it wraps (jose, fetch).
  const code = [err.code, cause.code, cause.name].filter(Boolean).join(" ");
  const said = [err.message, cause.message].filter(Boolean).join(" ");
  if (
    err.name === "TimeoutError" ||
    err.name === "AbortError" ||
    (err.name === "TypeError" && /fetch failed/i.test(said)) ||
    /ECONNREFUSED|ECONNRESET|ENOTFOUND/.test(code)
  ) {
    return new UpstreamError(
      "unreachable",
      "The provider could not be reached. Please try again later.",
      err.name,
    );
  }
  if (stage === "discovery") {
    return new UpstreamError("unreachable", "The provider's configuration could not be read.", err.message);
  }
  if (/STATE/i.test(code) || /"state"/.test(said)) {
    return new UpstreamError(
      "state_mismatch",
      "The sign-in answer does not belong to this sign-in attempt.",
      err.message,
    );
  }
  if (
    /JWS|JWT|SIGNATURE|CLAIM|NONCE/i.test(code) ||
    /signature|nonce|"iss"|"aud"|"exp"|ID Token/i.test(said)
  ) {
    return new UpstreamError(
      "id_token_invalid",
      "The provider's ID token could not be verified.",
      err.message,
    );
  }
  if (stage === "profile") {
    return new UpstreamError("profile_failed", "The provider's profile could not be read.", err.message);
  }
  return new UpstreamError(
    "token_exchange_failed",
    "The provider's answer could not be used.",
    `${code} ${said}`,
  );
}

async function resolve(p: OidcProviderConfig, publicBaseUrl: string): Promise<Resolved> {
  const cached = resolvedCache.get(p);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS && p.provider !== "apple") return cached.value;
  const preset = PRESETS[p.provider];
  const scope = p.scope ?? preset.scope;
  const auth = await clientAuth(p);
  const seconds = Math.max(1, Math.ceil(p.timeout / 1000));
  let value: Resolved;
  const issuer = preset.issuer?.(p);
  const manual = p.auth_url && p.token_url ? p : undefined;
  if (issuer && !manual) {
    const target = new URL(issuer);
    if (!insecureAllowed(target, publicBaseUrl)) {
      throw new UpstreamError("misconfigured", `The provider ${p.id} must be reached over https.`);
    }
    let config: client.Configuration;
    try {
      config = await client.discovery(target, p.client_id, undefined, auth, {
        timeout: seconds,
        ...(target.protocol === "http:" ? { execute: [client.allowInsecureRequests] } : {}),
      });
    } catch (e) {
      throw classify(e, "discovery");
    }
    // The ID token's signature is checked against the provider's published keys even though it came
    // straight from the token endpoint (OIDC Core allows relying on TLS there; we do not).
    client.enableNonRepudiationChecks(config);
    const meta = config.serverMetadata();
    const methods = meta.code_challenge_methods_supported;
    value = {
      preset,
      config,
      oidc: true,
      userinfoUrl: meta.userinfo_endpoint,
      usePkce: p.pkce === "force" || (p.pkce === "auto" && (!methods || methods.includes("S256"))),
      scope,
    };
  } else {
    const endpoints = {
      auth: p.auth_url ?? preset.endpoints?.auth,
      token: p.token_url ?? preset.endpoints?.token,
      userinfo: p.userinfo_url ?? preset.endpoints?.userinfo,
    };
    if (!endpoints.auth || !endpoints.token) {
      throw new UpstreamError(
        "misconfigured",
        `The provider ${p.id} has no authorization or token endpoint.`,
      );
    }
    const server: client.ServerMetadata = {
      issuer: p.issuer_url ?? new URL(endpoints.auth).origin,
      authorization_endpoint: endpoints.auth,
      token_endpoint: endpoints.token,
      ...(endpoints.userinfo ? { userinfo_endpoint: endpoints.userinfo } : {}),
    };
    const config = new client.Configuration(server, p.client_id, undefined, auth);
    if (new URL(endpoints.token).protocol === "http:") {
      if (!insecureAllowed(new URL(endpoints.token), publicBaseUrl)) {
        throw new UpstreamError("misconfigured", `The provider ${p.id} must be reached over https.`);
      }
      client.allowInsecureRequests(config);
    }
    const oidc = scope.includes("openid") && !preset.profile;
    value = {
      preset,
      config,
      oidc,
      userinfoUrl: endpoints.userinfo,
      usePkce: p.pkce !== "never",
      scope,
    };
  }
  value.config.timeout = seconds;
  resolvedCache.set(p, { at: Date.now(), value });
  return value;
}

export interface AuthorizationRequest {
  url: string;
  /** Stored with the flow; checked at the callback. */
  nonce?: string;
  codeVerifier?: string;
}

/** Builds the upstream authorization URL (state, nonce for OpenID providers, PKCE S256). */
export async function authorizationRequest(
  p: OidcProviderConfig,
  input: { state: string; redirectUri: string; publicBaseUrl: string },
): Promise<AuthorizationRequest> {
  const r = await resolve(p, input.publicBaseUrl);
  const params: Record<string, string> = {
    redirect_uri: input.redirectUri,
    response_type: "code",
    state: input.state,
    ...(r.scope.length ? { scope: r.scope.join(" ") } : {}),
    ...(r.preset.authParams?.(p, r.scope) ?? {}),
  };
  const out: AuthorizationRequest = { url: "" };
  if (r.oidc) {
    out.nonce = client.randomNonce();
    params.nonce = out.nonce;
  }
  if (r.usePkce) {
    out.codeVerifier = client.randomPKCECodeVerifier();
    params.code_challenge = await client.calculatePKCECodeChallenge(out.codeVerifier);
    params.code_challenge_method = "S256";
  }
  if (p.requested_claims) params.claims = JSON.stringify(p.requested_claims);
  out.url = client.buildAuthorizationUrl(r.config, params).toString();
  return out;
}

/**
 * Completes the callback: checks the authorization response against the stored state, exchanges the
 * code (with the PKCE verifier), verifies the ID token (nonce included) and reads the profile.
 */
export async function completeAuthorization(
  p: OidcProviderConfig,
  input: {
    params: URLSearchParams;
    redirectUri: string;
    publicBaseUrl: string;
    state: string;
    nonce?: string;
    codeVerifier?: string;
  },
): Promise<UpstreamIdentity> {
  const r = await resolve(p, input.publicBaseUrl);
  const current = new URL(input.redirectUri);
  for (const [k, v] of input.params) current.searchParams.append(k, v);
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(r.config, current, {
      expectedState: input.state,
      ...(r.oidc ? { expectedNonce: input.nonce ?? "", idTokenExpected: true } : {}),
      ...(input.codeVerifier ? { pkceCodeVerifier: input.codeVerifier } : {}),
    });
  } catch (e) {
    throw classify(e instanceof client.WWWAuthenticateChallengeError ? await challenged(e) : e, "callback");
  }
  const out: UpstreamTokens = {
    ...(tokens.id_token ? { id_token: tokens.id_token } : {}),
    ...(tokens.access_token ? { access_token: tokens.access_token } : {}),
    ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
  };
  let claims: Record<string, unknown>;
  try {
    if (r.oidc) {
      const idClaims = { ...(tokens.claims() ?? {}) } as Record<string, unknown>;
      let userinfo: Record<string, unknown> = {};
      if (r.userinfoUrl && tokens.access_token) {
        userinfo = (await client.fetchUserInfo(
          r.config,
          tokens.access_token,
          String(idClaims.sub),
        )) as Record<string, unknown>;
      }
      claims = { ...userinfo, ...idClaims };
      appleUser(p, input.params, claims);
    } else {
      if (!r.preset.profile && !r.userinfoUrl) {
        throw new UpstreamError("misconfigured", `The provider ${p.id} has no userinfo endpoint.`);
      }
      const f = timeoutFetch(p.timeout);
      if (r.preset.profile && tokens.access_token) {
        claims = await r.preset.profile({
          provider: p,
          accessToken: tokens.access_token,
          userinfoUrl: r.userinfoUrl!,
          fetch: f,
        });
      } else {
        const res = await f(r.userinfoUrl!, {
          headers: { accept: "application/json", authorization: `Bearer ${tokens.access_token}` },
        });
        if (!res.ok)
          throw new UpstreamError("profile_failed", `The provider's profile API answered ${res.status}.`);
        claims = (await res.json()) as Record<string, unknown>;
      }
    }
  } catch (e) {
    throw classify(e, "profile");
  }
  const subject = claims.sub;
  if (typeof subject !== "string" || subject === "" || subject.length > 255) {
    throw new UpstreamError("profile_failed", "The provider did not say who signed in (no subject).");
  }
  if (!claims.raw_claims) claims.raw_claims = { ...claims };
  return { subject, claims, tokens: out };
}

/** Apple sends the name only on the first sign-in, as a `user` form field beside the code. */
function appleUser(p: OidcProviderConfig, params: URLSearchParams, claims: Record<string, unknown>): void {
  if (p.provider !== "apple") return;
  const raw = params.get("user");
  if (!raw || raw.length > 4096) return;
  try {
    const user = JSON.parse(raw) as { name?: { firstName?: string; lastName?: string } };
    if (typeof user.name?.firstName === "string" && !claims.given_name)
      claims.given_name = user.name.firstName;
    if (typeof user.name?.lastName === "string" && !claims.family_name)
      claims.family_name = user.name.lastName;
  } catch {
    // Not JSON: ignored, the ID token still says who signed in.
  }
}

/** Forgets cached discovery documents (tests that restart an upstream). */
export function forgetUpstream(p: OidcProviderConfig): void {
  resolvedCache.delete(p);
}
