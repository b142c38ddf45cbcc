import { expect, type Page, test } from "@playwright/test";
import { OAUTH2_ADMIN_URL, OAUTH2_PUBLIC_URL } from "./stack.ts";
import { createVerifiedUser, PASSWORD } from "./support.ts";

/**
 * The device flow (RFC 8628) through Hera: a device (plain HTTP here, as a TV would) asks the core's
 * OAuth2 provider for a user code; the user opens the verification address in the browser, types the
 * code on Hera's /device page, signs in, allows (or denies) on /consent and ends on /device/success;
 * meanwhile the device polls the token endpoint.
 */
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
let clientId = "";

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  interval: number;
}

test.beforeAll(async () => {
  const res = await fetch(`${OAUTH2_ADMIN_URL}/admin/clients`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Hera e2e TV",
      grant_types: [DEVICE_GRANT, "refresh_token"],
      scope: "openid email offline_access",
      token_endpoint_auth_method: "none",
    }),
  });
  if (res.status !== 201)
    throw new Error(`creating the device client: HTTP ${res.status} ${await res.text()}`);
  clientId = ((await res.json()) as { client_id: string }).client_id;
});

async function startDevice(): Promise<DeviceAuthorization> {
  const res = await fetch(`${OAUTH2_PUBLIC_URL}/oauth2/device/auth`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: clientId, scope: "openid email offline_access" }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as DeviceAuthorization;
}

/** One poll of the token endpoint, as the device makes it every `interval` seconds. */
async function poll(d: DeviceAuthorization): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${OAUTH2_PUBLIC_URL}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: d.device_code, client_id: clientId }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function signInOnHera(page: Page, email: string): Promise<void> {
  await expect(page).toHaveURL(/localhost:3000\/login\?flow=/);
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
}

test("the user types the device's code on Hera, signs in and allows; the device gets tokens", async ({
  page,
  context,
}) => {
  const email = await createVerifiedUser(context, "device");
  const d = await startDevice();
  const first = await poll(d);
  expect(first.body.error).toBe("authorization_pending");
  const polledAt = Date.now();

  await page.goto(d.verification_uri);
  await expect(page).toHaveURL(/localhost:3000\/device\?device_challenge=/);
  await expect(page.getByRole("heading", { name: "Connect a device" })).toBeVisible();
  // Typed the way people do: lower case, a space instead of the dash.
  await page.getByLabel("Device code").fill(d.user_code.toLowerCase().replace("-", " "));
  await page.getByRole("button", { name: "Continue" }).click();

  await signInOnHera(page, email);
  await expect(page).toHaveURL(/localhost:3000\/consent\?consent_challenge=/);
  await expect(page.getByRole("heading", { name: "Hera e2e TV wants to access your account" })).toBeVisible();
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page).toHaveURL(/localhost:3000\/device\/success/);
  await expect(page.getByRole("heading", { name: "Device connected" })).toBeVisible();

  // The device waits its interval since the last poll, then polls again.
  await page.waitForTimeout(Math.max(0, d.interval * 1000 - (Date.now() - polledAt)) + 200);
  const done = await poll(d);
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  expect(done.body.refresh_token).toEqual(expect.stringMatching(/^ory_rt_/));
  const claims = JSON.parse(
    Buffer.from(String(done.body.id_token).split(".")[1]!, "base64url").toString("utf8"),
  ) as Record<string, unknown>;
  expect(claims).toMatchObject({ email, aud: [clientId] });
});

test("a wrong code is refused on the page; Deny reaches the device as access_denied", async ({
  page,
  context,
}) => {
  const email = await createVerifiedUser(context, "devicedeny");
  const d = await startDevice();

  await page.goto(d.verification_uri);
  await page.getByLabel("Device code").fill("BCDF-GHJK");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("That code is not valid")).toBeVisible();
  await expect(page.getByLabel("Device code")).toHaveAttribute("aria-invalid", "true");

  // The link with the code (verification_uri_complete) fills it in.
  await page.goto(d.verification_uri_complete);
  await expect(page.getByLabel("Device code")).toHaveValue(d.user_code);
  await page.getByRole("button", { name: "Continue" }).click();
  await signInOnHera(page, email);
  await page.getByRole("button", { name: "Deny" }).click();
  await expect(page).toHaveURL(/localhost:3000\/device\/success\?.*error=access_denied/);
  await expect(page.getByRole("heading", { name: "Device not connected" })).toBeVisible();

  const answer = await poll(d);
  expect(answer.body.error).toBe("access_denied");
});
