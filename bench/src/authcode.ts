// One full OAuth2 authorization-code flow with PKCE, as a relying party and a login/consent app (Hera)
// drive it: authorize → login request → login accept → consent request → consent accept → callback →
// token. Cookies the provider sets on the browser's side are carried between the browser steps.
import { createHash, randomBytes } from "node:crypto";

export interface AuthCodeTarget {
  oauth2PublicUrl: string;
  oauth2AdminUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

class Browser {
  private readonly cookies = new Map<string, string>();

  async get(url: string): Promise<URL> {
    const res = await fetch(url, {
      redirect: "manual",
      headers: this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } : {},
    });
    await res.arrayBuffer();
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    const location = res.headers.get("location");
    if (res.status !== 302 && res.status !== 303) throw new Error(`GET ${url}: HTTP ${res.status}`);
    return new URL(location!, url);
  }
}

async function admin(url: string, init?: { method: "PUT"; body: unknown }): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: init?.method ?? "GET",
    headers: { "content-type": "application/json" },
    body: init ? JSON.stringify(init.body) : undefined,
  });
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** Runs one flow to the token response; throws on any unexpected answer. */
export async function authorizationCodeFlow(t: AuthCodeTarget, subject: string): Promise<void> {
  const browser = new Browser();
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const auth = new URL(`${t.oauth2PublicUrl}/oauth2/auth`);
  for (const [k, v] of Object.entries({
    client_id: t.clientId,
    response_type: "code",
    redirect_uri: t.redirectUri,
    scope: "openid",
    state: randomBytes(12).toString("hex"),
    nonce: randomBytes(12).toString("hex"),
    code_challenge: challenge,
    code_challenge_method: "S256",
  }))
    auth.searchParams.set(k, v);

  const toLogin = await browser.get(auth.href);
  const loginChallenge = toLogin.searchParams.get("login_challenge");
  if (!loginChallenge) throw new Error(`authorize did not ask for a login: ${toLogin.href}`);
  const adm = `${t.oauth2AdminUrl}/admin/oauth2/auth/requests`;
  await admin(`${adm}/login?login_challenge=${encodeURIComponent(loginChallenge)}`);
  const login = await admin(`${adm}/login/accept?login_challenge=${encodeURIComponent(loginChallenge)}`, {
    method: "PUT",
    body: { subject, remember: false },
  });
  const toConsent = await browser.get(login.redirect_to as string);
  const consentChallenge = toConsent.searchParams.get("consent_challenge");
  if (!consentChallenge) throw new Error(`login did not lead to consent: ${toConsent.href}`);
  const consentReq = await admin(`${adm}/consent?consent_challenge=${encodeURIComponent(consentChallenge)}`);
  const consent = await admin(
    `${adm}/consent/accept?consent_challenge=${encodeURIComponent(consentChallenge)}`,
    { method: "PUT", body: { grant_scope: consentReq.requested_scope, remember: false } },
  );
  const callback = await browser.get(consent.redirect_to as string);
  const code = callback.searchParams.get("code");
  if (!code) throw new Error(`no code at the callback: ${callback.href}`);
  const res = await fetch(`${t.oauth2PublicUrl}/oauth2/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(t.clientId)}:${encodeURIComponent(t.clientSecret)}`).toString("base64")}`,
    },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: t.redirectUri,
      code_verifier: verifier,
    }),
  });
  const body = (await res.json()) as { access_token?: string; id_token?: string };
  if (!res.ok || !body.access_token || !body.id_token) {
    throw new Error(`token: HTTP ${res.status} ${JSON.stringify(body)}`);
  }
}
