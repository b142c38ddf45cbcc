import { Configuration, OAuth2Api } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP, CookieJar, createPerson, type GuideCore, startGuideCore } from "../../src/core";
import { discover, finishSignIn, profile, type SpaOptions, startSignIn } from "./auth";

let t: GuideCore;
let clientId: string;
const REDIRECT = `${APP}/callback`;

/** sessionStorage, for Node. */
function memoryStorage(): SpaOptions["storage"] {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
  };
}

beforeAll(async () => {
  t = await startGuideCore();
  // A public client: no secret, PKCE required.
  const res = await fetch(`${t.oauth2AdminUrl}/admin/clients`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "my spa",
      redirect_uris: [REDIRECT],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      scope: "openid offline_access email",
      token_endpoint_auth_method: "none",
    }),
  });
  expect(res.status).toBe(201);
  clientId = ((await res.json()) as { client_id: string }).client_id;
});
afterAll(() => t?.stop());

/**
 * The browser's trip from the authorization URL to the callback. Hera stands between: it signs the
 * person in and accepts the login and consent requests on the OAuth2 admin API; here the test does
 * what Hera does, with Ory's SDK.
 */
async function throughHera(url: URL, subject: string): Promise<URL> {
  const jar = new CookieJar();
  const admin = new OAuth2Api(new Configuration({ basePath: t.oauth2AdminUrl }));
  const follow = async (to: string) => {
    const res = await jar.fetch(to);
    expect(res.status).toBeGreaterThanOrEqual(300);
    return new URL(res.headers.get("location")!);
  };
  const login = await follow(url.toString());
  expect(login.origin + login.pathname).toBe(`${APP}/login`);
  const accepted = await admin.acceptOAuth2LoginRequest({
    loginChallenge: login.searchParams.get("login_challenge")!,
    acceptOAuth2LoginRequest: { subject, remember: false },
  });
  const consent = await follow(accepted.redirect_to);
  const consentChallenge = consent.searchParams.get("consent_challenge")!;
  const request = await admin.getOAuth2ConsentRequest({ consentChallenge });
  const granted = await admin.acceptOAuth2ConsentRequest({
    consentChallenge,
    acceptOAuth2ConsentRequest: { grant_scope: request.requested_scope },
  });
  return follow(granted.redirect_to);
}

describe("guide: a single-page app with Authorization Code + PKCE", () => {
  it("sends the browser with a PKCE challenge, trades the code with the verifier, reads the profile", async () => {
    const subject = await createPerson(t, "spa@example.com");
    const opts = { issuer: t.issuer, clientId, redirectUri: REDIRECT, storage: memoryStorage() };
    const config = await discover(opts);
    const url = await startSignIn(config, opts);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const callback = await throughHera(url, subject);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);

    const tokens = await finishSignIn(config, opts, callback);
    expect(tokens.subject).toBe(subject);
    expect(tokens.accessToken).toMatch(/^ory_at_/);
    expect(tokens.refreshToken).toMatch(/^ory_rt_/);
    expect((await profile(config, tokens.accessToken, subject)).sub).toBe(subject);
    // The verifier is used once: the same callback cannot be finished again.
    await expect(finishSignIn(config, opts, callback)).rejects.toThrow("no sign-in in progress");
  });

  it("refuses a callback whose state was not this browser's, and a code without its verifier", async () => {
    const subject = await createPerson(t, "spa-hostile@example.com");
    const opts = { issuer: t.issuer, clientId, redirectUri: REDIRECT, storage: memoryStorage() };
    const config = await discover(opts);
    const callback = await throughHera(await startSignIn(config, opts), subject);
    const forged = new URL(callback);
    forged.searchParams.set("state", "attacker");
    await expect(finishSignIn(config, opts, forged)).rejects.toMatchObject({
      code: "OAUTH_INVALID_RESPONSE",
    });

    // An attacker who steals the code but not the verifier gets nothing.
    const theirs = { ...opts, storage: memoryStorage() };
    await startSignIn(config, theirs);
    const saved = JSON.parse(theirs.storage.getItem("pkce")!) as { verifier: string; state: string };
    theirs.storage.setItem("pkce", JSON.stringify({ ...saved, state: callback.searchParams.get("state") }));
    await expect(finishSignIn(config, theirs, callback)).rejects.toMatchObject({ error: "invalid_grant" });
  });
});
