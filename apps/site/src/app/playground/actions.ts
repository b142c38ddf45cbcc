"use server";

import { randomBytes } from "node:crypto";
import { refresh } from "next/cache";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import * as client from "openid-client";
import { isDomain, siteConfig } from "../../lib/config";
import { cookieAttributes, cookieNames, SESSION_COOKIE_MAX_AGE } from "../../lib/oauth/flow-cookie";
import { startDeviceFlow } from "../../lib/oauth/device";
import { clientCredentials } from "../../lib/oauth/machine";
import {
  allowedScopes,
  endSessionUrl,
  fetchUserinfo,
  introspectTokens,
  redeemAgain,
  refreshTokens,
} from "../../lib/oauth/playground";
import { playgroundStore } from "../../lib/oauth/store";
import { currentPlayground } from "./session";

// Server actions are POSTs that Next checks against the Origin header, so another site cannot trigger them.

async function withSession(domain: string, act: Parameters<typeof run>[1]) {
  if (!isDomain(domain)) redirect("/playground");
  return run(domain, act);
}

async function run(
  domain: "ciam" | "iam",
  act: (
    settings: Awaited<ReturnType<typeof currentPlayground>>["settings"],
    session: NonNullable<Awaited<ReturnType<typeof currentPlayground>>["session"]>,
  ) => Promise<void>,
) {
  const { settings, session } = await currentPlayground(domain);
  if (!session) redirect("/playground");
  await act(settings, session);
  // Re-render the callback page in place: the new step is appended to what it shows.
  refresh();
}

/** refresh_token grant with the session's refresh token. */
export async function refreshAction(domain: string) {
  await withSession(domain, refreshTokens);
}

/** GET /userinfo again with the current access token. */
export async function userinfoAction(domain: string) {
  await withSession(domain, fetchUserinfo);
}

/** Tries to redeem the same authorization code again (the server must refuse). */
export async function redeemAgainAction(domain: string) {
  await withSession(domain, redeemAgain);
}

/** Introspects the session's tokens at the admin API, from this server (the browser never calls it). */
export async function introspectAction(domain: string) {
  await withSession(domain, (settings, session) =>
    introspectTokens(siteConfig().adminUrls[settings.domain], session),
  );
}

/** The playground session of this browser for a domain, made (with its cookie) when there is none. */
async function sessionFor(domain: "ciam" | "iam") {
  const current = await currentPlayground(domain);
  if (current.session) return { ...current, session: current.session };
  const id = randomBytes(32).toString("base64url");
  const session = playgroundStore.create(id, domain, SESSION_COOKIE_MAX_AGE * 1000);
  (await cookies()).set(
    cookieNames.session(domain),
    id,
    cookieAttributes(siteConfig().publicUrl, SESSION_COOKIE_MAX_AGE),
  );
  return { ...current, sessionId: id, session };
}

/** client_credentials with the playground's confidential client, for the scopes picked (only allowed ones). */
export async function clientCredentialsAction(domain: string, form: FormData) {
  if (!isDomain(domain)) redirect("/playground");
  const { settings, session } = await sessionFor(domain);
  const adminUrl = siteConfig().adminUrls[domain];
  const allowed = await allowedScopes(settings, adminUrl, settings.machineClientId);
  const picked = new Set(form.getAll("scope").filter((v): v is string => typeof v === "string"));
  const scope = allowed.filter((s) => picked.has(s)).join(" ");
  await clientCredentials(settings, adminUrl, session, scope, form.get("dpop") === "on");
  refresh();
}

/** Introspects the machine token at the admin API, from this server. */
export async function introspectMachineAction(domain: string) {
  if (!isDomain(domain)) redirect("/playground");
  const { session } = await currentPlayground(domain);
  if (!session?.machine) redirect(`/playground/machine/${domain}`);
  await introspectTokens(siteConfig().adminUrls[domain], session.machine);
  refresh();
}

/** Starts the device flow (RFC 8628) for this browser's session; the server polls in the background. */
export async function startDeviceAction(domain: string) {
  if (!isDomain(domain)) redirect("/playground");
  const { settings, session } = await sessionFor(domain);
  await startDeviceFlow(settings, session);
  refresh();
}

/** RP-initiated logout: forget the tokens here, then send the browser to the provider's logout endpoint. */
export async function logoutAction(domain: string) {
  if (!isDomain(domain)) redirect("/playground");
  const { settings, session, sessionId } = await currentPlayground(domain);
  const state = client.randomState();
  let url: string;
  try {
    url = await endSessionUrl(settings, session, state);
  } catch {
    redirect("/playground?error=discovery_failed");
  }
  playgroundStore.rememberLogout(state, domain);
  playgroundStore.delete(sessionId);
  const jar = await cookies();
  jar.delete({ name: cookieNames.session(domain), path: "/playground" });
  jar.delete({ name: cookieNames.flow(domain), path: "/playground" });
  redirect(url);
}
