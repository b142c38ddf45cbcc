import * as client from "openid-client";
import type { DomainSettings } from "../config";
import { codeOfClientError, explainError } from "./errors";
import { discover, tokenSetOf } from "./playground";
import { HttpRecorder } from "./recorder";
import { newStep, type PlaygroundSession } from "./store";

/*
 * The machine-to-machine part of the playground: the client_credentials grant (RFC 6749 §4.4) with the
 * playground's confidential client (seeds: `site-playground-machine-<domain>`, registered without a
 * given secret). Its secret is known to no one until the Site's server asks the admin API for a new one
 * (Olympus' rotation endpoint, a short overlap so another Site process keeps its own a while); it is
 * kept in this process's memory only, and never shown: the page shows the Authorization header redacted.
 */

const KEY = Symbol.for("olympus.site.playground.machine-secrets");
function secrets(): Map<string, string> {
  const g = globalThis as unknown as Record<symbol, Map<string, string> | undefined>;
  g[KEY] ??= new Map();
  return g[KEY];
}

/** A fresh secret of the machine client, from the admin API (server-side). */
async function rotateSecret(adminUrl: string, clientId: string): Promise<string> {
  const res = await fetch(`${adminUrl}/admin/clients/${encodeURIComponent(clientId)}/secrets/rotate`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ overlap_seconds: 300 }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`the admin API answered HTTP ${res.status} to the secret rotation`);
  const secret = ((await res.json()) as { client_secret?: unknown }).client_secret;
  if (typeof secret !== "string" || !secret) throw new Error("the admin API returned no client secret");
  return secret;
}

async function machineSecret(adminUrl: string, clientId: string, renew: boolean): Promise<string> {
  const key = `${adminUrl} ${clientId}`;
  const known = secrets().get(key);
  if (known && !renew) return known;
  const secret = await rotateSecret(adminUrl, clientId);
  secrets().set(key, secret);
  return secret;
}

export const REDACTED_BASIC = "Basic (client_id:client_secret, base64 — the secret is not shown)";

/**
 * Asks the token endpoint for a token with the client_credentials grant, for `scope`, with a DPoP proof
 * when `dpop` (a key pair of this session, made on the server). The exchange is recorded as a step of
 * the session's machine part. Never throws.
 */
export async function clientCredentials(
  settings: DomainSettings,
  adminUrl: string,
  session: PlaygroundSession,
  scope: string,
  dpop: boolean,
): Promise<void> {
  session.machine ??= { steps: [] };
  const machine = session.machine;
  const recorder = new HttpRecorder();
  const step = newStep("client_credentials", recorder.exchanges);
  machine.steps.push(step);
  let metadata: client.ServerMetadata;
  try {
    metadata = await discover(settings);
  } catch (e) {
    step.error = explainError("discovery_failed", { message: (e as Error).message });
    return;
  }
  machine.dpopKeys = dpop ? (machine.dpopKeys ?? (await client.randomDPoPKeyPair("ES256"))) : undefined;
  const attempt = async (renew: boolean) => {
    const secret = await machineSecret(adminUrl, settings.machineClientId, renew);
    const config = new client.Configuration(
      metadata,
      settings.machineClientId,
      secret,
      client.ClientSecretBasic(secret),
    );
    if (settings.issuerUrl.startsWith("http:")) client.allowInsecureRequests(config);
    config[client.customFetch] = recorder.fetch;
    config.timeout = 15;
    await client.clientCredentialsGrant(
      config,
      scope ? { scope } : {},
      machine.dpopKeys ? { DPoP: client.getDPoPHandle(config, machine.dpopKeys) } : undefined,
    );
  };
  try {
    try {
      await attempt(false);
    } catch (e) {
      // Another Site process may have rotated the secret since: get a new one and try once more.
      if (codeOfClientError(e).code !== "invalid_client") throw e;
      await attempt(true);
    }
  } catch (e) {
    const { code, raw } = codeOfClientError(e);
    // The token endpoint's RFC 6749 error is shown; anything else (a failed rotation names the admin
    // API's address) stays on the server.
    const fromServer = typeof (e as { error?: unknown }).error === "string";
    step.error = fromServer
      ? explainError(code, raw)
      : explainError("machine_client_failed", { message: "no token request could be made" });
  } finally {
    for (const x of recorder.exchanges) {
      if (x.requestHeaders.authorization) x.requestHeaders.authorization = REDACTED_BASIC;
    }
  }
  step.response = metadata.token_endpoint ? recorder.lastJson(metadata.token_endpoint) : undefined;
  const tokens = tokenSetOf(step.response);
  if (tokens && !step.error) machine.tokens = tokens;
}
