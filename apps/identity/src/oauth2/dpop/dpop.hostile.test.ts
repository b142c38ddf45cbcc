import { createHash, randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authorizeUrl,
  createClient,
  introspect,
  location,
  type OAuth2TestCore,
  pkce,
  postForm,
  REDIRECT,
  runAuthorization,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";

/*
 * Hostile DPoP inputs (RFC 9449 §4.3, §5, §7, §8, §10, §11): every forged, replayed, stale or misplaced
 * proof is refused with the RFC's error in the right shape (400 invalid_dpop_proof / use_dpop_nonce at
 * the token endpoint, 401 with a `WWW-Authenticate: DPoP` challenge at userinfo), and a token or code
 * bound to a key is useless without it. Proofs are signed here by hand with jose, so each one can be
 * wrong in exactly one way.
 */

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

interface ProofSpec {
  htu: string;
  htm?: string;
  iat?: number;
  jti?: string;
  ath?: string;
  nonce?: string;
  typ?: string;
  alg?: string;
  /** The key in the `jwk` header (default: the signing key's public half). */
  jwk?: JWK;
}

async function proof(key: KeyPair, spec: ProofSpec): Promise<string> {
  const jwk = spec.jwk ?? (await exportJWK(key.publicKey));
  return new SignJWT({
    htm: spec.htm ?? "POST",
    htu: spec.htu,
    jti: spec.jti ?? randomUUID(),
    ...(spec.ath ? { ath: spec.ath } : {}),
    ...(spec.nonce ? { nonce: spec.nonce } : {}),
  })
    .setProtectedHeader({ alg: spec.alg ?? "ES256", typ: spec.typ ?? "dpop+jwt", jwk })
    .setIssuedAt(spec.iat ?? Math.floor(Date.now() / 1000))
    .sign(key.privateKey);
}

const ath = (token: string) => createHash("sha256").update(token).digest("base64url");
const basic = (c: TestClient) => ({
  authorization: `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString("base64")}`,
});

let t: OAuth2TestCore;
let service: TestClient;
let tokenUrl: string;
let userinfoUrl: string;

beforeAll(async () => {
  t = await startOAuth2Core();
  service = await createClient(t, { grant_types: ["client_credentials"], scope: "read" });
  tokenUrl = new URL("oauth2/token", t.issuer).href;
  userinfoUrl = new URL("userinfo", t.issuer).href;
});
afterAll(() => t?.stop());

/** A client_credentials request of `service` with the given DPoP header. */
const ccWith = (dpop: string, client = service) =>
  postForm(
    t,
    "/oauth2/token",
    { grant_type: "client_credentials", scope: "read" },
    { ...basic(client), DPoP: dpop },
  );

async function refused(res: Response, error = "invalid_dpop_proof", status = 400) {
  const body = (await res.json()) as { error: string; error_description: string };
  expect({ status: res.status, error: body.error }, body.error_description).toEqual({ status, error });
  return body;
}

describe("DPoP proofs at the token endpoint", () => {
  it("a good proof works once; the same proof again is a replay, even when sent concurrently", async () => {
    const key = await generateKeyPair("ES256");
    const p = await proof(key, { htu: tokenUrl });
    const first = await ccWith(p);
    expect(first.status).toBe(200);
    expect(((await first.json()) as { token_type: string }).token_type).toBe("DPoP");
    await refused(await ccWith(p));

    const q = await proof(key, { htu: tokenUrl });
    const answers = await Promise.all(Array.from({ length: 5 }, () => ccWith(q)));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of answers.filter((a) => a.status !== 200)) await refused(r);
  });

  it("a proof for another URL or another method is refused; the query of htu is ignored", async () => {
    const key = await generateKeyPair("ES256");
    await refused(await ccWith(await proof(key, { htu: userinfoUrl })));
    await refused(await ccWith(await proof(key, { htu: "https://evil.example/oauth2/token" })));
    await refused(await ccWith(await proof(key, { htu: tokenUrl, htm: "GET" })));
    await refused(await ccWith(await proof(key, { htu: "not a url" })));
    expect((await ccWith(await proof(key, { htu: `${tokenUrl}?x=1#frag` }))).status).toBe(200);
  });

  it("a proof signed by another key than its jwk is refused", async () => {
    const signer = await generateKeyPair("ES256");
    const claimed = await generateKeyPair("ES256");
    await refused(
      await ccWith(await proof(signer, { htu: tokenUrl, jwk: await exportJWK(claimed.publicKey) })),
    );
  });

  it("stale and future iat, a wrong typ, a private or symmetric jwk, HS256, and two proofs are refused", async () => {
    const key = await generateKeyPair("ES256", { extractable: true });
    const now = Math.floor(Date.now() / 1000);
    await refused(await ccWith(await proof(key, { htu: tokenUrl, iat: now - 600 })));
    await refused(await ccWith(await proof(key, { htu: tokenUrl, iat: now + 600 })));
    await refused(await ccWith(await proof(key, { htu: tokenUrl, typ: "JWT" })));
    await refused(await ccWith(await proof(key, { htu: tokenUrl, jwk: await exportJWK(key.privateKey) })));
    const secret = new Uint8Array(32).fill(7);
    const hs = await new SignJWT({ htm: "POST", htu: tokenUrl, jti: randomUUID() })
      .setProtectedHeader({
        alg: "HS256",
        typ: "dpop+jwt",
        // A symmetric "public key": jose's types forbid it, a hostile client does not care.
        jwk: { kty: "oct", k: Buffer.from(secret).toString("base64url") } as JWK as never,
      })
      .setIssuedAt()
      .sign(secret);
    await refused(await ccWith(hs));
    const one = await proof(key, { htu: tokenUrl });
    const two = await proof(key, { htu: tokenUrl });
    await refused(await ccWith(`${one}, ${two}`));
    await refused(await ccWith("not-a-jwt"));
    await refused(await ccWith("a".repeat(9000)));
    // None of them was a 500, and none left a token behind: the client can still get one.
    expect((await ccWith(await proof(key, { htu: tokenUrl }))).status).toBe(200);
  });
});

describe("bound codes and refresh tokens", () => {
  it("a code bound with dpop_jkt is refused with another key or none, and works with the key", async () => {
    const client = await createClient(t);
    const key = await generateKeyPair("ES256");
    const jwk = await exportJWK(key.publicKey);
    const { calculateJwkThumbprint } = await import("jose");
    const flow = await runAuthorization(t, client, {
      params: { dpop_jkt: await calculateJwkThumbprint(jwk) },
    });
    const exchange = (dpop?: string) =>
      postForm(
        t,
        "/oauth2/token",
        {
          grant_type: "authorization_code",
          code: flow.code,
          redirect_uri: REDIRECT,
          code_verifier: flow.verifier!,
        },
        { ...basic(client), ...(dpop ? { DPoP: dpop } : {}) },
      );
    await refused(await exchange(), "invalid_grant");
    await refused(
      await exchange(await proof(await generateKeyPair("ES256"), { htu: tokenUrl })),
      "invalid_grant",
    );
    const ok = await exchange(await proof(key, { htu: tokenUrl }));
    expect(ok.status, await ok.clone().text()).toBe(200);
  });

  it("a malformed dpop_jkt is refused at the authorization endpoint (to the redirect URI)", async () => {
    const client = await createClient(t);
    const { challenge } = pkce();
    const res = await fetch(
      authorizeUrl(t, {
        client_id: client.client_id,
        response_type: "code",
        redirect_uri: REDIRECT,
        scope: "openid",
        state: "state-12345678",
        code_challenge: challenge,
        code_challenge_method: "S256",
        dpop_jkt: "not-a-thumbprint",
      }),
      { redirect: "manual" },
    );
    expect(res.status).toBe(302);
    expect(location(res).searchParams.get("error")).toBe("invalid_request");
  });

  it("PAR refuses a dpop_jkt that is not the key of the proof", async () => {
    const client = await createClient(t);
    const key = await generateKeyPair("ES256");
    const { challenge } = pkce();
    const res = await postForm(
      t,
      "/oauth2/par",
      {
        response_type: "code",
        redirect_uri: REDIRECT,
        scope: "openid",
        state: "state-12345678",
        code_challenge: challenge,
        code_challenge_method: "S256",
        dpop_jkt: "A".repeat(43),
      },
      { ...basic(client), DPoP: await proof(key, { htu: new URL("oauth2/par", t.issuer).href }) },
    );
    await refused(res);
  });

  it("a public client's refresh with another key (or none) is refused without ending the chain", async () => {
    const spa = await createClient(t, { token_endpoint_auth_method: "none" });
    const key = await generateKeyPair("ES256");
    const flow = await runAuthorization(t, spa);
    const code = await postForm(
      t,
      "/oauth2/token",
      {
        grant_type: "authorization_code",
        code: flow.code,
        redirect_uri: REDIRECT,
        code_verifier: flow.verifier!,
        client_id: spa.client_id,
      },
      { DPoP: await proof(key, { htu: tokenUrl }) },
    );
    expect(code.status).toBe(200);
    const tokens = (await code.json()) as { refresh_token: string; access_token: string; token_type: string };
    expect(tokens.token_type).toBe("DPoP");
    const refresh = (dpop?: string) =>
      postForm(
        t,
        "/oauth2/token",
        { grant_type: "refresh_token", refresh_token: tokens.refresh_token, client_id: spa.client_id },
        dpop ? { DPoP: dpop } : {},
      );
    const thief = await generateKeyPair("ES256");
    await refused(await refresh(await proof(thief, { htu: tokenUrl })), "invalid_grant");
    await refused(await refresh(), "invalid_grant");
    // The owner's tokens still work, and so does the owner's refresh.
    expect(await introspect(t, tokens.access_token)).toMatchObject({ active: true });
    const ok = await refresh(await proof(key, { htu: tokenUrl }));
    expect(ok.status, await ok.clone().text()).toBe(200);
  });
});

describe("DPoP at userinfo", () => {
  let token: string;
  let key: KeyPair;

  beforeAll(async () => {
    const client = await createClient(t);
    key = await generateKeyPair("ES256");
    const flow = await runAuthorization(t, client);
    const res = await postForm(
      t,
      "/oauth2/token",
      {
        grant_type: "authorization_code",
        code: flow.code,
        redirect_uri: REDIRECT,
        code_verifier: flow.verifier!,
      },
      { ...basic(client), DPoP: await proof(key, { htu: tokenUrl }) },
    );
    token = ((await res.json()) as { access_token: string }).access_token;
  });

  const userinfo = (headers: Record<string, string>) => fetch(`${t.oauth2PublicUrl}/userinfo`, { headers });

  it("works with the DPoP scheme and a proof of the key for this request and token", async () => {
    const res = await userinfo({
      authorization: `DPoP ${token}`,
      DPoP: await proof(key, { htu: userinfoUrl, htm: "GET", ath: ath(token) }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ sub: "user-1" });
  });

  it("a DPoP-bound token presented as a bearer token is refused with a DPoP challenge", async () => {
    const res = await userinfo({ authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^DPoP error="invalid_token"/);
    expect(await res.json()).toMatchObject({ error: "invalid_token" });
  });

  it("a proof without ath, with the ath of another token, of another key, or none at all is refused", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ DPoP: await proof(key, { htu: userinfoUrl, htm: "GET" }) }, "invalid_dpop_proof"],
      [{ DPoP: await proof(key, { htu: userinfoUrl, htm: "GET", ath: ath("other") }) }, "invalid_dpop_proof"],
      [{ DPoP: await proof(key, { htu: tokenUrl, htm: "GET", ath: ath(token) }) }, "invalid_dpop_proof"],
      [
        {
          DPoP: await proof(await generateKeyPair("ES256"), {
            htu: userinfoUrl,
            htm: "GET",
            ath: ath(token),
          }),
        },
        "invalid_token",
      ],
      [{}, "invalid_dpop_proof"],
    ];
    for (const [headers, error] of cases) {
      const res = await userinfo({ authorization: `DPoP ${token}`, ...headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(new RegExp(`^DPoP error="${error}"`));
      expect(await res.json()).toMatchObject({ error });
    }
  });
});

describe("server nonces (oauth2.dpop.require_nonce)", () => {
  let n: OAuth2TestCore;
  let client: TestClient;

  beforeAll(async () => {
    n = await startOAuth2Core({ oauth2: { dpop: { require_nonce: true } } });
    client = await createClient(n, { grant_types: ["client_credentials"], scope: "openid read" });
  });
  afterAll(() => n?.stop());

  const cc = (dpop: string) =>
    postForm(
      n,
      "/oauth2/token",
      { grant_type: "client_credentials", scope: "read" },
      { ...basic(client), DPoP: dpop },
    );

  it("a proof without the nonce gets use_dpop_nonce and a DPoP-Nonce header; with it the request works", async () => {
    const key = await generateKeyPair("ES256");
    const htu = new URL("oauth2/token", n.issuer).href;
    const first = await cc(await proof(key, { htu }));
    await refused(first, "use_dpop_nonce");
    const nonce = first.headers.get("dpop-nonce");
    expect(nonce).toMatch(/^[0-9a-z]+\.[\w-]{43}$/);
    const forged = `${nonce!.split(".")[0]}.${"A".repeat(43)}`;
    await refused(await cc(await proof(key, { htu, nonce: forged })), "use_dpop_nonce");
    await refused(await cc(await proof(key, { htu, nonce: `0.${nonce!.split(".")[1]}` })), "use_dpop_nonce");
    const ok = await cc(await proof(key, { htu, nonce: nonce! }));
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(ok.headers.get("dpop-nonce")).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
  });

  it("openid-client picks the nonce up and retries, at the token endpoint and at userinfo", async () => {
    const config = await oidc.discovery(
      new URL(n.issuer),
      client.client_id,
      undefined,
      oidc.ClientSecretBasic(client.client_secret!),
      { execute: [oidc.allowInsecureRequests] },
    );
    const dpop = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair("ES256"));
    const tokens = await oidc.clientCredentialsGrant(config, { scope: "read" }, { DPoP: dpop });
    expect(tokens.token_type).toBe("dpop");

    // At userinfo a proof without the nonce is a 401 with the DPoP challenge and the nonce.
    const key = await generateKeyPair("ES256");
    const res = await fetch(`${n.oauth2PublicUrl}/userinfo`, {
      headers: {
        authorization: `DPoP ${tokens.access_token}`,
        DPoP: await proof(key, {
          htu: new URL("userinfo", n.issuer).href,
          htm: "GET",
          ath: ath(tokens.access_token),
        }),
      },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^DPoP error="use_dpop_nonce"/);
    expect(res.headers.get("dpop-nonce")).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
  });
});
