import * as client from "openid-client";
import type { JSONWebKeySet } from "jose";
import type { Domain, DomainSettings } from "../config";
import { codeOfClientError, explainError, type ExplainedError } from "./errors";
import { inspectIdToken } from "./id-token";
import type { PendingFlow } from "./flow-cookie";
import { HttpRecorder } from "./recorder";
import { newStep, type PlaygroundSession, type TokenSet } from "./store";

type ServerMetadata = client.ServerMetadata;

interface Discovered {
  metadata: ServerMetadata;
  at: number;
}

const DISCOVERY_TTL = 60_000;
const discoveryCache = new Map<string, Discovered>();

function insecure(settings: DomainSettings) {
  return settings.issuerUrl.startsWith("http:");
}

/**
 * Reads the domain's discovery document with openid-client, which requires its `issuer` to be the
 * configured issuer URL (compared as URLs, so `http://localhost:3102` and `…3102/` are the same issuer).
 */
export async function discover(settings: DomainSettings, recorder?: HttpRecorder): Promise<ServerMetadata> {
  const key = `${settings.issuerUrl} ${settings.clientId}`;
  const hit = discoveryCache.get(key);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL && !recorder) return hit.metadata;
  const config = await client.discovery(
    new URL(settings.issuerUrl),
    settings.clientId,
    undefined,
    client.None(),
    {
      execute: insecure(settings) ? [client.allowInsecureRequests] : [],
      timeout: 10,
      ...(recorder ? { [client.customFetch]: recorder.fetch } : {}),
    },
  );
  // Spread keeps only the metadata itself, not the helper methods openid-client attaches.
  const metadata = { ...config.serverMetadata() };
  discoveryCache.set(key, { metadata, at: Date.now() });
  return metadata;
}

/** A configuration for one operation: a public client (no secret, `none` auth) whose HTTP is recorded. */
export function configure(settings: DomainSettings, metadata: ServerMetadata, recorder: HttpRecorder) {
  const config = new client.Configuration(metadata, settings.clientId, undefined, client.None());
  if (insecure(settings)) client.allowInsecureRequests(config);
  config[client.customFetch] = recorder.fetch;
  config.timeout = 15;
  return config;
}

const allowedCache = new Map<string, { scopes: string[]; at: number }>();

/**
 * The scopes the playground client may request, as the identity core has it registered (read from the
 * Hydra admin API by the Site's server; the admin URL never reaches the browser). Falls back to the
 * configured scopes when the admin API does not answer.
 */
export async function allowedScopes(
  settings: DomainSettings,
  adminUrl: string,
  clientId = settings.clientId,
): Promise<string[]> {
  const key = `${adminUrl} ${clientId}`;
  const hit = allowedCache.get(key);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL) return hit.scopes;
  try {
    const res = await fetch(`${adminUrl}/admin/clients/${encodeURIComponent(clientId)}`, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(5_000),
    });
    if (res.ok) {
      const scope = ((await res.json()) as { scope?: unknown }).scope;
      if (typeof scope === "string" && scope.trim()) {
        const scopes = scope.trim().split(/\s+/).slice(0, 20);
        allowedCache.set(key, { scopes, at: Date.now() });
        return scopes;
      }
    }
  } catch {}
  return clientId === settings.clientId ? settings.scope.split(/\s+/) : [];
}

/** The DPoP handle of a session whose tokens are bound to its key (RFC 9449), for openid-client's calls. */
function dpopOf(config: client.Configuration, session: PlaygroundSession): client.DPoPOptions {
  return session.dpopKeys ? { DPoP: client.getDPoPHandle(config, session.dpopKeys) } : {};
}

/** The authorization request the playground shows and then sends the browser to. */
export function authorizationRequest(
  settings: DomainSettings,
  metadata: ServerMetadata,
  flow: PendingFlow,
  codeChallenge: string,
) {
  const params: Record<string, string> = {
    response_type: "code",
    client_id: settings.clientId,
    redirect_uri: settings.redirectUri,
    scope: flow.scope ?? settings.scope,
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: codeChallenge,
    code_challenge_method: "S256",
    ...(flow.prompt ? { prompt: flow.prompt } : {}),
  };
  const recorder = new HttpRecorder();
  const url = client.buildAuthorizationUrl(configure(settings, metadata, recorder), params);
  return { params, url: url.href };
}

async function fetchJwks(
  metadata: ServerMetadata,
  recorder: HttpRecorder,
): Promise<JSONWebKeySet | undefined> {
  if (!metadata.jwks_uri) return undefined;
  try {
    const res = await recorder.fetch(metadata.jwks_uri, { headers: { accept: "application/json" } });
    if (!res.ok) return undefined;
    return (await res.json()) as JSONWebKeySet;
  } catch {
    return undefined;
  }
}

async function reportIdToken(
  idToken: string | undefined,
  settings: DomainSettings,
  metadata: ServerMetadata,
  recorder: HttpRecorder,
  nonce: string | undefined,
) {
  if (!idToken) return undefined;
  const jwks = (await fetchJwks(metadata, recorder)) ?? { keys: [] };
  return inspectIdToken(idToken, { jwks, issuer: metadata.issuer, clientId: settings.clientId, nonce });
}

export function tokenSetOf(body: unknown): TokenSet | undefined {
  if (!body || typeof body !== "object") return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.access_token !== "string") return undefined;
  const pick = <K extends keyof TokenSet>(k: K) => (b[k] === undefined ? {} : { [k]: b[k] });
  return {
    ...pick("access_token"),
    ...pick("refresh_token"),
    ...pick("id_token"),
    ...pick("scope"),
    ...pick("expires_in"),
    ...pick("token_type"),
  } as TokenSet;
}

/**
 * Handles the authorization response: checks state, then redeems the code as a public client with the PKCE
 * verifier, records the raw exchange, verifies the ID token and asks /userinfo. Never throws.
 */
export async function redeemCallback(
  settings: DomainSettings,
  session: PlaygroundSession,
  flow: PendingFlow | undefined,
  search: URLSearchParams,
): Promise<void> {
  const code = search.get("code") ?? undefined;
  const state = search.get("state") ?? undefined;
  session.callback = { search: search.toString(), ...(code ? { code } : {}), ...(state ? { state } : {}) };
  const fail = (e: ExplainedError) => {
    session.callbackError = e;
  };

  if (!flow) return fail(explainError("flow_missing", Object.fromEntries(search)));
  if (state !== flow.state) {
    return fail(explainError("state_mismatch", { expected: flow.state, received: state ?? null }));
  }
  session.flowState = flow.state;
  session.codeVerifier = flow.codeVerifier;
  session.nonce = flow.nonce;
  const error = search.get("error");
  if (error) return fail(explainError(error, Object.fromEntries(search)));
  if (!code) return fail(explainError("code_missing", Object.fromEntries(search)));

  const recorder = new HttpRecorder();
  const step = newStep("authorization_code", recorder.exchanges);
  session.steps.push(step);
  let metadata: ServerMetadata;
  try {
    metadata = await discover(settings);
  } catch (e) {
    step.error = explainError("discovery_failed", { message: (e as Error).message });
    return;
  }
  const config = configure(settings, metadata, recorder);
  const currentUrl = new URL(`${settings.redirectUri}?${search.toString()}`);
  // DPoP chosen: a key pair of this session, made here on the server (ES256, not extractable).
  session.dpopKeys = flow.dpop ? await client.randomDPoPKeyPair("ES256") : undefined;
  try {
    await client.authorizationCodeGrant(
      config,
      currentUrl,
      {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      },
      undefined,
      dpopOf(config, session),
    );
  } catch (e) {
    const { code: errCode, raw } = codeOfClientError(e);
    step.error = explainError(errCode, raw);
  }
  // The raw response is shown whether or not openid-client accepted it.
  step.response = metadata.token_endpoint ? recorder.lastJson(metadata.token_endpoint) : undefined;
  const tokens = tokenSetOf(step.response);
  if (!tokens) return;
  step.idToken = await reportIdToken(tokens.id_token, settings, metadata, recorder, flow.nonce);
  if (step.idToken && !step.idToken.valid && !step.error) step.error = explainError("id_token_invalid");
  if (step.error) return;
  session.tokens = tokens;
  const sub = step.idToken?.claims?.sub;
  if (typeof sub === "string") session.subject = sub;
  await fetchUserinfo(settings, session);
}

/** Calls /userinfo with the current access token and records the answer as a step. */
export async function fetchUserinfo(settings: DomainSettings, session: PlaygroundSession): Promise<void> {
  const recorder = new HttpRecorder();
  const step = newStep("userinfo", recorder.exchanges);
  session.steps.push(step);
  if (!session.tokens?.access_token) {
    step.error = explainError("invalid_grant", { message: "no access token in this session" });
    return;
  }
  try {
    const metadata = await discover(settings);
    const config = configure(settings, metadata, recorder);
    step.response = await client.fetchUserInfo(
      config,
      session.tokens.access_token,
      session.subject ?? client.skipSubjectCheck,
      dpopOf(config, session),
    );
  } catch (e) {
    const last = recorder.exchanges.at(-1);
    const { code, raw } = codeOfClientError(e);
    // /userinfo answers 401 with a WWW-Authenticate header rather than a JSON body.
    step.error = explainError(last?.status === 401 ? "invalid_token" : code, {
      ...(raw as object),
      status: last?.status,
      "www-authenticate": last?.responseHeaders?.["www-authenticate"],
    });
    if (last?.responseBody) step.response = safeJson(last.responseBody);
  }
}

/** Uses the refresh token (refresh_token grant, public client) and shows the new response. */
export async function refreshTokens(settings: DomainSettings, session: PlaygroundSession): Promise<void> {
  const recorder = new HttpRecorder();
  const step = newStep("refresh_token", recorder.exchanges);
  session.steps.push(step);
  const refreshToken = session.tokens?.refresh_token;
  if (!refreshToken) {
    step.error = explainError("invalid_grant", {
      message: "this session holds no refresh token (scope offline_access)",
    });
    return;
  }
  let metadata: ServerMetadata;
  try {
    metadata = await discover(settings);
  } catch (e) {
    step.error = explainError("discovery_failed", { message: (e as Error).message });
    return;
  }
  try {
    const config = configure(settings, metadata, recorder);
    await client.refreshTokenGrant(config, refreshToken, undefined, dpopOf(config, session));
  } catch (e) {
    const { code, raw } = codeOfClientError(e);
    step.error = explainError(code, raw);
  }
  step.response = metadata.token_endpoint ? recorder.lastJson(metadata.token_endpoint) : undefined;
  const tokens = tokenSetOf(step.response);
  if (!tokens) return;
  step.idToken = await reportIdToken(tokens.id_token, settings, metadata, recorder, undefined);
  if (step.error) return;
  // Refresh tokens rotate; an ID token is optional on refresh, so keep the old one for logout hints.
  session.tokens = { ...session.tokens, ...tokens };
}

/** Redeems the same authorization code a second time, to show that the server refuses a reused code. */
export async function redeemAgain(settings: DomainSettings, session: PlaygroundSession): Promise<void> {
  const recorder = new HttpRecorder();
  const step = newStep("code_reuse", recorder.exchanges);
  session.steps.push(step);
  if (!session.callback?.search || !session.codeVerifier || !session.flowState) {
    step.error = explainError("flow_missing");
    return;
  }
  try {
    const metadata = await discover(settings);
    const currentUrl = new URL(`${settings.redirectUri}?${session.callback.search}`);
    const config = configure(settings, metadata, recorder);
    await client.authorizationCodeGrant(
      config,
      currentUrl,
      {
        pkceCodeVerifier: session.codeVerifier,
        expectedState: session.flowState,
        ...(session.nonce ? { expectedNonce: session.nonce } : {}),
      },
      undefined,
      dpopOf(config, session),
    );
    step.response = metadata.token_endpoint ? recorder.lastJson(metadata.token_endpoint) : undefined;
  } catch (e) {
    const { code, raw } = codeOfClientError(e);
    step.error = explainError(code, raw);
    const last = recorder.exchanges.at(-1);
    if (last?.responseBody) step.response = safeJson(last.responseBody);
  }
}

/** How an admin API call is shown: its path only, the admin API's address kept on the server. */
export const ADMIN_API_LABEL = "(Hydra admin API, called by the Site's server)";

/**
 * Introspects the session's tokens (RFC 7662) at the Hydra admin API, from the Site's server: the
 * admin endpoint is not public, so the browser never calls it and never learns its address (the
 * recorded exchanges show the path under ADMIN_API_LABEL).
 */
export async function introspectTokens(
  adminUrl: string,
  session: Pick<PlaygroundSession, "steps" | "tokens">,
): Promise<void> {
  const recorder = new HttpRecorder();
  const step = newStep("introspection", recorder.exchanges);
  session.steps.push(step);
  const tokens = { access_token: session.tokens?.access_token, refresh_token: session.tokens?.refresh_token };
  if (!tokens.access_token) {
    step.error = explainError("invalid_grant", { message: "no token in this session to introspect" });
    return;
  }
  const answers: Record<string, unknown> = {};
  try {
    for (const [name, token] of Object.entries(tokens)) {
      if (!token) continue;
      const res = await recorder.fetch(`${adminUrl}/admin/oauth2/introspect`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({ token }).toString(),
        signal: AbortSignal.timeout(10_000),
      });
      answers[name] = safeJson(await res.text());
      if (!res.ok) step.error = explainError("introspection_failed", { status: res.status });
    }
    step.response = answers;
  } catch {
    // The reason (a connection error) would name the admin API's address: it stays in the server's log.
    step.error = explainError("introspection_failed", { message: "the admin API did not answer" });
  } finally {
    for (const x of recorder.exchanges) {
      x.url = x.url.replace(adminUrl, ADMIN_API_LABEL);
      if (x.networkError) x.networkError = "no answer";
    }
  }
}

/** The RP-initiated logout URL (OIDC RP-Initiated Logout 1.0) with id_token_hint, post-logout URI and state. */
export async function endSessionUrl(
  settings: DomainSettings,
  session: PlaygroundSession | undefined,
  state: string,
) {
  const metadata = await discover(settings);
  const config = configure(settings, metadata, new HttpRecorder());
  const params: Record<string, string> = {
    post_logout_redirect_uri: settings.postLogoutRedirectUri,
    state,
  };
  if (session?.tokens?.id_token) params.id_token_hint = session.tokens.id_token;
  return client.buildEndSessionUrl(config, params).href;
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export type { Domain };
