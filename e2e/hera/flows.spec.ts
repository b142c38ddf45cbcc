import { expect, test } from "@playwright/test";

test("an unknown or expired flow id restarts the flow cleanly", async ({ page }) => {
  for (const flow of ["login", "registration", "recovery", "verification"]) {
    await page.goto(`/${flow}?flow=00000000-0000-4000-8000-000000000000`);
    await expect(page).toHaveURL(new RegExp(`/${flow}\\?flow=(?!00000000-0000-4000-8000-000000000000)`));
  }
});

test("with JavaScript on, only the elements form shows (the no-script fallback stays hidden)", async ({
  page,
}) => {
  for (const flow of ["login", "registration", "recovery"]) {
    await page.goto(`/${flow}`);
    await expect(page).toHaveURL(new RegExp(`/${flow}\\?flow=`));
    await expect(page.locator("noscript")).toBeHidden();
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered (visible) text is what is checked
    expect(await page.locator("main").innerText()).not.toContain("hera-card-form");
    // Beside it, elements-react renders the social sign-in buttons (the seeds' workforce provider) in
    // a form of their own; apart from that, one form.
    const forms = page.locator("main form").filter({ visible: true });
    await expect(forms.filter({ hasNot: page.locator('button[name="provider"]') })).toHaveCount(1);
  }
});

test("settings without a session sends the browser to sign in", async ({ page }) => {
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login\?flow=/);
});

test("pages carry a nonce-based CSP and the security headers", async ({ request }) => {
  const res = await request.get("/login", { maxRedirects: 0 });
  const h = res.headers();
  expect(h["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(h["x-content-type-options"]).toBe("nosniff");
  // Local http: no HSTS.
  expect(h["strict-transport-security"]).toBeUndefined();
  const again = await request.get("/login", { maxRedirects: 0 });
  expect(again.headers()["content-security-policy"]).not.toBe(h["content-security-policy"]);
});

test("the proxy passes the core's redirect and cookies through untouched", async ({ request }) => {
  const res = await request.get("/.ory/self-service/login/browser", { maxRedirects: 0 });
  expect(res.status()).toBe(303);
  expect(res.headers().location).toMatch(/^http:\/\/localhost:3000\/login\?flow=/);
  expect(res.headers()["set-cookie"]).toMatch(/olympus_ciam_csrf=/);
});
