import type { Context, Hono } from "hono";
import { afterConsent, afterLogin, beginLogin, runStep } from "../authorize/routes.ts";
import {
  AuthorizeError,
  DEVICE_VERIFY_PATH,
  deviceRequestUrl,
  parseDeviceRequest,
} from "../authorize/request.ts";
import { isExpired, openFlow, sealFlow } from "../flow/challenge.ts";
import { browserBinding, sameBrowser } from "../flow/cookies.ts";
import { OAuth2Error } from "../errors.ts";
import { noStore, readParams } from "../http.ts";
import { nowSeconds, type OAuth2, publicUrl, seconds } from "../runtime.ts";
import { isScopeToken, scopeAllowed, splitList } from "../scope.ts";
import { authenticateClient } from "../token/client-auth.ts";
import { uuid } from "../../security/random.ts";
import { createDeviceRequest, DEVICE_CODE_GRANT, findDeviceRequest } from "./requests.ts";

/**
 * POST /oauth2/device/auth (RFC 8628 §3.1-3.2, Hydra's path and answer): the client authenticates as
 * at the token endpoint (a public client sends its client_id), asks for a scope and audience it is
 * allowed, and gets a device code to poll with and a user code for its user.
 */
async function deviceAuthorization(c: Context, o2: OAuth2): Promise<Response> {
  noStore(c);
  const form = await readParams(c, { query: false });
  const client = await authenticateClient(c, o2, form);
  if (!client.data.grant_types.includes(DEVICE_CODE_GRANT)) {
    throw new OAuth2Error(
      "unauthorized_client",
      `The client is not allowed to use authorization grant '${DEVICE_CODE_GRANT}'.`,
    );
  }
  const scope = splitList(form.get("scope"));
  const allowed = splitList(client.data.scope);
  for (const s of scope) {
    if (!isScopeToken(s) || !scopeAllowed(o2.cfg.strategies.scope, allowed, s)) {
      throw new OAuth2Error("invalid_scope", `The OAuth 2.0 Client is not allowed to request scope '${s}'.`);
    }
  }
  const audience = splitList(form.get("audience"));
  for (const a of audience) {
    if (!client.data.audience.includes(a)) {
      throw new OAuth2Error(
        "invalid_request",
        `Requested audience '${a}' has not been whitelisted by the OAuth 2.0 Client.`,
      );
    }
  }
  const { row, deviceCode, userCode } = await createDeviceRequest(o2, {
    clientId: client.id,
    scope,
    audience,
  });
  const verification = publicUrl(o2, DEVICE_VERIFY_PATH);
  return c.json({
    device_code: deviceCode,
    user_code: userCode,
    verification_uri: verification,
    verification_uri_complete: `${verification}?user_code=${encodeURIComponent(userCode)}`,
    expires_in: seconds(row.expiresAt.getTime() - Date.now()),
    interval: row.intervalS,
  });
}

/**
 * GET /oauth2/device/verify without a verifier: the user's browser arrives (from the device's
 * verification_uri); it gets a device challenge bound to it and goes to the user-code page
 * (`oauth2.urls.device.verification`), which keeps a `user_code` the link carried.
 */
async function startVerification(c: Context, o2: OAuth2, params: URLSearchParams): Promise<Response> {
  const challenge = await sealFlow(o2, "device_challenge", {
    id: uuid().replace(/-/g, ""),
    csrf: browserBinding(c, o2),
    requested_at: nowSeconds(),
  });
  const url = new URL(o2.urls.deviceVerification);
  url.searchParams.set("device_challenge", challenge);
  const userCode = params.get("user_code");
  if (userCode && userCode.length <= 64) url.searchParams.set("user_code", userCode);
  noStore(c);
  return c.redirect(url.toString(), 302);
}

/** Back from the user-code page with a device verifier: the login step of the device request. */
async function afterUserCode(c: Context, o2: OAuth2, verifier: string): Promise<Response> {
  const v = await openFlow(o2, "device_verifier", verifier);
  const refuse = (error: OAuth2Error) => new AuthorizeError(error);
  if (!v) {
    throw refuse(
      new OAuth2Error("invalid_request", "The device verifier is invalid, has expired or was tampered with."),
    );
  }
  if (isExpired(o2, v.requested_at)) {
    throw refuse(
      new OAuth2Error("request_unauthorized", "The device request has expired, please try again."),
    );
  }
  if (!sameBrowser(c, o2, v.csrf)) {
    throw refuse(
      new OAuth2Error(
        "request_forbidden",
        "The device verifier was issued to another browser: its anti-CSRF cookie is missing or does not match.",
      ),
    );
  }
  const row = await findDeviceRequest(o2.ctx.db, v.device_request_id);
  if (!row?.userCodeUsedAt)
    throw refuse(new OAuth2Error("invalid_request", "The device request is unknown."));
  const requestUrl = deviceRequestUrl(o2, row.id);
  return beginLogin(c, o2, await parseDeviceRequest(o2, row.id, requestUrl));
}

export function registerDeviceRoutes(app: Hono, o2: OAuth2): void {
  app.post("/oauth2/device/auth", (c) => deviceAuthorization(c, o2));
  app.get("/oauth2/device/verify", async (c) =>
    runStep(c, o2, async () => {
      const params = await readParams(c, { query: true });
      const deviceVerifier = params.get("device_verifier");
      if (deviceVerifier) return afterUserCode(c, o2, deviceVerifier);
      const loginVerifier = params.get("login_verifier");
      if (loginVerifier) return afterLogin(c, o2, loginVerifier);
      const consentVerifier = params.get("consent_verifier");
      if (consentVerifier) return afterConsent(c, o2, consentVerifier);
      return startVerification(c, o2, params);
    }),
  );
}
