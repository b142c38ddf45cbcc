import { type APIResponse, type BrowserContext, expect, type Page, type TestInfo } from "@playwright/test";
import { type AthenaSession, sealSession } from "../../apps/athena/src/lib/session/seal.ts";
import { athenaUrl, type Domain, kratosPublicUrl, PASSWORD, type StackInfo } from "./stack.ts";

export { athenaUrl, PASSWORD };

/** What the global setup started. */
export function stack(): StackInfo {
  const raw = process.env.ATHENA_E2E_STACK;
  if (!raw) throw new Error("ATHENA_E2E_STACK is not set: the global setup did not run");
  return JSON.parse(raw) as StackInfo;
}

export type Role = "admin" | "viewer";
const EMAIL: Record<Role, string> = { admin: "admin@demo.user", viewer: "viewer@demo.user" };

/** The real sign-in: Athena → IAM /oauth2/auth → Hera IAM login → consent (skipped) → Athena callback. */
export async function signInThroughIam(page: Page, domain: Domain, role: Role): Promise<void> {
  await page.goto(`${athenaUrl(domain)}/`);
  await expect(page).toHaveURL(/\/signin/);
  await page.getByRole("link", { name: "Sign in with Olympus IAM" }).click();
  await expect(page).toHaveURL(/localhost:4000\/login/);
  await page.getByLabel(/email/i).first().fill(EMAIL[role]);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
  await expect(page).toHaveURL(`${athenaUrl(domain)}/`);
  await expect(page.getByTestId("role-badge")).toHaveText(role);
}

/** A session cookie sealed with the instance secret, as Athena's callback would seal it. */
export function mintSession(
  domain: Domain,
  role: Role,
  overrides: Partial<AthenaSession> & { maxAgeSeconds?: number; now?: number } = {},
) {
  const { maxAgeSeconds, now, ...fields } = overrides;
  const s = stack();
  return sealSession(
    { sub: s.users[role], email: EMAIL[role], name: role, role, iss: "http://localhost:4102", ...fields },
    { secret: s.secret, domain: (fields.domain as Domain | undefined) ?? domain, maxAgeSeconds, now },
  );
}

export async function setSessionCookie(context: BrowserContext, value: string): Promise<void> {
  await context.addCookies([
    { name: "athena-session", value, domain: "localhost", path: "/", httpOnly: true, sameSite: "Lax" },
  ]);
}

/**
 * Signs in as the seeded administrator or viewer, through IAM and nothing else: a broken sign-in
 * fails every spec that needs one (the stack does not start without the IAM provider).
 */
export async function signIn(page: Page, domain: Domain, role: Role, _info?: TestInfo): Promise<void> {
  await signInThroughIam(page, domain, role);
}

/** Calls Athena's API from the page's context (its cookies) as a same-origin browser call would. */
export function api(
  page: Page,
  domain: Domain,
  method: string,
  path: string,
  body?: unknown,
): Promise<APIResponse> {
  return page.request.fetch(`${athenaUrl(domain)}${path}`, {
    method,
    headers: {
      origin: athenaUrl(domain),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { data: JSON.stringify(body) } : {}),
    maxRedirects: 0,
  });
}

/** Signs in to the identity core's public API (native flow), returning the session token. */
export async function nativeLogin(
  domain: Domain,
  identifier: string,
  password: string,
): Promise<{ ok: boolean; token?: string; status: number }> {
  const flow = (await (await fetch(`${kratosPublicUrl(domain)}/self-service/login/api`)).json()) as {
    id: string;
  };
  const res = await fetch(`${kratosPublicUrl(domain)}/self-service/login?flow=${flow.id}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ method: "password", identifier, password }),
  });
  const body = (await res.json().catch(() => ({}))) as { session_token?: string };
  return { ok: res.ok, status: res.status, ...(body.session_token ? { token: body.session_token } : {}) };
}

/** A fresh address per test, so specs never depend on each other's identities. */
export function uniqueEmail(tag: string): string {
  return `athena-${tag}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;
}
