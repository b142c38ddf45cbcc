import { type ClientRecord, isPublic } from "../clients/model.ts";
import { findClientCached } from "../clients/repository.ts";
import { OAuth2Error } from "../errors.ts";
import { DEVICE_CODE_GRANT, findDeviceRequest } from "../device/requests.ts";
import { type OAuth2, publicUrl } from "../runtime.ts";
import { isScopeToken, scopeAllowed, splitList } from "../scope.ts";
import { type AuthorizationDetail, parseAuthorizationDetails } from "./details.ts";
import { type ClaimsRequest, parseClaimsRequest } from "./claims-request.ts";

export type ResponseMode = "query" | "fragment" | "form_post";

/** Where (and how) errors and results go back to the client, once the redirect URI is trusted. */
export interface ClientTarget {
  redirectUri: string;
  mode: ResponseMode;
  state: string | undefined;
}

export interface OidcContext {
  acr_values: string[];
  display?: string;
  id_token_hint_claims?: Record<string, unknown>;
  login_hint?: string;
  ui_locales: string[];
  /** OpenID Connect Core §5.5: the `claims` parameter, checked (Olympus: Hydra has no claims parameter). */
  claims?: ClaimsRequest;
}

/** A validated authorization request (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1, RFC 7636). */
export interface AuthorizeRequest {
  client: ClientRecord;
  /** Where results and errors go; none for a device request (RFC 8628: the device polls instead). */
  target: ClientTarget | undefined;
  /** The device request (RFC 8628) this login and consent are for, when it is one. */
  device?: { id: string; expiresAt: Date };
  /** The redirect_uri parameter as sent (undefined when the single registered one was implied). */
  redirectUriParam: string | undefined;
  scope: string[];
  audience: string[];
  state: string;
  nonce: string | undefined;
  prompt: Set<string>;
  maxAge: number | undefined;
  codeChallenge: string | undefined;
  /** RFC 9449 §10: the thumbprint of the DPoP key the code will be bound to. */
  dpopJkt: string | undefined;
  idTokenHint: string | undefined;
  oidc: OidcContext;
  /** RFC 9396: the authorization details asked for (checked against the client's types). */
  authorizationDetails?: AuthorizationDetail[];
  requestUrl: string;
}

/**
 * A failed authorization request. Without a target (unknown client, untrusted redirect URI) the error
 * is shown to the user and never sent to a redirect URI; with one it goes back to the client.
 */
export class AuthorizeError extends Error {
  override name = "AuthorizeError";
  constructor(
    readonly error: OAuth2Error,
    readonly target?: ClientTarget,
  ) {
    super(error.message);
  }
}

const PROMPTS = ["none", "login", "consent", "select_account"];

/** Step 1: the client and its redirect URI. Errors here are never redirected. */
export async function resolveClient(
  o2: OAuth2,
  params: URLSearchParams,
): Promise<{ client: ClientRecord; redirectUri: string }> {
  const client = await findClientCached(o2.ctx.db, params.get("client_id") ?? undefined);
  if (!client) {
    throw new AuthorizeError(
      new OAuth2Error("invalid_client", "The requested OAuth 2.0 Client does not exist."),
    );
  }
  const given = params.get("redirect_uri") ?? undefined;
  if (given !== undefined) {
    if (!client.data.redirect_uris.includes(given)) {
      throw new AuthorizeError(
        new OAuth2Error(
          "invalid_request",
          "The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls.",
        ),
      );
    }
    return { client, redirectUri: given };
  }
  if (client.data.redirect_uris.length !== 1) {
    throw new AuthorizeError(
      new OAuth2Error(
        "invalid_request",
        "The 'redirect_uri' parameter is required because the OAuth 2.0 Client has no or several pre-registered redirect urls.",
      ),
    );
  }
  return { client, redirectUri: client.data.redirect_uris[0]! };
}

/** Parses and validates an authorization request; throws AuthorizeError. */
export async function parseAuthorizeRequest(
  o2: OAuth2,
  params: URLSearchParams,
  requestUrl: string,
): Promise<AuthorizeRequest> {
  const { client, redirectUri } = await resolveClient(o2, params);
  const state = params.get("state") ?? undefined;
  const modeParam = params.get("response_mode");
  const target: ClientTarget = { redirectUri, mode: "query", state };
  const fail = (error: OAuth2Error): never => {
    throw new AuthorizeError(error, target);
  };
  if (modeParam) {
    if (modeParam !== "query" && modeParam !== "fragment" && modeParam !== "form_post") {
      fail(new OAuth2Error("unsupported_response_mode", `Response mode "${modeParam}" is not supported.`));
    }
    target.mode = modeParam as ResponseMode;
  }
  // Request objects (request-object.ts) are resolved before: their parameters never hold another one.
  if (params.has("request") || params.has("request_uri")) {
    fail(
      new OAuth2Error("invalid_request", "The parameters 'request' and 'request_uri' can not be used here."),
    );
  }

  const responseType = splitList(params.get("response_type")).sort().join(" ");
  if (!responseType) fail(new OAuth2Error("invalid_request", "The 'response_type' parameter is missing."));
  if (responseType !== "code") {
    fail(
      new OAuth2Error(
        "unsupported_response_type",
        `The response_type "${params.get("response_type")}" is not supported; use "code".`,
      ),
    );
  }
  if (!client.data.response_types.some((r) => splitList(r).sort().join(" ") === "code")) {
    fail(
      new OAuth2Error(
        "unsupported_response_type",
        "The client is not allowed to request response_type 'code'.",
      ),
    );
  }
  if (!client.data.grant_types.includes("authorization_code")) {
    fail(
      new OAuth2Error(
        "unauthorized_client",
        "The OAuth 2.0 Client is not allowed to use authorization grant 'authorization_code'.",
      ),
    );
  }

  const scope = splitList(params.get("scope"));
  const allowed = splitList(client.data.scope);
  for (const s of scope) {
    if (!isScopeToken(s) || !scopeAllowed(o2.cfg.strategies.scope, allowed, s)) {
      fail(new OAuth2Error("invalid_scope", `The OAuth 2.0 Client is not allowed to request scope '${s}'.`));
    }
  }
  const audience = splitList(params.get("audience"));
  for (const a of audience) {
    if (!client.data.audience.includes(a)) {
      fail(
        new OAuth2Error(
          "invalid_request",
          `Requested audience '${a}' has not been whitelisted by the OAuth 2.0 Client.`,
        ),
      );
    }
  }

  if (!state || state.length < 8) {
    fail(
      new OAuth2Error(
        "invalid_state",
        "Request parameter 'state' must be at least be 8 characters long to ensure sufficient entropy.",
      ),
    );
  }
  if (state && state.length > 2048)
    fail(new OAuth2Error("invalid_request", "The 'state' parameter is too long."));

  const nonce = params.get("nonce") || undefined;
  if (nonce && nonce.length > 2048)
    fail(new OAuth2Error("invalid_request", "The 'nonce' parameter is too long."));

  // PKCE (RFC 7636): only S256; required for public clients (and for all when enforced).
  const challenge = params.get("code_challenge") || undefined;
  const method = params.get("code_challenge_method") || undefined;
  if (challenge) {
    if ((method ?? "plain") !== "S256") {
      fail(
        new OAuth2Error(
          "invalid_request",
          "Clients must use code_challenge_method=S256, plain is not allowed.",
        ),
      );
    }
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      fail(
        new OAuth2Error(
          "invalid_request",
          "The 'code_challenge' must be the base64url-encoded SHA-256 of the code verifier (43 characters).",
        ),
      );
    }
  } else {
    if (method)
      fail(
        new OAuth2Error(
          "invalid_request",
          "The 'code_challenge_method' was sent without a 'code_challenge'.",
        ),
      );
    if (o2.cfg.pkce.enforced || (o2.cfg.pkce.enforced_for_public_clients && isPublic(client))) {
      fail(
        new OAuth2Error(
          "invalid_request",
          "Clients must include a code_challenge when performing the authorize code flow, but it is missing.",
        ),
      );
    }
  }

  // RFC 9449 §10: a SHA-256 JWK thumbprint, base64url (43 characters).
  const dpopJkt = params.get("dpop_jkt") || undefined;
  if (dpopJkt !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(dpopJkt)) {
    fail(
      new OAuth2Error(
        "invalid_request",
        "The 'dpop_jkt' parameter must be the base64url SHA-256 thumbprint of a JWK (43 characters).",
      ),
    );
  }

  const prompt = new Set(splitList(params.get("prompt")));
  for (const p of prompt) {
    if (!PROMPTS.includes(p))
      fail(new OAuth2Error("invalid_request", `Used unknown value '${p}' for prompt parameter.`));
  }
  if (prompt.has("none") && prompt.size > 1) {
    fail(
      new OAuth2Error(
        "invalid_request",
        "Parameter 'prompt' was set to 'none', but contains other values as well.",
      ),
    );
  }
  let maxAge: number | undefined;
  const rawMaxAge = params.get("max_age");
  if (rawMaxAge !== null && rawMaxAge !== "") {
    maxAge = Number(rawMaxAge);
    if (!Number.isInteger(maxAge) || maxAge < 0) {
      fail(new OAuth2Error("invalid_request", "The 'max_age' parameter must be a non-negative integer."));
    }
  }
  if (scope.includes("openid") && params.get("redirect_uri") === null) {
    fail(
      new OAuth2Error(
        "invalid_request",
        "The 'redirect_uri' parameter is required when using OpenID Connect 1.0.",
      ),
    );
  }

  const authorizationDetails = richAuthorizationRequest(params, client, fail);
  const claims = claimsParameter(params, fail);

  return {
    client,
    target,
    redirectUriParam: params.get("redirect_uri") ?? undefined,
    scope,
    audience,
    state: state!,
    nonce,
    prompt,
    maxAge,
    codeChallenge: challenge,
    dpopJkt,
    idTokenHint: params.get("id_token_hint") || undefined,
    oidc: {
      acr_values: splitList(params.get("acr_values")),
      ...(params.get("display") ? { display: params.get("display")! } : {}),
      ...(params.get("login_hint") ? { login_hint: params.get("login_hint")! } : {}),
      ui_locales: splitList(params.get("ui_locales")),
      ...(claims ? { claims } : {}),
    },
    ...(authorizationDetails ? { authorizationDetails } : {}),
    requestUrl,
  };
}

/** OpenID Connect Core §5.5: the `claims` parameter; malformed is `invalid_request` at the client. */
function claimsParameter(
  params: URLSearchParams,
  fail: (error: OAuth2Error) => never,
): ClaimsRequest | undefined {
  try {
    return parseClaimsRequest(params.get("claims"));
  } catch (e) {
    if (e instanceof OAuth2Error) return fail(e);
    throw e;
  }
}

/** RFC 9396 §2: the `authorization_details` parameter; refusals go to the client (§5). */
function richAuthorizationRequest(
  params: URLSearchParams,
  client: ClientRecord,
  fail: (error: OAuth2Error) => never,
): AuthorizationDetail[] | undefined {
  try {
    return parseAuthorizationDetails(params.get("authorization_details"), client);
  } catch (e) {
    if (e instanceof OAuth2Error) return fail(e);
    throw e;
  }
}

/** The request_url of a device request's login and consent: the verification endpoint naming it. */
export function deviceRequestUrl(o2: OAuth2, id: string): string {
  return `${publicUrl(o2, DEVICE_VERIFY_PATH)}?device_request=${id}`;
}

export const DEVICE_VERIFY_PATH = "oauth2/device/verify";

/**
 * A device request (RFC 8628) as an authorization request: its client, scope and audience, no
 * redirect URI. Refused once it expired, was granted, denied or redeemed, or its client went away.
 */
export async function parseDeviceRequest(
  o2: OAuth2,
  id: string | null,
  requestUrl: string,
): Promise<AuthorizeRequest> {
  const row = await findDeviceRequest(o2.ctx.db, id);
  const gone = (hint: string) => new AuthorizeError(new OAuth2Error("invalid_request", hint));
  if (!row || row.expiresAt <= new Date()) {
    throw gone("The device request is unknown or has expired; start again on the device.");
  }
  if (row.grantId || row.deniedAt || row.redeemedAt) {
    throw gone("The device request was already completed.");
  }
  const client = await findClientCached(o2.ctx.db, row.clientId);
  if (!client?.data.grant_types.includes(DEVICE_CODE_GRANT)) {
    throw new AuthorizeError(
      new OAuth2Error("unauthorized_client", "The OAuth 2.0 Client may no longer use the device flow."),
    );
  }
  // Re-checked at every step, as an authorization request's are: a scope or audience the client lost
  // since the device asked is refused.
  const allowed = splitList(client.data.scope);
  for (const s of row.requestedScope) {
    if (!scopeAllowed(o2.cfg.strategies.scope, allowed, s)) {
      throw new AuthorizeError(
        new OAuth2Error(
          "invalid_scope",
          `The OAuth 2.0 Client is no longer allowed to request scope '${s}'.`,
        ),
      );
    }
  }
  for (const a of row.requestedAudience) {
    if (!client.data.audience.includes(a)) {
      throw new AuthorizeError(
        new OAuth2Error("invalid_request", `The OAuth 2.0 Client may no longer request audience '${a}'.`),
      );
    }
  }
  return {
    client,
    target: undefined,
    device: { id: row.id, expiresAt: row.expiresAt },
    redirectUriParam: undefined,
    scope: row.requestedScope,
    audience: row.requestedAudience,
    state: "",
    nonce: undefined,
    prompt: new Set(),
    maxAge: undefined,
    codeChallenge: undefined,
    dpopJkt: undefined,
    idTokenHint: undefined,
    oidc: { acr_values: [], ui_locales: [] },
    requestUrl,
  };
}

/** Whether a (sealed, trusted) request_url is a device request's rather than an authorization request's. */
export function isDeviceRequestUrl(o2: OAuth2, requestUrl: string): boolean {
  const url = new URL(requestUrl);
  return `${url.origin}${url.pathname}` === publicUrl(o2, DEVICE_VERIFY_PATH);
}

/** Re-reads the authorization request a challenge or verifier points at (its request_url). */
export async function reparse(o2: OAuth2, requestUrl: string): Promise<AuthorizeRequest> {
  const url = new URL(requestUrl);
  if (isDeviceRequestUrl(o2, requestUrl)) {
    return parseDeviceRequest(o2, url.searchParams.get("device_request"), requestUrl);
  }
  return parseAuthorizeRequest(o2, url.searchParams, requestUrl);
}
