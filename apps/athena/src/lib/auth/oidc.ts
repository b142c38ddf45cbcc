import "server-only";
import * as client from "openid-client";
import { athenaEnv } from "../env";

const DISCOVERY_TTL_MS = 5 * 60_000;
let discovered: { config: client.Configuration; at: number } | undefined;

/**
 * The IAM OAuth2 provider as a public client sees it (discovery, cached for a few minutes).
 * openid-client checks that discovery's `issuer` is the configured issuer.
 */
export async function oidcConfig(): Promise<client.Configuration> {
  if (discovered && Date.now() - discovered.at < DISCOVERY_TTL_MS) return discovered.config;
  const env = athenaEnv();
  const insecure = env.auth.issuerUrl.startsWith("http:");
  const config = await client.discovery(
    new URL(env.auth.issuerUrl),
    env.auth.clientId,
    { token_endpoint_auth_method: "none" },
    client.None(),
    { execute: insecure ? [client.allowInsecureRequests] : [], timeout: 10 },
  );
  discovered = { config, at: Date.now() };
  return config;
}

/** Flow state kept in a short-lived cookie between /api/auth/login and /api/auth/callback. */
export interface AuthFlow {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

/** Starts an Authorization Code + PKCE (S256) request with state and nonce. */
export async function startAuthorization(returnTo: string): Promise<{ url: URL; flow: AuthFlow }> {
  const env = athenaEnv();
  const config = await oidcConfig();
  const flow: AuthFlow = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    verifier: client.randomPKCECodeVerifier(),
    returnTo,
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: env.auth.redirectUri,
    scope: env.auth.scope,
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: "S256",
  });
  return { url, flow };
}

/** The verified outcome of a callback. */
export interface SignedIn {
  claims: client.IDToken;
  idToken: string | undefined;
  issuer: string;
}

/**
 * Redeems the authorization response: openid-client checks state, exchanges the code with the PKCE
 * verifier and validates the ID token (signature against the JWKS, iss, aud, exp, nonce).
 */
export async function completeAuthorization(search: URLSearchParams, flow: AuthFlow): Promise<SignedIn> {
  const env = athenaEnv();
  const config = await oidcConfig();
  // The registered redirect URI, not the URL this server saw (proxies may rewrite host and scheme).
  const current = new URL(env.auth.redirectUri);
  current.search = search.toString();
  const tokens = await client.authorizationCodeGrant(config, current, {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  if (!claims) throw new Error("the token response carried no ID token");
  return { claims, idToken: tokens.id_token, issuer: config.serverMetadata().issuer };
}

/** Where to send the browser to end the IAM session too (RP-initiated logout), if IAM supports it. */
export async function endSessionUrl(idTokenHint: string | undefined): Promise<URL | undefined> {
  const env = athenaEnv();
  try {
    const config = await oidcConfig();
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    return client.buildEndSessionUrl(config, {
      post_logout_redirect_uri: `${env.publicUrl}/`,
      client_id: env.auth.clientId,
      ...(idTokenHint ? { id_token_hint: idTokenHint } : {}),
    });
  } catch {
    return undefined;
  }
}

export { safeReturnTo } from "./return-to";
