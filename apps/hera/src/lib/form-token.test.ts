import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { formToken, isSameOriginRequest, verifyFormToken } from "./form-token";

const secret = randomBytes(32);

describe("form tokens", () => {
  it("verify for the same purpose and binding only", () => {
    const t = formToken(secret, "consent", "challenge-1");
    expect(verifyFormToken(secret, t, "consent", "challenge-1")).toBe(true);
    expect(verifyFormToken(secret, t, "consent", "challenge-2")).toBe(false);
    expect(verifyFormToken(secret, t, "logout", "challenge-1")).toBe(false);
    expect(verifyFormToken(randomBytes(32), t, "consent", "challenge-1")).toBe(false);
  });
  it("reject missing and malformed tokens", () => {
    expect(verifyFormToken(secret, undefined, "consent", "c")).toBe(false);
    expect(verifyFormToken(secret, "", "consent", "c")).toBe(false);
    expect(verifyFormToken(secret, ["x"], "consent", "c")).toBe(false);
    expect(verifyFormToken(secret, "short", "consent", "c")).toBe(false);
  });
});

describe("isSameOriginRequest", () => {
  const hera = "http://localhost:3000";
  it("accepts Hera's own origin and refuses others", () => {
    expect(isSameOriginRequest(new Headers({ origin: hera }), hera)).toBe(true);
    expect(isSameOriginRequest(new Headers({ origin: "http://evil.example" }), hera)).toBe(false);
    expect(isSameOriginRequest(new Headers({ origin: "null" }), hera)).toBe(false);
  });
  it("falls back to Sec-Fetch-Site without an Origin header", () => {
    expect(isSameOriginRequest(new Headers({ "sec-fetch-site": "same-origin" }), hera)).toBe(true);
    expect(isSameOriginRequest(new Headers({ "sec-fetch-site": "cross-site" }), hera)).toBe(false);
    expect(isSameOriginRequest(new Headers(), hera)).toBe(true);
  });
});
