import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createAuthorizationSecrets } from "./pkce";

describe("PKCE pair", () => {
  it("the challenge is BASE64URL(SHA-256(verifier)) without padding", async () => {
    const s = await createAuthorizationSecrets();
    const expected = createHash("sha256").update(s.codeVerifier, "ascii").digest("base64url");
    expect(s.codeChallenge).toBe(expected);
    expect(s.codeChallengeMethod).toBe("S256");
    expect(s.codeChallenge).not.toContain("=");
  });

  it("the verifier uses only unreserved characters and has 43–128 of them (RFC 7636 §4.1)", async () => {
    const { codeVerifier } = await createAuthorizationSecrets();
    expect(codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
  });

  it("every request gets new values", async () => {
    const a = await createAuthorizationSecrets();
    const b = await createAuthorizationSecrets();
    expect(a.codeVerifier).not.toBe(b.codeVerifier);
    expect(a.state).not.toBe(b.state);
    expect(a.nonce).not.toBe(b.nonce);
  });
});
