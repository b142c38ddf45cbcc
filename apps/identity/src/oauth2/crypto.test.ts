import { describe, expect, it } from "vitest";
import type { ClientRecord } from "./clients/model.ts";
import { decryptAtRest, deriveKeys, encryptAtRest, seal, unseal } from "./crypto.ts";
import type { OAuth2 } from "./runtime.ts";
import { scopeAllowed, splitList } from "./scope.ts";
import { clientSubject } from "./subjects.ts";

const OLD = "old-cipher-secret-0123456789abcd";
const NEW = "new-cipher-secret-0123456789abcd";

describe("sealed challenges", () => {
  it("open only with their purpose", async () => {
    const keys = deriveKeys([NEW]);
    const token = await seal(keys.flow, "login_challenge", { id: "a", n: 1 });
    expect(await unseal(keys.flow, "login_challenge", token)).toEqual({ id: "a", n: 1 });
    expect(await unseal(keys.flow, "consent_verifier", token)).toBeUndefined();
  });

  it("refuse tampering and foreign keys, and open after the cipher secret was rotated", async () => {
    const old = deriveKeys([OLD]);
    const token = await seal(old.flow, "login_verifier", { id: "b" });
    const parts = token.split(".");
    parts[3] = `${parts[3]!.slice(0, -2)}AA`;
    expect(await unseal(old.flow, "login_verifier", parts.join("."))).toBeUndefined();
    expect(await unseal(deriveKeys([NEW]).flow, "login_verifier", token)).toBeUndefined();
    expect(await unseal(deriveKeys([NEW, OLD]).flow, "login_verifier", token)).toEqual({ id: "b" });
  });

  it("derive different keys per purpose", () => {
    const keys = deriveKeys([NEW]);
    expect(keys.flow[0]!.key.equals(keys.token[0]!.key)).toBe(false);
    expect(keys.jwk[0]!.key.equals(keys.clientSecret[0]!.key)).toBe(false);
  });
});

describe("encryption at rest", () => {
  it("round-trips, is bound to its context, and survives rotation", () => {
    const old = deriveKeys([OLD]);
    const sealed = encryptAtRest(old.jwk, "set/kid", "private key");
    expect(sealed).toMatch(/^v1:[0-9a-f]{8}:/);
    expect(decryptAtRest(old.jwk, "set/kid", sealed)).toBe("private key");
    expect(decryptAtRest(old.jwk, "set/other", sealed)).toBeUndefined();
    expect(decryptAtRest(deriveKeys([NEW, OLD]).jwk, "set/kid", sealed)).toBe("private key");
    expect(decryptAtRest(deriveKeys([NEW]).jwk, "set/kid", sealed)).toBeUndefined();
  });
});

describe("scopes", () => {
  it("split into distinct values", () => {
    expect(splitList("  openid  email openid ")).toEqual(["openid", "email"]);
    expect(splitList(undefined)).toEqual([]);
  });

  it("follow Hydra's wildcard strategy", () => {
    const allowed = ["openid", "photos.*", "admin"];
    expect(scopeAllowed("wildcard", allowed, "openid")).toBe(true);
    expect(scopeAllowed("wildcard", allowed, "photos.read")).toBe(true);
    expect(scopeAllowed("wildcard", allowed, "photos.read.all")).toBe(true);
    expect(scopeAllowed("wildcard", allowed, "photos")).toBe(false);
    expect(scopeAllowed("wildcard", allowed, "admin.users")).toBe(false);
    expect(scopeAllowed("exact", allowed, "photos.read")).toBe(false);
  });
});

describe("subject identifiers", () => {
  const o2 = { cfg: { subject_identifiers: { pairwise: { salt: "some-salt-value" } } } } as unknown as OAuth2;
  const client = (id: string, redirect: string, type: "public" | "pairwise") =>
    ({
      id,
      data: { subject_type: type, sector_identifier_uri: "", redirect_uris: [redirect] },
    }) as unknown as ClientRecord;

  it("are the subject for public clients and a per-sector hash for pairwise ones", () => {
    expect(clientSubject(o2, client("a", "https://a.example/cb", "public"), "user-1")).toBe("user-1");
    const one = clientSubject(o2, client("a", "https://a.example/cb", "pairwise"), "user-1");
    const sameSector = clientSubject(o2, client("b", "https://a.example/other", "pairwise"), "user-1");
    const otherSector = clientSubject(o2, client("c", "https://c.example/cb", "pairwise"), "user-1");
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(sameSector).toBe(one);
    expect(otherSector).not.toBe(one);
    expect(clientSubject(o2, client("a", "https://a.example/cb", "pairwise"), "user-1", "forced")).toBe(
      "forced",
    );
  });
});
