import { createHash, randomBytes } from "node:crypto";
import { expect } from "vitest";
import { CookieJar, startTestCore, type TestCore } from "../testing/index.ts";

/*
 * Helpers for the OAuth2 tests: a core with a fixed cipher secret, a client factory, and a browser
 * (CookieJar) that walks /oauth2/auth → login accept → consent accept → redirect_uri through the
 * admin API, as a login/consent app would.
 */

export const TEST_CIPHER = "oauth2-test-cipher-secret-32char";

export interface OAuth2TestCore extends TestCore {
  issuer: string;
  admin(path: string, init?: RequestInit): Promise<Response>;
}

export async function startOAuth2Core(overrides: Record<string, unknown> = {}): Promise<OAuth2TestCore> {
  const t = await startTestCore({
    overrides: { secrets: { cipher: [TEST_CIPHER] }, ...overrides },
  });
  return {
    ...t,
    issuer: t.core.oauth2.o2.issuer,
    admin: (path, init = {}) =>
      fetch(`${t.oauth2AdminUrl}${path}`, {
        ...init,
        headers: { "content-type": "application/json", ...(init.headers ?? {}) },
      }),
  };
}

export interface TestClient {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  [k: string]: unknown;
}

export const REDIRECT = "http://127.0.0.1:5555/callback";

export async function createClient(
  t: OAuth2TestCore,
  body: Record<string, unknown> = {},
): Promise<TestClient> {
  const res = await t.admin("/admin/clients", {
    method: "POST",
    body: JSON.stringify({
      redirect_uris: [REDIRECT],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      scope: "openid offline_access email profile",
      ...body,
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as TestClient;
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export function location(res: Response): URL {
  const loc = res.headers.get("location");
  expect(loc, `expected a redirect, got ${res.status}`).toBeTruthy();
  return new URL(loc!);
}

export function authorizeUrl(t: OAuth2TestCore, params: Record<string, string>): string {
  const url = new URL("/oauth2/auth", t.oauth2PublicUrl);
  url.search = new URLSearchParams(params).toString();
  return url.toString();
}

export interface FlowOptions {
  scope?: string;
  params?: Record<string, string>;
  subject?: string;
  login?: Record<string, unknown>;
  consent?: Record<string, unknown>;
  jar?: CookieJar;
  usePkce?: boolean;
  /** The final answer is a form_post page (200) rather than a redirect. */
  formPost?: boolean;
}

export interface FlowResult {
  jar: CookieJar;
  callback: URL;
  code: string;
  verifier?: string;
  state: string;
  nonce: string;
  /** The form_post page, when `formPost`. */
  html?: string;
}

/** Runs an authorization request through login and consent (accepted over the admin API). */
export async function runAuthorization(
  t: OAuth2TestCore,
  client: TestClient,
  opts: FlowOptions = {},
): Promise<FlowResult> {
  const jar = opts.jar ?? new CookieJar();
  const { verifier, challenge } = pkce();
  const state = randomBytes(12).toString("hex");
  const nonce = randomBytes(12).toString("hex");
  const usePkce = opts.usePkce ?? true;
  const params: Record<string, string> = {
    client_id: client.client_id,
    response_type: "code",
    redirect_uri: client.redirect_uris[0]!,
    scope: opts.scope ?? "openid offline_access",
    state,
    nonce,
    ...(usePkce ? { code_challenge: challenge, code_challenge_method: "S256" } : {}),
    ...(opts.params ?? {}),
  };
  let res = await jar.fetch(authorizeUrl(t, params));
  expect(res.status, await res.clone().text()).toBe(302);
  const loginChallenge = location(res).searchParams.get("login_challenge")!;
  expect(loginChallenge).toBeTruthy();
  const loginReq = (await (
    await t.admin(`/admin/oauth2/auth/requests/login?login_challenge=${loginChallenge}`)
  ).json()) as {
    skip: boolean;
    subject: string;
  };
  const accepted = await t.admin(
    `/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`,
    {
      method: "PUT",
      body: JSON.stringify({
        subject: loginReq.skip ? loginReq.subject : (opts.subject ?? "user-1"),
        remember: true,
        remember_for: 3600,
        ...(opts.login ?? {}),
      }),
    },
  );
  expect(accepted.status, await accepted.clone().text()).toBe(200);
  res = await jar.fetch(((await accepted.json()) as { redirect_to: string }).redirect_to);
  expect(res.status, await res.clone().text()).toBe(302);
  const consentChallenge = location(res).searchParams.get("consent_challenge")!;
  expect(consentChallenge).toBeTruthy();
  const consentReq = (await (
    await t.admin(`/admin/oauth2/auth/requests/consent?consent_challenge=${consentChallenge}`)
  ).json()) as { requested_scope: string[] };
  const consented = await t.admin(
    `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consentChallenge}`,
    {
      method: "PUT",
      body: JSON.stringify({
        grant_scope: consentReq.requested_scope,
        session: { id_token: { email: "user@example.com" } },
        ...(opts.consent ?? {}),
      }),
    },
  );
  expect(consented.status, await consented.clone().text()).toBe(200);
  res = await jar.fetch(((await consented.json()) as { redirect_to: string }).redirect_to);
  if (opts.formPost) {
    expect(res.status).toBe(200);
    const html = await res.text();
    const code = /name="code" value="([^"]+)"/.exec(html)?.[1] ?? "";
    return { jar, callback: new URL(client.redirect_uris[0]!), code, verifier, state, nonce, html };
  }
  expect(res.status, await res.clone().text()).toBe(302);
  const callback = location(res);
  return {
    jar,
    callback,
    code: callback.searchParams.get("code") ?? "",
    verifier: usePkce ? verifier : undefined,
    state,
    nonce,
  };
}

/** POSTs a form to the token endpoint (client_secret_basic when the client has a secret). */
export async function tokenRequest(
  t: OAuth2TestCore,
  client: TestClient,
  form: Record<string, string>,
): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  const body = new URLSearchParams(form);
  if (client.client_secret) {
    headers.authorization = `Basic ${Buffer.from(
      `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`,
    ).toString("base64")}`;
  } else {
    body.set("client_id", client.client_id);
  }
  return fetch(`${t.oauth2PublicUrl}/oauth2/token`, { method: "POST", headers, body });
}

export async function exchangeCode(
  t: OAuth2TestCore,
  client: TestClient,
  flow: FlowResult,
): Promise<Response> {
  return tokenRequest(t, client, {
    grant_type: "authorization_code",
    code: flow.code,
    redirect_uri: client.redirect_uris[0]!,
    ...(flow.verifier ? { code_verifier: flow.verifier } : {}),
  });
}

export async function introspect(t: OAuth2TestCore, token: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${t.oauth2AdminUrl}/admin/oauth2/introspect`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

export interface DocumentServer {
  /** The absolute URL of a path on this server. */
  url(path: string): string;
  /** Serves `body` at `path` from now on (status 200 unless given). */
  set(path: string, body: string | object, opts?: { status?: number; contentType?: string }): void;
  /** How many times `path` was requested. */
  hits(path: string): number;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 standing for a client's web site: it serves the documents the
 * provider fetches (jwks_uri, sector_identifier_uri, request_uri).
 */
export async function serveDocuments(): Promise<DocumentServer> {
  const { createServer } = await import("node:http");
  const docs = new Map<string, { body: string; status: number; contentType: string }>();
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const doc = docs.get(path);
    if (!doc) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(doc.status, { "content-type": doc.contentType }).end(doc.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set: (path, body, opts = {}) =>
      docs.set(path, {
        body: typeof body === "string" ? body : JSON.stringify(body),
        status: opts.status ?? 200,
        contentType: opts.contentType ?? "application/json",
      }),
    hits: (path) => counts.get(path) ?? 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** POSTs a form to a public OAuth2 endpoint with the given headers. */
export function postForm(
  t: OAuth2TestCore,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${t.oauth2PublicUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form),
  });
}
