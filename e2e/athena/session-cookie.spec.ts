import { expect, test } from "@playwright/test";
import { api, athenaUrl, mintSession, setSessionCookie, signInThroughIam, stack } from "./support.ts";

/** The `athena-session` cookie: refused when forged, expired or sealed by the other domain's instance. */
test.describe("athena-session", () => {
  const refused = async (page: import("@playwright/test").Page, domain: "iam" | "ciam" = "iam") => {
    const res = await api(page, domain, "GET", "/api/identities");
    expect(res.status()).toBe(401);
    expect((await res.json()).error.id).toBe("unauthenticated");
    await page.goto(`${athenaUrl(domain)}/identities`);
    await expect(page).toHaveURL(`${athenaUrl(domain)}/signin?return_to=%2Fidentities`);
    await expect(page.getByRole("link", { name: "Sign in with Olympus IAM" })).toBeVisible();
  };

  test("without a cookie, pages send you to sign in and APIs answer 401", async ({ page }) => {
    await refused(page);
  });

  test("a forged cookie is refused", async ({ page, context }) => {
    const genuine = await mintSession("iam", "admin");
    // Garbage, a JWE under another key, a tampered genuine one, an unsigned JWT claiming admin.
    const parts = genuine.split(".");
    const tampered = [
      ...parts.slice(0, 3),
      `${parts[3]!.slice(0, -2)}${parts[3]!.endsWith("A") ? "B" : "A"}A`,
      parts[4],
    ].join(".");
    const other = await (await import("../../apps/athena/src/lib/session/seal.ts")).sealSession(
      {
        sub: stack().users.admin,
        email: "admin@demo.user",
        name: "x",
        role: "admin",
        iss: "http://localhost:4102",
      },
      { secret: "another-secret-that-is-32-bytes-long!!", domain: "iam" },
    );
    const unsigned = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify({ sub: stack().users.admin, role: "admin", domain: "iam", exp: 4102444800 })).toString("base64url")}.`;
    for (const value of ["forged", other, tampered, unsigned]) {
      await setSessionCookie(context, value);
      await refused(page);
    }
    // The genuine one works, so the refusals above are about the cookie, not the stack.
    await setSessionCookie(context, genuine);
    expect((await api(page, "iam", "GET", "/api/identities")).status()).toBe(200);
  });

  test("an expired cookie is refused", async ({ page, context }) => {
    const nineHoursAgo = Math.floor(Date.now() / 1000) - 9 * 3600;
    await setSessionCookie(context, await mintSession("iam", "admin", { now: nineHoursAgo }));
    await refused(page);
    await setSessionCookie(
      context,
      await mintSession("iam", "admin", { now: Math.floor(Date.now() / 1000) - 120, maxAgeSeconds: 60 }),
    );
    await refused(page);
  });

  test("a cookie sealed by Athena CIAM is not accepted by Athena IAM (and vice versa)", async ({
    page,
    context,
  }) => {
    // Both instances run with the same secret here: the separation comes from the per-domain key.
    await setSessionCookie(context, await mintSession("ciam", "admin"));
    expect((await api(page, "ciam", "GET", "/api/identities")).status()).toBe(200);
    await refused(page, "iam");
    await setSessionCookie(context, await mintSession("iam", "admin"));
    expect((await api(page, "iam", "GET", "/api/identities")).status()).toBe(200);
    await refused(page, "ciam");
  });

  test("after a real sign-in to Athena CIAM, Athena IAM still asks to sign in", async ({ page, context }) => {
    await signInThroughIam(page, "ciam", "admin");
    const cookie = (await context.cookies(athenaUrl("ciam"))).find((c) => c.name === "athena-session")!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    expect(cookie.expires - Date.now() / 1000).toBeLessThanOrEqual(8 * 3600 + 5);
    // localhost shares cookies across ports: the IAM instance receives the CIAM cookie and refuses it.
    await refused(page, "iam");
  });

  test("state-changing calls from another origin are refused even with a valid session", async ({
    page,
    context,
  }) => {
    await setSessionCookie(context, await mintSession("iam", "admin"));
    const res = await page.request.fetch(`${athenaUrl("iam")}/api/identities/bulk`, {
      method: "POST",
      headers: { origin: "http://localhost:4000", "content-type": "application/json" },
      data: JSON.stringify({ action: "revoke_sessions", ids: [stack().users.viewer] }),
    });
    expect(res.status()).toBe(403);
    expect((await res.json()).error.id).toBe("cross_origin_request");
  });

  test("pages carry a nonce CSP that forbids framing", async ({ page }) => {
    const res = await page.goto(`${athenaUrl("iam")}/signin`);
    const csp = res!.headers()["content-security-policy"]!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res!.headers()["x-frame-options"]).toBe("DENY");
  });
});
