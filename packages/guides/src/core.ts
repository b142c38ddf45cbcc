import { CookieJar, csrfOf, startTestCore, type TestCore } from "@olympus/identity/testing";

/*
 * What the guides' tests share: a real identity core on a fresh database (PostgreSQL when
 * TEST_DATABASE_URL is set, else PGlite), an account with a password, and a browser (a cookie jar)
 * that signs in through the core's browser login flow as Hera's form would.
 */

export const PASSWORD = "guides test passphrase 41";
export const APP = "http://127.0.0.1:4455";

export interface GuideCore extends TestCore {
  issuer: string;
}

export async function startGuideCore(): Promise<GuideCore> {
  const t = await startTestCore({
    overrides: {
      secrets: { cipher: ["guides-test-cipher-secret-32char"] },
      selfservice: {
        default_browser_return_url: `${APP}/`,
        allowed_return_urls: [`${APP}/`],
        flows: { login: { ui_url: `${APP}/login` } },
      },
    },
  });
  return { ...t, issuer: t.core.oauth2.o2.issuer };
}

export async function createPerson(t: TestCore, email: string): Promise<string> {
  const res = await fetch(`${t.adminUrl}/admin/identities`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      schema_id: "default",
      traits: { email },
      credentials: { password: { config: { password: PASSWORD } } },
    }),
  });
  if (res.status !== 201) throw new Error(`creating ${email}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Signs `email` in through the browser login flow; the jar then holds the session cookie. */
export async function browserSignIn(t: TestCore, email: string, jar = new CookieJar()): Promise<CookieJar> {
  const start = await jar.fetch(`${t.publicUrl}/self-service/login/browser`);
  const flowId = new URL(start.headers.get("location")!).searchParams.get("flow")!;
  const flow = (await (await jar.fetch(`${t.publicUrl}/self-service/login/flows?id=${flowId}`)).json()) as {
    ui: { nodes: { attributes: unknown }[] };
  };
  const res = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${flowId}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({
      method: "password",
      identifier: email,
      password: PASSWORD,
      csrf_token: csrfOf(flow),
    }),
  });
  if (res.status !== 200) throw new Error(`signing in ${email}: ${res.status} ${await res.text()}`);
  return jar;
}

export { CookieJar };
