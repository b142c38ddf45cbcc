import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { type IdTokenReport, inspectIdToken } from "./id-token";

const issuer = "http://localhost:3102/";
const clientId = "site-playground-ciam";
const nonce = "n-0S6_WzA2Mj-expected-nonce";
const now = 1_800_000_000;

let signer: CryptoKey;
let stranger: CryptoKey;
let jwks: JSONWebKeySet;

beforeAll(async () => {
  const published = await generateKeyPair("RS256", { extractable: true });
  const other = await generateKeyPair("RS256", { extractable: true });
  signer = published.privateKey;
  stranger = other.privateKey;
  jwks = {
    keys: [
      { ...(await exportJWK(published.publicKey)), kid: "hydra.openid.id-token", alg: "RS256", use: "sig" },
    ],
  };
});

function mint(
  claims: Record<string, unknown> = {},
  opts: { key?: CryptoKey; kid?: string; iat?: number; exp?: number } = {},
) {
  // Claims given by a test win over the defaults (SignJWT's setters would overwrite them).
  return new SignJWT({ iss: issuer, aud: clientId, nonce, sid: "s1", ...claims })
    .setProtectedHeader({ alg: "RS256", kid: opts.kid ?? "hydra.openid.id-token", typ: "JWT" })
    .setSubject("f7c2b7c2-0000-4000-8000-000000000001")
    .setIssuedAt(opts.iat ?? now - 10)
    .setExpirationTime(opts.exp ?? now + 3600)
    .sign(opts.key ?? signer);
}

const inspect = (token: string, overrides: { nonce?: string | undefined } = {}) =>
  inspectIdToken(token, {
    jwks,
    issuer,
    clientId,
    nonce: "nonce" in overrides ? overrides.nonce : nonce,
    now,
  });

const status = (r: IdTokenReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.ok]));

describe("ID token verification panel", () => {
  it("a token from the issuer's key, for this client, fresh, with our nonce passes every check", async () => {
    const r = await inspect(await mint());
    expect(status(r)).toEqual({ signature: true, iss: true, aud: true, exp: true, nonce: true });
    expect(r.valid).toBe(true);
    expect(r.header?.kid).toBe("hydra.openid.id-token");
    expect(r.claims?.sub).toBe("f7c2b7c2-0000-4000-8000-000000000001");
  });

  it("a token signed by a key the issuer does not publish fails the signature check only", async () => {
    const r = await inspect(await mint({}, { key: stranger }));
    expect(status(r)).toEqual({ signature: false, iss: true, aud: true, exp: true, nonce: true });
    expect(r.valid).toBe(false);
    expect(r.checks[0]!.detail).toMatch(/signature does not match/);
  });

  it("a token signed by another key under an unknown kid says no published key matches", async () => {
    const r = await inspect(await mint({}, { key: stranger, kid: "someone-else" }));
    expect(status(r).signature).toBe(false);
    expect(r.checks[0]!.detail).toMatch(/no key in the JWKS matches kid someone-else/);
  });

  it("a token for another client fails the audience check", async () => {
    const r = await inspect(await mint({ aud: "athena-iam" }));
    expect(status(r)).toEqual({ signature: true, iss: true, aud: false, exp: true, nonce: true });
    expect(r.checks.find((c) => c.id === "aud")).toMatchObject({ expected: clientId, actual: "athena-iam" });
  });

  it("several audiences need azp naming this client", async () => {
    expect(status(await inspect(await mint({ aud: [clientId, "other"] }))).aud).toBe(false);
    expect(status(await inspect(await mint({ aud: [clientId, "other"], azp: clientId }))).aud).toBe(true);
  });

  it("a token with another nonce fails the nonce check", async () => {
    const r = await inspect(await mint({ nonce: "replayed-nonce-from-elsewhere" }));
    expect(status(r)).toEqual({ signature: true, iss: true, aud: true, exp: true, nonce: false });
    expect(r.valid).toBe(false);
  });

  it("a token without a nonce fails when one was sent", async () => {
    const r = await inspect(await mint({ nonce: undefined }));
    expect(status(r).nonce).toBe(false);
  });

  it("an expired token fails the expiry check (beyond the 30 s tolerance)", async () => {
    const r = await inspect(await mint({}, { iat: now - 7200, exp: now - 3600 }));
    expect(status(r)).toEqual({ signature: true, iss: true, aud: true, exp: false, nonce: true });
    expect(r.checks.find((c) => c.id === "exp")!.detail).toBe("expired 3600 s ago");
  });

  it("a token from another issuer fails the exact issuer comparison, even for a trailing slash", async () => {
    const r = await inspect(await mint({ iss: "http://localhost:3102" }));
    expect(status(r).iss).toBe(false);
  });

  it("after a refresh the nonce check does not apply", async () => {
    const r = await inspect(await mint(), { nonce: undefined });
    expect(status(r).nonce).toBeNull();
    expect(r.valid).toBe(true);
  });

  it("an unsigned (alg none) token fails the signature check", async () => {
    const body = Buffer.from(JSON.stringify({ iss: issuer, aud: clientId, exp: now + 60, nonce })).toString(
      "base64url",
    );
    const head = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    const r = await inspect(`${head}.${body}.`);
    expect(status(r).signature).toBe(false);
    expect(r.valid).toBe(false);
  });

  it("garbage is reported as malformed, with no checks", async () => {
    const r = await inspect("not-a-jwt");
    expect(r.malformed).toMatch(/not a signed JWT/);
    expect(r.valid).toBe(false);
  });
});
