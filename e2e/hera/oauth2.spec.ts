import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { expect, type Page, test } from "@playwright/test";
import { OAUTH2_ADMIN_URL, OAUTH2_PUBLIC_URL } from "./stack.ts";
import { createVerifiedUser, PASSWORD } from "./support.ts";

/**
 * The OAuth2 round trip through Hera's /login, /consent and /logout against the core's Hydra API.
 * These run only when the core serves that API: until then each test is skipped with the reason
 * (there is nothing to stand in for it without faking the provider).
 */
const REDIRECT_URI = "http://127.0.0.1:3999/callback";
const POST_LOGOUT_URI = "http://127.0.0.1:3999/signed-out";

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

let discovery: Discovery | undefined;
let unavailable: string | undefined;
let clientId = "";

test.beforeAll(async () => {
  try {
    const res = await fetch(`${OAUTH2_PUBLIC_URL}/.well-known/openid-configuration`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    discovery = (await res.json()) as Discovery;
  } catch (e) {
    unavailable = `the identity core serves no Hydra public API yet (${OAUTH2_PUBLIC_URL}/.well-known/openid-configuration: ${(e as Error).message})`;
    return;
  }
  const res = await fetch(`${OAUTH2_ADMIN_URL}/admin/clients`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Hera e2e app",
      redirect_uris: [REDIRECT_URI],
      post_logout_redirect_uris: [POST_LOGOUT_URI],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      scope: "openid email profile offline_access",
      token_endpoint_auth_method: "none",
      skip_consent: false,
    }),
  });
  if (res.status !== 201)
    throw new Error(`creating the OAuth2 client: HTTP ${res.status} ${await res.text()}`);
  clientId = ((await res.json()) as { client_id: string }).client_id;
});

/**
 * The client's callback: a real server on 127.0.0.1:3999. Intercepting it in the browser is not
 * enough — Chromium reaches it through the core's 303, and Playwright does not route redirect targets
 * on every Chromium version (Debian's 156 connects directly).
 */
let callbackServer: Server | undefined;
test.beforeAll(async () => {
  callbackServer = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("client callback");
  });
  await new Promise<void>((resolve, reject) => {
    callbackServer!.once("error", reject);
    callbackServer!.listen(3999, "127.0.0.1", resolve);
  });
});
test.afterAll(async () => {
  await new Promise<void>((resolve) => (callbackServer ? callbackServer.close(() => resolve()) : resolve()));
});

/** Starts an authorization request (PKCE S256) and returns its verifier. */
async function authorize(page: Page, scope = "openid email profile"): Promise<string> {
  const verifier = randomBytes(32).toString("base64url");
  const url = new URL(discovery!.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope,
    state: randomBytes(12).toString("hex"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  await page.goto(url.toString());
  return verifier;
}

async function callbackParams(page: Page): Promise<URLSearchParams> {
  await page.waitForURL((u) => u.toString().startsWith(REDIRECT_URI));
  return new URL(page.url()).searchParams;
}

async function redeem(code: string, verifier: string): Promise<Record<string, unknown>> {
  const tokens = await redeemTokens(code, verifier);
  return JSON.parse(Buffer.from(tokens.id_token.split(".")[1]!, "base64url").toString("utf8"));
}

/** The token response for an authorization code. */
async function redeemTokens(
  code: string,
  verifier: string,
): Promise<{ id_token: string; access_token: string; refresh_token?: string }> {
  const res = await fetch(discovery!.token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT_URI,
      client_id: clientId,
      code_verifier: verifier,
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { id_token: string; access_token: string; refresh_token?: string };
}

/** A refresh-token grant: its HTTP status and body. */
async function refresh(refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(discovery!.token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: clientId,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test("Allow: sign in through Hera, consent, and the ID token carries the identity's claims", async ({
  page,
  context,
}) => {
  // The platform is complete: a missing piece fails the spec instead of skipping it.
  expect(unavailable, unavailable).toBeFalsy();
  const email = await createVerifiedUser(context, "oauth2");

  const verifier = await authorize(page);
  // No identity session yet: Hera starts the core's login flow carrying the challenge.
  await expect(page).toHaveURL(/localhost:3000\/login\?flow=/);
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();

  await expect(page).toHaveURL(/localhost:3000\/consent\?consent_challenge=/);
  await expect(
    page.getByRole("heading", { name: "Hera e2e app wants to access your account" }),
  ).toBeVisible();
  await expect(page.getByText("Your email address").first()).toBeVisible();
  await page.getByRole("button", { name: "Allow" }).click();

  const params = await callbackParams(page);
  expect(params.get("error")).toBeNull();
  const claims = await redeem(params.get("code")!, verifier);
  expect(claims).toMatchObject({ email, email_verified: true });
  expect(typeof claims.sub).toBe("string");
});

test("Rich authorization request: the consent page lists each detail's type and fields; the tokens carry them", async ({
  page,
  context,
}) => {
  expect(unavailable, unavailable).toBeFalsy();
  const created = await fetch(`${OAUTH2_ADMIN_URL}/admin/clients`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Hera e2e bank",
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      scope: "openid email",
      token_endpoint_auth_method: "none",
      authorization_details_types: ["payment_initiation"],
    }),
  });
  expect(created.status).toBe(201);
  const bank = ((await created.json()) as { client_id: string }).client_id;
  const detail = {
    type: "payment_initiation",
    actions: ["initiate", "status"],
    locations: ["https://bank.example.com/payments"],
    instructedAmount: { currency: "EUR", amount: "123.50" },
    creditorName: "<b>Merchant A</b>",
  };
  const email = await createVerifiedUser(context, "oauth2rar");
  const verifier = randomBytes(32).toString("base64url");
  const url = new URL(discovery!.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: bank,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: "openid email",
    state: randomBytes(12).toString("hex"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    authorization_details: JSON.stringify([detail]),
  }).toString();
  await page.goto(url.toString());
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();

  await expect(page).toHaveURL(/\/consent\?consent_challenge=/);
  await expect(
    page.getByRole("heading", { name: "It also asks for these specific permissions:" }),
  ).toBeVisible();
  const shown = page.getByTestId("authorization-detail");
  await expect(shown).toHaveCount(1);
  await expect(shown.locator("strong")).toHaveText("payment_initiation");
  // The common fields under their names, every other field as name and value (text, never markup).
  const facts = await shown.locator("dt, dd").allInnerTexts();
  expect(facts).toEqual([
    "Actions",
    "initiate, status",
    "Locations",
    "https://bank.example.com/payments",
    "creditorName",
    "<b>Merchant A</b>",
    "instructedAmount",
    "currency: EUR, amount: 123.50",
  ]);
  await expect(shown.locator("b")).toHaveCount(0);
  await page.getByRole("button", { name: "Allow" }).click();

  const params = await callbackParams(page);
  expect(params.get("error")).toBeNull();
  const res = await fetch(discovery!.token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: params.get("code")!,
      redirect_uri: REDIRECT_URI,
      client_id: bank,
      code_verifier: verifier,
    }),
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { authorization_details?: unknown }).authorization_details).toEqual([detail]);
});

/** An authorization request of the e2e app with extra parameters; returns its PKCE verifier. */
async function authorizeWith(page: Page, extra: Record<string, string>): Promise<string> {
  const verifier = randomBytes(32).toString("base64url");
  const url = new URL(discovery!.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: "openid email",
    state: randomBytes(12).toString("hex"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    ...extra,
  }).toString();
  await page.goto(url.toString());
  return verifier;
}

test("max_age=0: a signed-in user is asked for the password again, and auth_time is the new login's", async ({
  page,
  context,
}) => {
  expect(unavailable, unavailable).toBeFalsy();
  const email = await createVerifiedUser(context, "oauth2maxage");
  let verifier = await authorizeWith(page, {});
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
  await page.getByRole("button", { name: "Allow" }).click();
  const first = await redeem((await callbackParams(page)).get("code")!, verifier);
  expect(typeof first.auth_time).toBe("number");
  await page.waitForTimeout(1100);

  // The identity session is live, yet max_age=0 sends the user to a login that asks for the password.
  verifier = await authorizeWith(page, { max_age: "0" });
  await expect(page).toHaveURL(/localhost:3000\/login\?flow=/);
  const password = page.locator('input[name="password"]');
  await expect(password).toBeVisible();
  const identifier = page.getByLabel(/email/i).first();
  if ((await identifier.isVisible()) && (await identifier.isEditable()) && !(await identifier.inputValue())) {
    await identifier.fill(email);
  }
  await password.fill(PASSWORD);
  await page.getByRole("button", { name: /^(sign in|continue)( with password)?$/i }).click();
  await page.getByRole("button", { name: "Allow" }).click();
  const params = await callbackParams(page);
  expect(params.get("error")).toBeNull();
  const again = await redeem(params.get("code")!, verifier);
  expect(again.sub).toBe(first.sub);
  expect(again.auth_time as number).toBeGreaterThan(first.auth_time as number);
  // acr is the identity session's authenticator assurance level (a password: aal1).
  expect(again.acr).toBe("aal1");
});

test("an essential acr the login can not reach (aal2 for a password-only user) fails with unmet_authentication_requirements", async ({
  page,
  context,
}) => {
  expect(unavailable, unavailable).toBeFalsy();
  const email = await createVerifiedUser(context, "oauth2acr");
  await authorizeWith(page, {
    claims: JSON.stringify({ id_token: { acr: { essential: true, values: ["aal2"] } } }),
  });
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
  const params = await callbackParams(page);
  expect(params.get("error")).toBe("unmet_authentication_requirements");
  expect(params.get("code")).toBeNull();
});

test("Deny: the client receives access_denied", async ({ page, context }) => {
  // The platform is complete: a missing piece fails the spec instead of skipping it.
  expect(unavailable, unavailable).toBeFalsy();
  const email = await createVerifiedUser(context, "oauth2deny");

  await authorize(page);
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
  await expect(page).toHaveURL(/\/consent\?consent_challenge=/);
  await page.getByRole("button", { name: "Deny" }).click();
  expect((await callbackParams(page)).get("error")).toBe("access_denied");
});

test("RP-initiated logout: Hera confirms, ends the identity session and returns to the client", async ({
  page,
  context,
}) => {
  // The platform is complete: a missing piece fails the spec instead of skipping it.
  expect(unavailable, unavailable).toBeFalsy();
  expect(discovery?.end_session_endpoint, "the provider advertises an end_session_endpoint").toBeTruthy();
  const email = await createVerifiedUser(context, "oauth2logout");

  const verifier = await authorize(page);
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
  await page.getByRole("button", { name: "Allow" }).click();
  const params = await callbackParams(page);
  const res = await fetch(discovery!.token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: params.get("code")!,
      redirect_uri: REDIRECT_URI,
      client_id: clientId,
      code_verifier: verifier,
    }),
  });
  const { id_token } = (await res.json()) as { id_token: string };

  const logout = new URL(discovery!.end_session_endpoint!);
  logout.search = new URLSearchParams({
    id_token_hint: id_token,
    post_logout_redirect_uri: POST_LOGOUT_URI,
  }).toString();
  await page.goto(logout.toString());
  await expect(page).toHaveURL(/localhost:3000\/logout\?logout_challenge=/);
  await page.getByRole("button", { name: "Yes, sign me out" }).click();
  await page.waitForURL((u) => u.toString().startsWith(POST_LOGOUT_URI));

  await page.goto("http://localhost:3000/");
  await expect(page).toHaveURL(/\/login/);
});

test("Connected apps: settings list the app the user allowed; removing it revokes the client's refresh token", async ({
  page,
  context,
}) => {
  expect(unavailable, unavailable).toBeFalsy();
  const email = await createVerifiedUser(context, "apps");
  const verifier = await authorize(page, "openid email offline_access");
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
  await expect(page).toHaveURL(/localhost:3000\/consent\?consent_challenge=/);
  await page.getByRole("button", { name: "Allow" }).click();
  const tokens = await redeemTokens((await callbackParams(page)).get("code")!, verifier);
  expect(typeof tokens.refresh_token).toBe("string");
  const first = await refresh(tokens.refresh_token!);
  expect(first.status).toBe(200);

  await page.goto("http://localhost:3000/settings");
  const app = page.getByTestId("connected-app").filter({ hasText: "Hera e2e app" });
  await expect(app).toHaveCount(1);
  await expect(app).toContainText("Stay signed in");

  // Hostile posts change nothing: a forged form token, a cross-site origin, a subject in the form
  // (the subject is always the session's identity).
  const forged = await page.request.post("http://localhost:3000/settings/apps", {
    headers: { origin: "http://localhost:3000" },
    form: { csrf_token: "forged", client_id: clientId, subject: "someone-else" },
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(403);
  const crossSite = await page.request.post("http://localhost:3000/settings/apps", {
    headers: { origin: "http://evil.example" },
    form: { csrf_token: "x", client_id: clientId },
    maxRedirects: 0,
  });
  expect(crossSite.status()).toBe(400);
  await page.reload();
  await expect(app).toHaveCount(1);
  await app.getByRole("button", { name: "Remove access for Hera e2e app" }).click();
  await expect(page).toHaveURL(/localhost:3000\/settings/);
  await expect(page.getByTestId("connected-app").filter({ hasText: "Hera e2e app" })).toHaveCount(0);
  await expect(page.getByText("You have not allowed any apps to use your account.")).toBeVisible();

  // The client's rotated refresh token is refused now (RFC 6749 body).
  const after = await refresh(first.body.refresh_token as string);
  expect(after.status).toBe(400);
  expect(after.body.error).toBe("invalid_grant");
});

test("An unknown client gets a page that says so in plain words, with the error code and no advice to wait", async ({
  page,
}) => {
  expect(unavailable, unavailable).toBeFalsy();
  const url = new URL(discovery!.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: "no-such-client",
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: "openid",
    state: "s",
  }).toString();
  await page.goto(url.toString());
  await expect(page).toHaveURL(/localhost:3000\/error\?/);
  const box = page.getByTestId("oauth2-error");
  await expect(box).toContainText("is not registered with us");
  await expect(page.getByTestId("oauth2-error-code")).toHaveText("Error code: invalid_client");
  await expect(box).not.toContainText("few minutes");
  await expect(page.getByRole("link", { name: "Back to sign in" })).toBeVisible();
});
