import { expect, it } from "vitest";
import { contentSecurityPolicy, createNonce, securityHeaders } from "./security.mjs";

const directives = (csp: string) => new Map(csp.split("; ").map((d) => [d.split(" ")[0]!, d]));

it("gives every page scripts by nonce only, no plugins, no framing, no <base> hijacking", () => {
  const csp = directives(contentSecurityPolicy({ nonce: "abc", development: false }));
  expect(csp.get("script-src")).toBe("script-src 'self' 'nonce-abc' 'strict-dynamic'");
  expect(csp.get("object-src")).toBe("object-src 'none'");
  expect(csp.get("frame-ancestors")).toBe("frame-ancestors 'none'");
  expect(csp.get("base-uri")).toBe("base-uri 'self'");
  expect(csp.has("form-action")).toBe(false);
  expect(csp.has("upgrade-insecure-requests")).toBe(false);
});

it("adds eval in development, script sources after the nonce, and upgrades over https", () => {
  const csp = directives(
    contentSecurityPolicy({ nonce: "n", development: true, https: true, scriptSrc: ["https://x.test"] }),
  );
  expect(csp.get("script-src")).toBe(
    "script-src 'self' 'nonce-n' 'strict-dynamic' 'unsafe-eval' https://x.test",
  );
  expect(csp.has("upgrade-insecure-requests")).toBe(true);
});

it("lets an app replace a directive or add one, keeping the rest", () => {
  const csp = directives(
    contentSecurityPolicy({
      nonce: "n",
      development: false,
      directives: { "frame-src": ["'self'"], "worker-src": ["'self'"] },
    }),
  );
  expect(csp.get("frame-src")).toBe("frame-src 'self'");
  expect(csp.get("worker-src")).toBe("worker-src 'self'");
  expect(csp.get("default-src")).toBe("default-src 'self'");
});

it("sends nosniff, no framing and the app's policies; HSTS only on production https", () => {
  const base = { referrerPolicy: "same-origin" as const, denyFeatures: ["camera", "usb"] };
  expect(securityHeaders({ ...base, production: false, https: false })).toEqual({
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), usb=()",
  });
  expect(securityHeaders({ ...base, production: true, https: true, isolateOpener: true })).toMatchObject({
    "cross-origin-opener-policy": "same-origin",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
  });
  expect(securityHeaders({ ...base, production: true, https: false })).not.toHaveProperty(
    "strict-transport-security",
  );
  expect(securityHeaders({ ...base, production: true, https: true, hsts: false })).not.toHaveProperty(
    "strict-transport-security",
  );
});

it("makes fresh 128-bit nonces", () => {
  const a = createNonce();
  expect(Buffer.from(a, "base64")).toHaveLength(16);
  expect(createNonce()).not.toBe(a);
});
