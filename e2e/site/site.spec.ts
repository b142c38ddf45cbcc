import { expect, test } from "@playwright/test";

/** The Site's own pages in a real browser: landing, docs with search, headers, the playground's first step. */

test.skip(
  !process.env.OLYMPUS_SITE_E2E_READY,
  "run with `playwright test -c site/playwright.config.ts` (the Site's stack)",
);

const ciamBlocked = process.env.OLYMPUS_SITE_E2E_BLOCKED_CIAM;

test("landing page: what Olympus is, with security headers and no script errors", async ({ page }) => {
  const problems: string[] = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(e.message));
  const res = await page.goto("/");
  const csp = res!.headers()["content-security-policy"]!;
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res!.headers()["x-content-type-options"]).toBe("nosniff");
  expect(res!.headers()["referrer-policy"]).toBe("same-origin");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Two identity domains" })).toBeVisible();
  await expect(page.getByText("npm start", { exact: false }).first()).toBeVisible();
  await page.getByRole("link", { name: "Read the docs" }).click();
  await expect(page).toHaveURL(/\/docs$/);
  expect(problems).toEqual([]);
});

test("docs: sidebar navigation, rewritten links, search", async ({ page }) => {
  await page.goto("/docs/getting-started");
  await expect(page.getByRole("heading", { level: 1, name: "Getting started" })).toBeVisible();
  const sidebar = page.getByRole("navigation", { name: "Documentation" });
  await expect(sidebar.getByRole("link", { name: "Getting started" })).toHaveAttribute(
    "aria-current",
    "page",
  );
  // A markdown link to architecture.md is served as /docs/architecture.
  await page.locator("article").getByRole("link", { name: "architecture", exact: true }).first().click();
  await expect(page).toHaveURL(/\/docs\/architecture$/);

  await page.getByLabel("Search the docs").fill("argon2id");
  const results = page.locator(".search-results a");
  await expect(results.first()).toBeVisible();
  await results.filter({ hasText: "Security" }).first().click();
  await expect(page).toHaveURL(/\/docs\/security(#[a-z0-9-]+)?$/);
  await expect(page.getByRole("heading", { level: 1, name: "Security" })).toBeVisible();

  const missing = await page.goto("/docs/no-such-page");
  expect(missing!.status()).toBe(404);
});

test("playground: preparing a request keeps verifier, state and nonce in an HttpOnly cookie, not in storage", async ({
  page,
  context,
}) => {
  await page.goto("/playground");
  await expect(page.getByText("site-playground-ciam", { exact: true }).first()).toBeVisible();
  await expect(page.getByText("site-playground-iam", { exact: true }).first()).toBeVisible();
  await page.getByLabel("prompt").first().focus();
  await page.keyboard.press("Tab");
  await expect(page.locator("#prepare-ciam")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/playground\?domain=ciam/);

  const flow = (await context.cookies()).find((c) => c.name === "olympus_site_ciam_flow");
  expect(flow).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/playground" });
  expect(await page.evaluate(() => document.cookie)).not.toContain("olympus_site_");
  expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);

  if (ciamBlocked) {
    // The CIAM provider is missing or incomplete: the request is shown, or the page says in plain words
    // that the identity core cannot be reached.
    await expect(
      page.locator("[data-prepared=ciam], [data-error-code=discovery_failed]").first(),
    ).toBeVisible();
  } else {
    await expect(page.locator("[data-prepared=ciam] [data-param=code_challenge_method] dd")).toHaveText(
      "S256",
    );
  }
});
