import { describe, expect, it } from "vitest";
import type { AthenaSession } from "../session/seal";
import { applyLiveRole, authorize, canWrite, checkOrigin } from "./guard";
import { principalOf } from "./principal";

const base: AthenaSession = {
  sub: "s",
  email: "a@demo.user",
  name: "A",
  role: "admin",
  domain: "iam",
  iss: "http://localhost:4102",
  exp: 2_000_000_000,
};
const viewer: AthenaSession = { ...base, role: "viewer" };
const headers = (h: Record<string, string>) => new Headers(h);

describe("role guard", () => {
  it("answers 401 without a session", () => {
    expect(authorize(undefined, "read")).toMatchObject({ ok: false, status: 401 });
    expect(authorize(undefined, "write")).toMatchObject({ ok: false, status: 401 });
  });

  it("lets admins read and write", () => {
    expect(authorize(base, "read").ok).toBe(true);
    expect(authorize(base, "write").ok).toBe(true);
    expect(canWrite(base)).toBe(true);
  });

  it("lets viewers read only: writes are 403", () => {
    expect(authorize(viewer, "read").ok).toBe(true);
    expect(authorize(viewer, "write")).toMatchObject({ ok: false, status: 403, code: "forbidden" });
    expect(canWrite(viewer)).toBe(false);
    expect(canWrite(undefined)).toBe(false);
  });

  it("refuses an unknown role", () => {
    const odd = { ...base, role: "root" } as unknown as AthenaSession;
    expect(authorize(odd, "read")).toMatchObject({ ok: false, status: 403 });
  });
});

describe("origin check", () => {
  const url = "http://localhost:4001";
  it("lets safe methods through", () => {
    expect(checkOrigin("GET", headers({ origin: "http://evil.test" }), url)).toBeUndefined();
  });
  it("accepts Athena's own origin or Sec-Fetch-Site same-origin", () => {
    expect(checkOrigin("POST", headers({ origin: "http://localhost:4001" }), url)).toBeUndefined();
    expect(checkOrigin("DELETE", headers({ "sec-fetch-site": "same-origin" }), url)).toBeUndefined();
  });
  it("refuses other ports of localhost (same site, other origin) and missing provenance", () => {
    expect(checkOrigin("POST", headers({ origin: "http://localhost:4000" }), url)).toMatchObject({
      status: 403,
    });
    expect(checkOrigin("POST", headers({ origin: "http://localhost:3001" }), url)).toMatchObject({
      status: 403,
    });
    expect(checkOrigin("PATCH", headers({ "sec-fetch-site": "same-site" }), url)).toMatchObject({
      status: 403,
    });
    expect(checkOrigin("PUT", headers({}), url)).toMatchObject({ status: 403 });
  });
});

describe("live role", () => {
  it("keeps an admin who is still an active admin", () => {
    expect(applyLiveRole(base, { role: "admin", active: true }, "write")).toEqual({
      ok: true,
      session: base,
    });
  });
  it("refuses a demoted admin's writes with 403 and a removed or inactive one with 401", () => {
    expect(applyLiveRole(base, { role: "viewer", active: true }, "write")).toMatchObject({ status: 403 });
    expect(applyLiveRole(base, { role: undefined, active: true }, "write")).toMatchObject({ status: 403 });
    expect(applyLiveRole(base, { role: "admin", active: false }, "write")).toMatchObject({ status: 401 });
    expect(applyLiveRole(base, undefined, "write")).toMatchObject({ status: 401 });
  });
  it("lets a demoted admin read as a viewer, and no one without a role read at all", () => {
    expect(applyLiveRole(base, { role: "viewer", active: true }, "read")).toEqual({
      ok: true,
      session: { ...base, role: "viewer" },
    });
    expect(applyLiveRole(base, { role: undefined, active: true }, "read")).toMatchObject({
      status: 403,
      code: "no_role",
    });
    expect(applyLiveRole(viewer, undefined, "read")).toMatchObject({ status: 401 });
  });
  it("uses the live role over the cookie's: a viewer promoted in IAM writes at once", () => {
    expect(applyLiveRole(viewer, { role: "admin", active: true }, "write")).toMatchObject({
      ok: true,
      session: { role: "admin" },
    });
  });
});

describe("principalOf (the IAM identity as Athena sees it)", () => {
  it("takes the role from metadata_admin only, never from a trait the owner can write", () => {
    expect(
      principalOf({ traits: { email: "v@x", role: "admin" }, metadata_admin: { role: "viewer" } }),
    ).toMatchObject({
      role: "viewer",
    });
    expect(principalOf({ traits: { email: "v@x", role: "admin" } }).role).toBeUndefined();
    expect(
      principalOf({ traits: { role: "admin" }, metadata_public: { role: "admin" } }).role,
    ).toBeUndefined();
    expect(principalOf({ metadata_admin: { role: "root" } }).role).toBeUndefined();
    expect(principalOf({ metadata_admin: ["admin"] }).role).toBeUndefined();
  });
  it("reads state, email and name", () => {
    expect(
      principalOf({
        state: "inactive",
        traits: { email: "a@x", name: { first: "Ada", last: "Admin" } },
        metadata_admin: { role: "admin" },
      }),
    ).toEqual({ role: "admin", active: false, email: "a@x", name: "Ada Admin" });
    expect(principalOf(null)).toEqual({ role: undefined, active: true });
  });
});
