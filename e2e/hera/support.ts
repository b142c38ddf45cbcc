import { randomBytes } from "node:crypto";
import { type BrowserContext, expect, type Page } from "@playwright/test";

/** A mail as MailDev's REST API lists it. */
interface CaughtMail {
  id: string;
  subject: string;
  text?: string;
  to: { address: string }[];
  date?: string;
}

function mailApi(): string {
  const url = process.env.MAIL_API_URL;
  if (!url) throw new Error("MAIL_API_URL is not set: the global setup did not run");
  return url;
}

/** A fresh address for one test, so specs never depend on each other's accounts. */
export function uniqueEmail(tag: string): string {
  return `hera-${tag}-${Date.now().toString(36)}${randomBytes(3).toString("hex")}@example.com`;
}

export const PASSWORD = "Correct-Horse-Battery-9";

/**
 * Waits for the newest mail to `to` whose subject contains `subjectHas` and returns the 6-digit
 * code in it. `after` skips mails that were already there (a second recovery mail, say).
 */
export async function codeFromMail(
  to: string,
  subjectHas: string,
  after: Set<string> = new Set(),
): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${mailApi()}/email`);
    if (!res.ok) throw new Error(`MailDev: HTTP ${res.status}`);
    const mails = ((await res.json()) as CaughtMail[])
      .filter((m) => !after.has(m.id))
      .filter((m) => m.to.some((t) => t.address.toLowerCase() === to.toLowerCase()))
      .filter((m) => m.subject.toLowerCase().includes(subjectHas.toLowerCase()))
      .reverse();
    const code = mails[0]?.text?.match(/\b(\d{6})\b/)?.[1];
    if (code) return code;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no "${subjectHas}" mail with a code reached ${to} within 30s`);
}

/** Ids of the mails already caught for `to` (to tell a new mail from an old one). */
export async function mailIds(to: string): Promise<Set<string>> {
  const res = await fetch(`${mailApi()}/email`);
  const mails = (await res.json()) as CaughtMail[];
  return new Set(mails.filter((m) => m.to.some((t) => t.address === to)).map((m) => m.id));
}

/** Collects console errors and uncaught exceptions of a page, to assert a clean console. */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`${m.text()} @ ${m.location().url}`);
  });
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}

/** Signs up through /registration and lands on the verification page the core sends us to. */
export async function signUp(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/registration");
  await expect(page).toHaveURL(/\/registration\?flow=/);
  await page.getByLabel("Email").fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole("button", { name: "Sign up", exact: true }).click();
  await expect(page).toHaveURL(/\/verification\?flow=/);
}

/** Enters the emailed verification code on the verification page and confirms. */
export async function verifyWithCode(page: Page, email: string): Promise<void> {
  const code = await codeFromMail(email, "verify");
  await page.getByLabel(/verification code/i).fill(code);
  await page
    .getByRole("button", { name: /continue|verify|submit/i })
    .first()
    .click();
  await expect(page.getByText(/successfully verified/i)).toBeVisible();
}

/** Fills and submits the sign-in form (password method); does not wait for the outcome. */
export async function submitLogin(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/login");
  await expect(page).toHaveURL(/\/login\?flow=/);
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
}

/** Signs in and waits for the signed-in landing page. */
export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await submitLogin(page, email, password);
  await expect(page.getByTestId("identity-email")).toHaveText(email);
}

/** Whether the landing page shows `email` as the signed-in identity. */
export async function expectSignedInAs(page: Page, email: string): Promise<void> {
  await page.goto("/");
  await expect(page.getByTestId("identity-email")).toHaveText(email);
}

/** A verified customer account created through the UI, signed out again. */
export async function createVerifiedUser(
  context: BrowserContext,
  tag: string,
  password = PASSWORD,
): Promise<string> {
  const email = uniqueEmail(tag);
  const page = await context.newPage();
  await signUp(page, email, password);
  await verifyWithCode(page, email);
  await page.close();
  await context.clearCookies();
  return email;
}

/** A text message as the SMS sink lists it (`GET /api/sms`). */
interface CaughtSms {
  id: string;
  to: string;
  body: string;
}

function smsApi(): string {
  const url = process.env.SMS_API_URL;
  if (!url) throw new Error("SMS_API_URL is not set: the global setup did not run");
  return url;
}

/** Ids of the texts already caught for `to` (to tell a new text from an old one). */
export async function smsIds(to: string): Promise<Set<string>> {
  const res = await fetch(`${smsApi()}?to=${encodeURIComponent(to)}`);
  if (!res.ok) throw new Error(`SMS sink: HTTP ${res.status}`);
  return new Set(((await res.json()) as CaughtSms[]).map((m) => m.id));
}

/** Waits for a new text to `to` (one not in `after`) and returns the 6-digit code in it. */
export async function codeFromSms(to: string, after: Set<string> = new Set()): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${smsApi()}?to=${encodeURIComponent(to)}`);
    if (!res.ok) throw new Error(`SMS sink: HTTP ${res.status}`);
    const texts = ((await res.json()) as CaughtSms[]).filter((m) => !after.has(m.id)).reverse();
    const code = texts[0]?.body.match(/\b(\d{6})\b/)?.[1];
    if (code) return code;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no text with a code reached ${to} within 30s`);
}
