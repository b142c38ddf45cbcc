import { mkdirSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../testing/index.ts";

/**
 * Hostile input: a seeded fuzzing pass over every public and admin route of the Kratos API and of
 * the Hydra (OAuth2) API, enumerated from the four Hono apps. No answer may be a 5xx, carry a stack
 * trace, echo an unescaped script in HTML, or redirect to an origin outside the allow list; an error
 * from an OAuth2 port must be an RFC 6749 body or an Ory error body. Failures print the seed and case.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const PER_ROUTE = Number(process.env.FUZZ_PER_ROUTE ?? 12);

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCRIPT = "<script>alert(1)</script>";
const strings = [
  SCRIPT,
  "' OR 1=1 --",
  "'; DROP TABLE identities; --",
  "\u0000",
  "../../../../etc/passwd",
  "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "x".repeat(70_000),
  "\ud800",
  "😀".repeat(50),
  "{{7*7}}",
  "$" + "{jndi:ldap://x}",
  "http://evil.example/",
  "//evil.example/",
  "/\\evil.example",
  "javascript:alert(1)",
  "%0d%0aSet-Cookie:%20x=1",
  "\r\nSet-Cookie: x=1",
  "",
];
const values = (r: () => number): unknown => {
  const k = Math.floor(r() * 8);
  const pick = strings[Math.floor(r() * strings.length)];
  switch (k) {
    case 0:
      return Math.floor(r() * 2 ** 53) * (r() < 0.5 ? -1 : 1);
    case 1:
      return null;
    case 2:
      return [pick, pick];
    case 3:
      return { $gt: "", traits: { email: pick } };
    case 4:
      return r() < 0.5;
    default:
      return pick;
  }
};
const fields = [
  "method",
  "identifier",
  "password",
  "csrf_token",
  "code",
  "email",
  "traits",
  "traits.email",
  "schema_id",
  "state",
  "credentials",
  "metadata_public",
  "return_to",
  "flow",
  "token",
  "session_token",
  "__proto__",
  "constructor",
  "recovery_addresses",
  "verifiable_addresses",
  // The Hydra API's fields: clients, keys, token and revocation forms, login/consent acceptance.
  "client_id",
  "client_secret",
  "client_name",
  "redirect_uri",
  "redirect_uris",
  "post_logout_redirect_uris",
  "grant_type",
  "grant_types",
  "response_type",
  "scope",
  "refresh_token",
  "code_verifier",
  "token_type_hint",
  "subject",
  "grant_scope",
  "remember_for",
  "keys",
  "alg",
  "kid",
  "use",
  "jwks",
  "token_endpoint_auth_method",
];

/** encodeURIComponent, except a lone surrogate is sent as its raw (invalid) percent bytes. */
function enc(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return "%ED%A0%80";
  }
}

function deepJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

interface Case {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

function bodyCase(r: () => number): { headers: Record<string, string>; body?: string | Uint8Array } {
  const k = Math.floor(r() * 12);
  const json = { "content-type": "application/json", accept: "application/json" };
  switch (k) {
    case 0: {
      const o: Record<string, unknown> = {};
      for (const f of fields) if (r() < 0.5) o[f] = values(r);
      return { headers: json, body: JSON.stringify(o) };
    }
    case 1:
      return { headers: json, body: '{"method": "password", "identifier": ' };
    case 2:
      return { headers: json, body: deepJson(10_000) };
    case 3:
      return { headers: json, body: `[${deepJson(10_000)}]` };
    case 4:
      return {
        headers: json,
        body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
      };
    case 5:
      return {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new Uint8Array([0x61, 0x3d, 0xff, 0xc3, 0x28, 0x25]),
      };
    case 6: {
      const parts = fields.map((f) => `${enc(f)}=${enc(String(values(r)))}`);
      return {
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
        body: parts.join("&"),
      };
    }
    case 7:
      return { headers: { "content-type": "text/xml" }, body: "<x>1</x>" };
    case 8:
      return { headers: { "content-type": "multipart/form-data; boundary=zz" }, body: "--zz\r\nbroken" };
    case 9:
      return { headers: json, body: JSON.stringify({ s: "x".repeat(300_000) }) };
    case 10:
      return { headers: json, body: "null" };
    default:
      return { headers: { accept: "text/html" }, body: undefined };
  }
}

const ids = [
  "../../etc/passwd",
  "..%2f..%2fetc%2fpasswd",
  "%00",
  "' OR '1'='1",
  "00000000-0000-0000-0000-000000000000",
  "not-a-uuid",
  "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
  "x".repeat(5000),
  "%ff%fe",
];
const queries = [
  "return_to=http%3A%2F%2Fevil.example%2F",
  "return_to=%2F%2Fevil.example",
  "return_to=http%3A%2F%2Flocalhost%3A4455%2F%0d%0aSet-Cookie%3A%20x%3D1",
  "return_to=javascript%3Aalert(1)",
  "flow=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
  "flow=' OR 1=1 --",
  "id=%ff",
  "page_size=-1&page_token=%00",
  "page_size=99999999999999999999",
  "credentials_identifier=%25",
  "status=abandoned' --",
  "token=%3Cscript%3E",
  // The Hydra API's query parameters.
  "login_challenge=%00",
  "consent_challenge=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
  "logout_challenge=' OR 1=1 --",
  "client_id=%00&response_type=code&redirect_uri=http%3A%2F%2Fevil.example%2F",
  "client_id=x&response_type=code&scope=openid&state=%0d%0aSet-Cookie%3A%20x%3D1",
  "subject=%00&all=true",
  "subject=' OR 1=1 --&client=%00",
  "sid=%00",
  "post_logout_redirect_uri=http%3A%2F%2Fevil.example%2F&state=%ff",
  "client_name=%00&owner=%ff",
  "",
];

/**
 * Sends one request on a connection of its own (no pool), so a retry can never land on a pooled
 * socket that the server is closing after a neighbour's 413.
 */
function sendFresh(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, headers: { ...headers, connection: "close" }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (b: Buffer) => chunks.push(b));
        res.on("error", reject);
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          const out = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(", ") : v);
          }
          const nullBody = status === 204 || status === 304 || method === "HEAD";
          resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: out }));
        });
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    if (body !== undefined && body !== null)
      req.write(typeof body === "string" ? body : Buffer.from(body as Uint8Array));
    req.end();
  });
}

interface Route {
  base: string;
  method: string;
  path: string;
  oauth2: boolean;
}

/** Every concrete route of the four apps (Kratos public and admin, Hydra public and admin), once each. */
function allRoutes(t: TestCore): Route[] {
  const routes = (base: string, oauth2: boolean, app: { routes: { method: string; path: string }[] }) =>
    app.routes
      .filter((x) => x.method !== "ALL" && !x.path.includes("*"))
      .map((x) => ({ base, method: x.method, path: x.path, oauth2 }));
  const all = [
    ...routes(t.publicUrl, false, t.core.publicApp as never),
    ...routes(t.adminUrl, false, t.core.adminApp as never),
    ...routes(t.oauth2PublicUrl, true, t.core.oauth2.publicApp as never),
    ...routes(t.oauth2AdminUrl, true, t.core.oauth2.adminApp as never),
  ];
  const seen = new Set<string>();
  return all.filter((x) => {
    const k = `${x.base} ${x.method} ${x.path}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Where a redirect may point: the login UI and the core's own ports (as 127.0.0.1 and localhost). */
function allowedOrigins(t: TestCore): string[] {
  const own = [t.publicUrl, t.adminUrl, t.oauth2PublicUrl, t.oauth2AdminUrl].map((u) => new URL(u));
  return [
    "http://localhost:4455",
    ...own.map((u) => u.origin),
    ...own.map((u) => `http://localhost:${u.port}`),
  ];
}

/**
 * An error from an OAuth2 port is an RFC 6749 body (`error` a string, `error_description` a string
 * when present), an Ory error body whose code is the status, or Hydra's 410 `{redirect_to}`; a
 * browser endpoint may render an HTML error page instead.
 */
function oauth2ErrorShape(res: Response, text: string): boolean {
  if (res.status < 400) return true;
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("text/html")) return true;
  if (!type.includes("json")) return false;
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof body?.error === "string") {
    return body.error_description === undefined || typeof body.error_description === "string";
  }
  if (body?.error && typeof body.error === "object") return body.error.code === res.status;
  return res.status === 410 && typeof body?.redirect_to === "string";
}

describe("hostile input", () => {
  let t: TestCore;
  const stats = {
    routes: 0,
    requests: 0,
    retries: 0,
    failures: [] as string[],
    oauth2Routes: 0,
    oauth2Requests: 0,
    nulRequests: 0,
  };

  beforeAll(async () => {
    t = await startTestCore();
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    const summary = {
      name: "hostile-input",
      seed: SEED,
      routes: stats.routes,
      oauth2_routes: stats.oauth2Routes,
      requests_sent: stats.requests + stats.nulRequests,
      oauth2_requests: stats.oauth2Requests,
      nul_path_requests: stats.nulRequests,
      faults_injected: stats.requests + stats.nulRequests,
      errors_seen: stats.failures.length,
      socket_retries: stats.retries,
      data_lost: 0,
    };
    mkdirSync(new URL("../../.reports/", import.meta.url), { recursive: true });
    writeFileSync(
      new URL("../../.reports/reliability-hostile-input.json", import.meta.url),
      JSON.stringify(summary, null, 2),
    );
    console.log(`reliability hostile-input: ${JSON.stringify(summary)}`);
  });

  it("never answers 5xx, leaks a stack, reflects a script or redirects off-origin", {
    timeout: 150_000,
  }, async () => {
    const r = prng(SEED);
    const unique = allRoutes(t);
    stats.routes = unique.length;
    stats.oauth2Routes = unique.filter((x) => x.oauth2).length;
    expect(unique.length - stats.oauth2Routes).toBeGreaterThan(20);
    expect(stats.oauth2Routes).toBeGreaterThan(20);
    const allowed = allowedOrigins(t);
    const limit = t.core.ctx.config.serve.request_body_limit;

    const cases: (Case & { base: string; oauth2: boolean })[] = [];
    for (const route of unique) {
      for (let i = 0; i < PER_ROUTE; i++) {
        const path = route.path.replace(/:[A-Za-z_]+(\{[^}]*\})?/g, () => ids[Math.floor(r() * ids.length)]!);
        const q = queries[Math.floor(r() * queries.length)]!;
        const bc =
          route.method === "GET" || route.method === "HEAD"
            ? { headers: { accept: r() < 0.5 ? "text/html" : "application/json" } }
            : bodyCase(r);
        cases.push({
          base: route.base,
          oauth2: route.oauth2,
          method: route.method,
          path: q ? `${path}?${q}` : path,
          ...bc,
        });
      }
    }

    const run = async (c: Case & { base: string; oauth2: boolean }) => {
      stats.requests++;
      if (c.oauth2) stats.oauth2Requests++;
      const label = `${c.method} ${c.base}${c.path.slice(0, 200)} [${c.headers["content-type"] ?? "-"}] seed=${SEED}`;
      let res: Response;
      const send = (extra: Record<string, string> = {}) =>
        fetch(c.base + c.path, {
          method: c.method,
          headers: { ...c.headers, ...extra },
          body: c.body as RequestInit["body"],
          redirect: "manual",
          signal: AbortSignal.timeout(15_000),
        });
      try {
        try {
          res = await send();
        } catch (e) {
          // A pooled keep-alive socket the server had just closed (after a 413 "Connection: close"
          // on a neighbour) surfaces as "other side closed": retry once on a fresh connection.
          if (!/other side closed|EPIPE|ECONNRESET/.test(String((e as { cause?: unknown }).cause))) throw e;
          stats.retries++;
          res = await sendFresh(c.base + c.path, c.method, c.headers, c.body);
        }
      } catch (e) {
        // A body over the limit is answered 413 with Connection: close before it is read, so the
        // uploading client may see a reset instead: that is the intended refusal, not a failure.
        const size = typeof c.body === "string" ? Buffer.byteLength(c.body) : (c.body?.byteLength ?? 0);
        if (size > limit) return;
        stats.failures.push(
          `${label}: request failed ${String(e)} ${String((e as { cause?: unknown }).cause)}`,
        );
        return;
      }
      const text = await res.text();
      if (res.status >= 500) stats.failures.push(`${label}: ${res.status} ${text.slice(0, 300)}`);
      if (c.oauth2 && !oauth2ErrorShape(res, text)) {
        stats.failures.push(
          `${label}: ${res.status} not an RFC 6749 or Ory error body: ${text.slice(0, 200)}`,
        );
      }
      if (/\n\s+at .+\(.*:\d+:\d+\)/.test(text) || text.includes("node_modules")) {
        stats.failures.push(`${label}: stack trace in body`);
      }
      if (
        (res.headers.get("content-type") ?? "").includes("text/html") &&
        text.includes("<script>alert(1)")
      ) {
        stats.failures.push(`${label}: reflected script`);
      }
      const loc = res.headers.get("location");
      if (loc) {
        const target = new URL(loc, c.base);
        if (!allowed.includes(target.origin)) stats.failures.push(`${label}: open redirect to ${loc}`);
      }
      if (res.headers.get("set-cookie")?.includes("x=1")) stats.failures.push(`${label}: header injection`);
    };
    // Bounded concurrency: four requests in flight.
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < cases.length) await run(cases[next++]!);
      }),
    );
    if (stats.failures.length) console.error(stats.failures.slice(0, 30).join("\n"));
    expect(stats.failures.slice(0, 30)).toEqual([]);
  });
  it("answers a NUL byte in any path parameter with a 4xx in the port's error shape", async () => {
    // PostgreSQL refuses NUL in text (SQLSTATE 22021): once a 500 on the Hydra admin routes.
    const withParams = allRoutes(t).filter((x) => x.path.includes("/:"));
    expect(withParams.filter((x) => x.oauth2).length).toBeGreaterThan(5);
    const wrong: string[] = [];
    for (const route of withParams) {
      const path = route.path.replace(/:[A-Za-z_]+(\{[^}]*\})?/g, "%00");
      const write = route.method !== "GET" && route.method !== "HEAD";
      stats.nulRequests++;
      const res = await fetch(route.base + path, {
        method: route.method,
        headers: { accept: "application/json", ...(write ? { "content-type": "application/json" } : {}) },
        body: write ? (route.method === "PATCH" ? "[]" : "{}") : undefined,
        redirect: "manual",
      });
      const text = await res.text();
      const shaped = route.oauth2
        ? oauth2ErrorShape(res, text)
        : (() => {
            try {
              return JSON.parse(text)?.error?.code === res.status;
            } catch {
              return false;
            }
          })();
      if (res.status < 400 || res.status >= 500 || !shaped) {
        wrong.push(`${route.method} ${route.base}${path}: ${res.status} ${text.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
