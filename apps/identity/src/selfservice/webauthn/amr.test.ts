import { Configuration, FrontendApi } from "@ory/client-fetch";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authorizeUrl,
  createClient,
  exchangeCode,
  location,
  type OAuth2TestCore,
  pkce,
  REDIRECT,
  startOAuth2Core,
  type TestClient,
} from "../../oauth2/test-helpers.ts";
import { get, json, node, post } from "../../security/testkit.ts";
import { CookieJar, csrfOf } from "../../testing/index.ts";
import { amrFor, sessionAmr } from "./amr.ts";
import { FLAG_BE, FLAG_BS, FLAG_UP, FLAG_UV, SoftAuthenticator } from "./testing/soft-authenticator.ts";

/*
 * A WebAuthn ceremony is a strong factor, and the ID token says which (RFC 8176): a passkey sign-up
 * and sign-in end to end through an OAuth2 authorization — the login challenge answered by the passkey
 * alone — yield `amr` [hwk, user] (a device-bound key that verified its user) or [swk, user] (a synced
 * passkey), with `acr` aal1; never `pwd`.
 */

const ORIGIN = "http://localhost:4455";
let t: OAuth2TestCore;
let client: TestClient;

beforeAll(async () => {
  t = await startOAuth2Core({
    selfservice: {
      methods: {
        passkey: {
          enabled: true,
          config: { rp: { id: "localhost", display_name: "Test", origins: [ORIGIN] } },
        },
      },
    },
  });
  client = await createClient(t);
}, 180_000);
afterAll(() => t?.stop());

/** Signs up with a passkey alone (API flow); the authenticator keeps the key. */
async function signUpWithPasskey(email: string, flags?: number): Promise<SoftAuthenticator> {
  const auth = new SoftAuthenticator(ORIGIN);
  const flow = await json(await get(`${t.publicUrl}/self-service/registration/api`));
  const shown = await json(
    await post(`${t.publicUrl}/self-service/registration?flow=${flow.id}`, {
      method: "passkey",
      traits: { email },
    }),
  );
  const options = JSON.parse(node(shown, "passkey_create_data").attributes.value).credentialOptions;
  const done = await post(`${t.publicUrl}/self-service/registration?flow=${flow.id}`, {
    passkey_register: auth.create(options, flags === undefined ? {} : { flags }).json,
  });
  expect(done.status, await done.clone().text()).toBe(200);
  return auth;
}

/** An authorization request whose login challenge the passkey answers; returns the ID token's claims. */
async function authorizeWithPasskey(auth: SoftAuthenticator, flags?: number) {
  const jar = new CookieJar();
  const { verifier, challenge } = pkce();
  let res = await jar.fetch(
    authorizeUrl(t, {
      client_id: client.client_id,
      response_type: "code",
      redirect_uri: REDIRECT,
      scope: "openid",
      state: "state-amr-12345",
      nonce: "nonce-amr-12345",
      code_challenge: challenge,
      code_challenge_method: "S256",
    }),
  );
  const loginChallenge = location(res).searchParams.get("login_challenge")!;
  const browser = new FrontendApi(new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch }));
  const flow = await browser.createBrowserLoginFlow(
    { loginChallenge },
    { headers: { accept: "application/json" } },
  );
  const passkeyChallenge = JSON.parse(node(flow, "passkey_challenge").attributes.value);
  res = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
    body: new URLSearchParams({
      csrf_token: csrfOf(flow),
      passkey_login: auth.get(passkeyChallenge, flags === undefined ? {} : { flags }),
    }),
  });
  expect(res.status, await res.clone().text()).toBe(303);
  res = await jar.fetch(location(res).toString());
  const consentChallenge = location(res).searchParams.get("consent_challenge")!;
  const consent = (await (
    await t.admin(`/admin/oauth2/auth/requests/consent?consent_challenge=${consentChallenge}`)
  ).json()) as { amr: string[]; acr: string };
  const accepted = (await (
    await t.admin(`/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consentChallenge}`, {
      method: "PUT",
      body: JSON.stringify({ grant_scope: ["openid"] }),
    })
  ).json()) as { redirect_to: string };
  const callback = location(await jar.fetch(accepted.redirect_to));
  const tokens = await exchangeCode(t, client, {
    jar,
    callback,
    code: callback.searchParams.get("code") ?? "",
    verifier,
    state: "state-amr-12345",
    nonce: "nonce-amr-12345",
  });
  expect(tokens.status, await tokens.clone().text()).toBe(200);
  const idToken = decodeJwt(((await tokens.json()) as { id_token: string }).id_token);
  return { consent, idToken };
}

describe("amr of a WebAuthn sign-in (RFC 8176), through the ID token", () => {
  it("a device-bound passkey: [hwk, user], aal1, in the consent request and the ID token", async () => {
    const auth = await signUpWithPasskey("amr-hwk@example.com");
    const { consent, idToken } = await authorizeWithPasskey(auth);
    expect(consent.amr).toEqual(["hwk", "user"]);
    expect(consent.acr).toBe("aal1");
    expect(idToken.amr).toEqual(["hwk", "user"]);
    expect(idToken.acr).toBe("aal1");
  });

  it("a synced passkey (backed up): [swk, user]", async () => {
    const synced = FLAG_UP | FLAG_UV | FLAG_BE | FLAG_BS;
    const auth = await signUpWithPasskey("amr-swk@example.com", synced);
    const { idToken } = await authorizeWithPasskey(auth, synced);
    expect(idToken.amr).toEqual(["swk", "user"]);
  });
});

describe("amr values", () => {
  it("a security key without user verification proves possession only; two factors add mfa", () => {
    expect(amrFor("webauthn", { userVerified: false, backedUp: false })).toEqual(["hwk"]);
    expect(amrFor("webauthn", { userVerified: true, backedUp: false })).toEqual(["hwk", "user"]);
    expect(sessionAmr([{ method: "password" }, { method: "webauthn", amr: ["hwk"] }])).toEqual([
      "pwd",
      "hwk",
      "mfa",
    ]);
    expect(sessionAmr([{ method: "totp" }, { method: "lookup_secret" }])).toEqual(["otp"]);
  });
});
