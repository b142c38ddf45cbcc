import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { codeFromMail, consoleErrors, createVerifiedUser, PASSWORD, uniqueEmail } from "./support.ts";

/** axe's WCAG 2.x A/AA rules on the page as it is now; the list of violations must be empty. */
async function expectNoAxeViolations(page: Page, what: string, exclude: string[] = []): Promise<void> {
  let axe = new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]);
  for (const selector of exclude) axe = axe.exclude(selector);
  const result = await axe.analyze();
  const violations = result.violations.map(
    (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  expect(violations, `axe on ${what}`).toEqual([]);
}

/** The subject of the first mail MailDev catches for `to` (within 30 s). */
async function subjectOfMailTo(to: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const mails = (await (await fetch(`${process.env.MAIL_API_URL}/email`)).json()) as {
      subject: string;
      to: { address: string }[];
    }[];
    const mail = mails.find((m) => m.to.some((t) => t.address.toLowerCase() === to.toLowerCase()));
    if (mail) return mail.subject;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no mail reached ${to} within 30s`);
}

test.describe("a German-speaking browser", () => {
  test.use({ locale: "de-DE" });

  test("signs up, verifies and signs in in German, with lang=de, and axe finds nothing", async ({ page }) => {
    const errors = consoleErrors(page);
    const email = uniqueEmail("de");

    await page.goto("/registration");
    await expect(page).toHaveURL(/\/registration\?flow=/);
    await expect(page.locator("html")).toHaveAttribute("lang", "de");
    await expect(page.getByRole("heading", { name: "Konto erstellen" }).first()).toBeVisible();
    await expect(page.getByText(/Nach der Registrierung senden wir Ihnen einen Code/)).toBeVisible();
    await expect(page.getByRole("button", { name: "Deutsch" })).toHaveAttribute("aria-current", "true");
    // The language trait is not asked: it is filled with the page's language.
    await expect(page.locator('input[name="traits.locale"]')).toHaveValue("de");
    await expectNoAxeViolations(page, "/registration (de)");

    await page.getByLabel("E-Mail", { exact: true }).fill(email);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByRole("button", { name: "Registrieren", exact: true }).click();

    await expect(page).toHaveURL(/\/verification\?flow=/);
    await expect(page.locator("html")).toHaveAttribute("lang", "de");
    await expect(page.getByText(/Sehen Sie in Ihr Postfach/)).toBeVisible();
    // The email is German too (the stored locale trait, set from the page).
    const code = await codeFromMail(email, "Bitte bestätigen Sie Ihre E-Mail-Adresse");
    await page.getByLabel("Verifikationscode").fill(code);
    await page.getByRole("button", { name: "Weiter" }).first().click();
    await expect(page.getByText("Sie haben Ihre E-Mail-Adresse erfolgreich bestätigt.")).toBeVisible();

    await page.context().clearCookies();
    await page.goto("/login");
    await expect(page).toHaveURL(/\/login\?flow=/);
    await expect(page.locator("html")).toHaveAttribute("lang", "de");
    await expect(page.getByRole("heading", { name: "Willkommen zurück" }).first()).toBeVisible();
    await expect(page.getByRole("link", { name: "Passwort vergessen?" })).toBeVisible();
    await expectNoAxeViolations(page, "/login (de)");

    await page.getByLabel("E-Mail oder Benutzername").fill(email);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByRole("button", { name: "Mit Passwort anmelden" }).click();

    await expect(page.getByTestId("identity-email")).toHaveText(email);
    await expect(page.getByRole("heading", { name: "Sie sind angemeldet" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Kontoeinstellungen" })).toBeVisible();
    await expect(page).toHaveTitle(/Olympus/);
    await expectNoAxeViolations(page, "/ (de)");

    // The stored language shows in settings as a choice of our languages, "Deutsch" chosen.
    await page.getByRole("link", { name: "Kontoeinstellungen" }).click();
    await expect(page).toHaveURL(/\/settings\?flow=/);
    await expect(page.getByRole("heading", { name: "Aktive Sitzungen" })).toBeVisible();
    const language = page.locator('select[name="traits.locale"]');
    await expect(language).toHaveValue("de");
    await expect(language.locator("option:checked")).toHaveText("Deutsch");
    expect(errors).toEqual([]);
  });
});

test.describe("a German-speaking browser on a wrong address", () => {
  test.use({ locale: "de-DE" });

  test("gets Hera's 404 in German, with a way back, and axe finds nothing", async ({ page }) => {
    const res = await page.goto("/gibt-es-nicht");
    expect(res?.status()).toBe(404);
    await expect(page.locator("html")).toHaveAttribute("lang", "de");
    await expect(page.getByRole("heading", { name: "Seite nicht gefunden" })).toBeVisible();
    await expect(page).toHaveTitle(/Seite nicht gefunden/);
    await expectNoAxeViolations(page, "404 (de)");
    await page.getByRole("link", { name: "Anmelden" }).click();
    await expect(page).toHaveURL(/\/login\?flow=/);
  });
});

test("the footer's language picker switches the page and remembers the choice", async ({ page }) => {
  await page.goto("/login");
  await expect(page).toHaveURL(/\/login\?flow=/);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { name: "Welcome back" }).first()).toBeVisible();
  const flowUrl = page.url();

  await page.getByRole("button", { name: "Français" }).click();
  // Back on the same flow, now in French.
  await expect(page).toHaveURL(flowUrl);
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { name: "Bon retour" }).first()).toBeVisible();
  await expect(page.getByRole("link", { name: "Mot de passe oublié ?" })).toBeVisible();

  // Remembered across pages, over the browser's English.
  await page.goto("/recovery");
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByText("Vous vous en souvenez ?")).toBeVisible();

  // The picked language reaches the core too: a recovery for an address no account has (no stored
  // language to go by) is mailed in French, although the browser asks for English.
  const nobody = uniqueEmail("picked-fr");
  await page.locator('input[name="email"]').fill(nobody);
  await page.locator('main button[name="method"][value="code"]').click();
  expect(await subjectOfMailTo(nobody)).toContain("tentative d’accès à un compte");

  await page.goto("/recovery");
  await page.getByRole("button", { name: "Português (Brasil)" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "pt-BR");
  await expect(page.getByRole("link", { name: "Voltar para o login" })).toBeVisible();
});

test("the language endpoint refuses foreign origins and unknown languages", async ({ request }) => {
  const foreign = await request.post("/language", {
    form: { lang: "de" },
    headers: { origin: "https://evil.example" },
    maxRedirects: 0,
  });
  expect(foreign.status()).toBe(403);
  const unknown = await request.post("/language", {
    form: { lang: "xx" },
    headers: { origin: "http://localhost:3000" },
    maxRedirects: 0,
  });
  expect(unknown.status()).toBe(400);
  expect((await unknown.json()).error.code).toBe(400);
});

test.describe("dark mode (prefers-color-scheme: dark)", () => {
  test.use({ colorScheme: "dark", locale: "de-DE" });

  /** The relative luminance of a computed `rgb()`/`color(srgb …)` colour, 0 (black) to 1 (white). */
  async function luminanceOf(page: Page, selector: string, property: "backgroundColor" | "color") {
    return page
      .locator(selector)
      .first()
      .evaluate((el, prop) => {
        const probe = document.createElement("canvas").getContext("2d")!;
        probe.fillStyle = getComputedStyle(el)[prop];
        probe.fillRect(0, 0, 1, 1);
        const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
        const lin = (c: number) => {
          const s = c / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
      }, property);
  }

  test("the pages turn dark and axe finds no contrast (or other) violation", async ({ page, browser }) => {
    // The account is made by an English browser (the helpers read English labels).
    const english = await browser.newContext({ locale: "en-US" });
    const email = await createVerifiedUser(english, "dark");
    await english.close();
    for (const path of ["/registration", "/recovery", "/login"]) {
      await page.goto(path);
      await expect(page).toHaveURL(/\?flow=/);
      // The elements card and the page are dark, the text light.
      await expect(page.getByTestId("ory/card")).toBeVisible();
      expect(await luminanceOf(page, "body", "backgroundColor"), `${path} page`).toBeLessThan(0.05);
      expect(
        await luminanceOf(page, '[data-testid="ory/card"]', "backgroundColor"),
        `${path} card`,
      ).toBeLessThan(0.05);
      expect(await luminanceOf(page, "main h2", "color"), `${path} heading`).toBeGreaterThan(0.6);
      await expectNoAxeViolations(page, `${path} (dark)`);
    }
    await page.getByLabel("E-Mail oder Benutzername").fill(email);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByRole("button", { name: "Mit Passwort anmelden" }).click();
    await expect(page.getByTestId("identity-email")).toHaveText(email);
    expect(await luminanceOf(page, ".hera-card", "backgroundColor")).toBeLessThan(0.05);
    await expectNoAxeViolations(page, "/ (dark)");
    await page.goto("/settings");
    await expect(page.getByRole("heading", { name: "Aktive Sitzungen" })).toBeVisible();
    // elements 1.2 renders the TOTP secret (a read-only copy of the key) without a label, in either
    // scheme; a known gap of elements' settings card, left out here and noted in docs/languages.md.
    await expectNoAxeViolations(page, "/settings (dark)", ['input[name="totp_secret_key"]']);
  });
});
