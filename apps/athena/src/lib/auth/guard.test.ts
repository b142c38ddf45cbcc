import { describe, expect, it } from "vitest";
import type { AthenaSession } from "../session/seal";
import { authorize, canWrite, checkOrigin, confirmLiveRole } from "./guard";

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
    expect(confirmLiveRole(base, { role: "admin", active: true })).toBeUndefined();
  });
  it("refuses a demoted admin with 403 and a removed or inactive one with 401", () => {
    expect(confirmLiveRole(base, { role: "viewer", active: true })).toMatchObject({ status: 403 });
    expect(confirmLiveRole(base, { role: undefined, active: true })).toMatchObject({ status: 403 });
    expect(confirmLiveRole(base, { role: "admin", active: false })).toMatchObject({ status: 401 });
    expect(confirmLiveRole(base, undefined)).toMatchObject({ status: 401 });
  });
});
