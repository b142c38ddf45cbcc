import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, securityHeaders } from "./security-headers";

const base = { nonce: "abc123", captcha: false, development: false, https: false };

describe("contentSecurityPolicy", () => {
  it("allows scripts by nonce only and forbids framing", () => {
    const csp = contentSecurityPolicy(base);
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toContain("form-action");
    expect(csp).not.toContain("challenges.cloudflare.com");
  });
  it("lets Turnstile load and frame only when captcha is on", () => {
    const csp = contentSecurityPolicy({ ...base, captcha: true });
    expect(csp).toMatch(/script-src [^;]*https:\/\/challenges\.cloudflare\.com/);
    expect(csp).toContain("frame-src https://challenges.cloudflare.com");
  });
  it("upgrades insecure requests over https only", () => {
    expect(contentSecurityPolicy({ ...base, https: true })).toContain("upgrade-insecure-requests");
    expect(contentSecurityPolicy(base)).not.toContain("upgrade-insecure-requests");
  });
});

describe("securityHeaders", () => {
  it("sends HSTS only in production over https", () => {
    expect(securityHeaders({ production: true, https: true })["strict-transport-security"]).toMatch(
      /max-age=\d+/,
    );
    expect(securityHeaders({ production: true, https: false })["strict-transport-security"]).toBeUndefined();
    expect(securityHeaders({ production: false, https: true })["strict-transport-security"]).toBeUndefined();
  });
  it("always sets the referrer policy and nosniff", () => {
    expect(securityHeaders({ production: false, https: false })).toMatchObject({
      "referrer-policy": "strict-origin-when-cross-origin",
      "x-content-type-options": "nosniff",
    });
  });
});
