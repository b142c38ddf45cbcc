import { EncryptJWT } from "jose";
import { describe, expect, it } from "vitest";
import { deriveKey, SESSION_MAX_AGE, sealPayload, sealSession, unsealPayload, unsealSession } from "./seal";

const secret = "a-test-secret-that-is-at-least-32-bytes-long";
const admin = {
  sub: "3f0c…",
  email: "admin@demo.user",
  name: "Ada Admin",
  role: "admin" as const,
  iss: "http://localhost:4102",
};
const now = 1_900_000_000;

describe("athena-session seal/unseal", () => {
  it("round-trips a session for the same instance", async () => {
    const token = await sealSession(admin, { secret, domain: "iam", now });
    expect(token.split(".")).toHaveLength(5); // compact JWE
    const s = await unsealSession(token, { secret, domain: "iam", now: now + 60 });
    expect(s).toEqual({ ...admin, domain: "iam", exp: now + SESSION_MAX_AGE });
  });

  it("does not reveal the payload (encrypted, not just signed)", async () => {
    const token = await sealSession(admin, { secret, domain: "iam", now });
    const decoded = token
      .split(".")
      .map((p) => Buffer.from(p, "base64url").toString("latin1"))
      .join(" ");
    expect(decoded).not.toContain("admin@demo.user");
    expect(decoded).not.toContain("admin");
  });

  it("rejects a forged cookie: wrong secret, tampered bytes, garbage, a plain JWT", async () => {
    const token = await sealSession(admin, { secret, domain: "iam", now });
    expect(await unsealSession(token, { secret: `${secret}-other`, domain: "iam", now })).toBeUndefined();
    const parts = token.split(".");
    const ct = Buffer.from(parts[3]!, "base64url");
    ct[0] = ct[0]! ^ 1;
    parts[3] = ct.toString("base64url");
    expect(await unsealSession(parts.join("."), { secret, domain: "iam", now })).toBeUndefined();
    expect(await unsealSession("not-a-token", { secret, domain: "iam", now })).toBeUndefined();
    expect(await unsealSession("", { secret, domain: "iam", now })).toBeUndefined();
    expect(await unsealSession(undefined, { secret, domain: "iam", now })).toBeUndefined();
    const unsigned = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify({ ...admin, domain: "iam", exp: now + 100 })).toString("base64url")}.`;
    expect(await unsealSession(unsigned, { secret, domain: "iam", now })).toBeUndefined();
  });

  it("rejects an expired cookie", async () => {
    const token = await sealSession(admin, { secret, domain: "iam", now, maxAgeSeconds: 60 });
    expect(await unsealSession(token, { secret, domain: "iam", now: now + 30 })).toBeDefined();
    expect(await unsealSession(token, { secret, domain: "iam", now: now + 61 })).toBeUndefined();
  });

  it("never issues or accepts more than 8 hours", async () => {
    const token = await sealSession(admin, { secret, domain: "iam", now, maxAgeSeconds: 7 * 24 * 3600 });
    expect(
      await unsealSession(token, { secret, domain: "iam", now: now + SESSION_MAX_AGE + 1 }),
    ).toBeUndefined();
    // Even a cookie sealed with the right key but a long `exp` is refused once it is older than 8 h.
    const long = await sealPayload(
      { ...admin, domain: "iam" },
      { secret, domain: "iam", purpose: "session", maxAgeSeconds: 30 * 24 * 3600, now },
    );
    expect(await unsealSession(long, { secret, domain: "iam", now: now + 10 })).toBeDefined();
    expect(
      await unsealSession(long, { secret, domain: "iam", now: now + SESSION_MAX_AGE + 60 }),
    ).toBeUndefined();
  });

  it("rejects a cookie of the other domain's instance, even with the same secret", async () => {
    const ciam = await sealSession(admin, { secret, domain: "ciam", now });
    expect(await unsealSession(ciam, { secret, domain: "ciam", now })).toBeDefined();
    expect(await unsealSession(ciam, { secret, domain: "iam", now })).toBeUndefined();
  });

  it("rejects a payload whose domain claim does not match, even under the right key", async () => {
    // Sealed with the IAM key and audience but claiming the CIAM domain: the payload check refuses it.
    const token = await new EncryptJWT({ ...admin, domain: "ciam" })
      .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .setAudience("athena:session:iam")
      .encrypt(deriveKey(secret, "iam", "session"));
    expect(await unsealSession(token, { secret, domain: "iam", now })).toBeUndefined();
  });

  it("rejects unknown roles and flow-state cookies passed off as sessions", async () => {
    const root = await sealPayload(
      { ...admin, role: "root", domain: "iam" },
      { secret, domain: "iam", purpose: "session", maxAgeSeconds: 600, now },
    );
    expect(await unsealSession(root, { secret, domain: "iam", now })).toBeUndefined();
    const flow = await sealPayload(
      { ...admin, domain: "iam" },
      { secret, domain: "iam", purpose: "auth-flow", maxAgeSeconds: 600, now },
    );
    expect(await unsealSession(flow, { secret, domain: "iam", now })).toBeUndefined();
    expect(
      await unsealPayload(flow, { secret, domain: "iam", purpose: "auth-flow", maxAgeSeconds: 600, now }),
    ).toMatchObject({ email: "admin@demo.user" });
  });

  it("derives distinct keys per domain and purpose", () => {
    const keys = [
      deriveKey(secret, "iam", "session"),
      deriveKey(secret, "ciam", "session"),
      deriveKey(secret, "iam", "auth-flow"),
    ].map((k) => Buffer.from(k).toString("hex"));
    expect(new Set(keys).size).toBe(3);
    expect(keys.every((k) => k.length === 64)).toBe(true);
  });
});
