import { expect, type Page, test } from "@playwright/test";
import { IDENTITY_PUBLIC_URL } from "./stack.ts";
import { PASSWORD, uniqueEmail, verifyWithCode } from "./support.ts";
import {
  DUMMY_TOKEN,
  type SiteverifyStandIn,
  startSiteverify,
  TEST_SECRET_PASS,
  TEST_SITE_KEY,
  TURNSTILE_SCRIPT,
} from "./turnstile.ts";

/*
 * Cloudflare Turnstile with its documented test keys (site key 1x00000000000000000000AA, secret
 * 1x0000000000000000000000000000000AA), on a stack started with captcha on (hera/captcha.config.ts).
 * Hera renders the widget @ory/elements-react builds from the core's captcha nodes; the core refuses
 * a submission without a token (message 4000038) and verifies tokens at siteverify — here a local
 * stand-in, since this machine has no internet (hera/turnstile.ts).
 */

const TURNSTILE_API = "https://challenges.cloudflare.com/turnstile/v0/api.js";
let siteverify: SiteverifyStandIn;

test.beforeAll(async () => {
  const port = Number(process.env.SITEVERIFY_PORT);
  if (!port) throw new Error("SITEVERIFY_PORT is not set: run this spec with hera/captcha.config.ts");
  siteverify = await startSiteverify(port);
});
test.afterAll(() => siteverify?.close());

/** Cloudflare cannot be reached here: its script either fails (as offline) or is the stand-in. */
async function turnstileScript(page: Page, mode: "offline" | "stand-in"): Promise<void> {
  await page.route(`${TURNSTILE_API}*`, (route) =>
    mode === "offline"
      ? route.abort("internetdisconnected")
      : route.fulfill({ contentType: "text/javascript", body: TURNSTILE_SCRIPT }),
  );
}

type Flow = {
  id: string;
  ui: { nodes: { group: string; attributes: { name?: string; value?: unknown } }[] };
};

function turnstileOptions(flow: Flow): { sitekey: string; action: string; response_field_name: string } {
  const node = flow.ui.nodes.find(
    (n) => n.group === "captcha" && n.attributes.name === "captcha_turnstile_options",
  );
  expect(node, "the flow carries the captcha_turnstile_options node").toBeTruthy();
  return JSON.parse(String(node!.attributes.value));
}

for (const kind of ["registration", "login"] as const) {
  test(`${kind}: Hera renders the Turnstile widget with the test site key`, async ({ page }) => {
    await turnstileScript(page, "offline");
    await page.goto(`/${kind}`);
    await expect(page).toHaveURL(new RegExp(`/${kind}\\?flow=`));
    // The flow Hera renders carries the core's captcha node with the site key and the flow as action.
    const flowId = new URL(page.url()).searchParams.get("flow")!;
    const res = await page.request.get(`/.ory/self-service/${kind}/flows?id=${flowId}`);
    const options = turnstileOptions((await res.json()) as Flow);
    expect(options).toMatchObject({
      sitekey: TEST_SITE_KEY,
      action: kind,
      response_field_name: "transient_payload.captcha_turnstile_response",
    });
    // The widget container inside the form, and Cloudflare's script (blocked here: no internet).
    const form = page
      .locator("form")
      .filter({ has: page.locator('input[name="csrf_token"]') })
      .last();
    await expect(form.locator("#cf-turnstile")).toHaveCount(1);
    await expect(page.locator("script#cf-turnstile-script")).toHaveAttribute(
      "src",
      new RegExp(`^${TURNSTILE_API.replace(/[.?/]/g, "\\$&")}\\?`),
    );
    // Hera's CSP lets exactly that origin load and frame the widget.
    const csp = (await page.request.get(`/${kind}`)).headers()["content-security-policy"] ?? "";
    expect(csp).toMatch(/script-src[^;]*https:\/\/challenges\.cloudflare\.com/);
    expect(csp).toMatch(/frame-src[^;]*https:\/\/challenges\.cloudflare\.com/);
  });
}

test("the core refuses a submission without a Turnstile token (4000038) and accepts one with it", async () => {
  for (const kind of ["registration", "login"] as const) {
    const flow = (await (await fetch(`${IDENTITY_PUBLIC_URL}/self-service/${kind}/api`)).json()) as Flow;
    expect(turnstileOptions(flow).sitekey).toBe(TEST_SITE_KEY);
    const email = uniqueEmail(`captcha-api-${kind}`);
    const body =
      kind === "registration"
        ? { method: "password", traits: { email }, password: PASSWORD }
        : { method: "password", identifier: email, password: PASSWORD };
    const submit = (extra: Record<string, unknown>) =>
      fetch(`${IDENTITY_PUBLIC_URL}/self-service/${kind}?flow=${flow.id}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ ...body, ...extra }),
      });
    const before = siteverify.calls.length;
    const refused = await submit({});
    expect(refused.status, kind).toBe(400);
    const ui = ((await refused.json()) as { ui: { messages?: { id: number }[] } }).ui;
    expect(ui.messages?.map((m) => m.id)).toContain(4000038);
    // Without a token the core does not even ask siteverify.
    expect(siteverify.calls.length).toBe(before);

    const res = await submit({ transient_payload: { captcha_turnstile_response: DUMMY_TOKEN } });
    expect(siteverify.calls.slice(before)).toEqual([
      expect.objectContaining({ secret: TEST_SECRET_PASS, response: DUMMY_TOKEN }),
    ]);
    const answer = (await res.json()) as { ui?: { messages?: { id: number }[] } };
    // Past the captcha: registration succeeds; login of an unknown email fails on the credentials.
    if (kind === "registration") expect(res.status, JSON.stringify(answer)).toBe(200);
    else expect(answer.ui?.messages?.map((m) => m.id)).toEqual([4000006]);
  }
});

test("a customer signs up and signs in through the widget: the token reaches siteverify", async ({
  page,
  context,
}) => {
  await turnstileScript(page, "stand-in");
  const email = uniqueEmail("captcha");
  const before = siteverify.calls.length;
  await page.goto("/registration");
  const widget = page.locator("#cf-turnstile");
  await expect(widget).toHaveAttribute("data-turnstile-sitekey", TEST_SITE_KEY);
  await page.getByLabel("Email").fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up", exact: true }).click();
  await expect(page).toHaveURL(/\/verification\?flow=/);
  expect(siteverify.calls.slice(before)).toEqual([
    expect.objectContaining({ secret: TEST_SECRET_PASS, response: DUMMY_TOKEN }),
  ]);
  await verifyWithCode(page, email);
  await context.clearCookies();

  await page.goto("/login");
  await expect(page.locator("#cf-turnstile")).toHaveAttribute("data-turnstile-sitekey", TEST_SITE_KEY);
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
  await expect(page.getByTestId("identity-email")).toHaveText(email);
  expect(siteverify.calls.length).toBe(before + 2);
});

test("without the widget's token nothing gets past: the form waits, a plain form post is refused (4000038)", async ({
  page,
  browser,
}) => {
  const email = uniqueEmail("captcha-offline");
  // Scripts on, Cloudflare unreachable: @ory/elements-react holds the form until the widget is ready.
  await turnstileScript(page, "offline");
  await page.goto("/login");
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await expect(page.getByRole("button", { name: /^sign in( with password)?$/i })).toBeDisabled();

  // Scripts off: the server-rendered form posts without a token, and the core refuses it.
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  try {
    const plain = await noJs.newPage();
    await plain.goto("/login");
    const form = plain.locator("main form").filter({ visible: true });
    await form.getByLabel("Email or username").fill(email);
    await form.getByLabel("Password").fill(PASSWORD);
    const before = siteverify.calls.length;
    await form.getByRole("button", { name: /^sign in( with password)?$/i }).click();
    await expect(plain).toHaveURL(/\/login\?flow=/);
    await expect(
      plain.getByRole("alert").filter({ hasText: "Captcha verification failed, please try again." }),
    ).toBeVisible();
    expect(siteverify.calls.length).toBe(before);
  } finally {
    await noJs.close();
  }
});
