import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OAuth2TestCore, startOAuth2Core } from "../test-helpers.ts";

/**
 * Red-team finding 8: client_uri, logo_uri, policy_uri, tos_uri and post_logout_redirect_uris took
 * `javascript:`. A consent screen renders the first four as links and images, and a signed-out browser
 * is sent to the last: http(s) only. redirect_uris may also be a native app's private-use scheme
 * (RFC 8252 §7.1), never one a browser runs or renders. Checked on create, PUT and PATCH.
 */

let t: OAuth2TestCore;

beforeAll(async () => {
  t = await startOAuth2Core();
});
afterAll(() => t?.stop());

const HOSTILE = [
  "javascript:alert(document.domain)",
  "JavaScript:alert(1)",
  " javascript:alert(1)",
  "java\tscript:alert(1)",
  "java\nscript:alert(1)",
  "javascript://example.com/%0aalert(1)",
  "data:text/html,<script>alert(1)</script>",
  "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
  "vbscript:msgbox(1)",
  "file:///etc/passwd",
  "blob:https://example.com/0d5a0f9e",
  "about:blank",
  "view-source:https://example.com/",
];
const WEB_ONLY = ["client_uri", "logo_uri", "policy_uri", "tos_uri"] as const;
const NOT_WEB = ["com.example.app:/logo.png", "ftp://example.com/tos", "mailto:a@example.com"];

async function send(method: string, path: string, body: unknown) {
  const res = await fetch(`${t.oauth2AdminUrl}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function newClient() {
  const res = await send("POST", "/admin/clients", {
    client_name: "uris",
    redirect_uris: ["https://app.example/cb"],
  });
  expect(res.status).toBe(201);
  return res.body as { client_id: string };
}

/** The three ways to write a field: create, replace, patch. */
async function writes(field: string, value: unknown) {
  const { client_id } = await newClient();
  const base = { client_name: "uris", redirect_uris: ["https://app.example/cb"] };
  return {
    create: await send("POST", "/admin/clients", { ...base, [field]: value }),
    put: await send("PUT", `/admin/clients/${client_id}`, { ...base, [field]: value }),
    patch: await send("PATCH", `/admin/clients/${client_id}`, [{ op: "replace", path: `/${field}`, value }]),
    client_id,
  };
}

function expectRefused(
  results: Awaited<ReturnType<typeof writes>>,
  error: "invalid_client_metadata" | "invalid_redirect_uri",
  label: string,
) {
  for (const how of ["create", "put", "patch"] as const) {
    expect(results[how].status, `${how} ${label}`).toBe(400);
    expect(results[how].body.error, `${how} ${label}`).toBe(error);
    expect(typeof results[how].body.error_description, `${how} ${label}`).toBe("string");
  }
}

describe("client URIs are web addresses or app redirects, never script", () => {
  it("client_uri, logo_uri, policy_uri, tos_uri: http(s) only (invalid_client_metadata)", async () => {
    for (const field of WEB_ONLY) {
      for (const value of [...HOSTILE, ...NOT_WEB]) {
        expectRefused(await writes(field, value), "invalid_client_metadata", `${field}=${value}`);
      }
      const ok = await writes(field, "https://app.example/page?x=1");
      expect(ok.create.status, field).toBe(201);
      expect(ok.create.body[field]).toBe("https://app.example/page?x=1");
      expect(ok.put.status, field).toBe(200);
      expect(ok.patch.status, field).toBe(200);
    }
  });

  it("post_logout_redirect_uris: http(s) only (invalid_client_metadata)", async () => {
    for (const value of [...HOSTILE, "com.example.app:/bye", "https://app.example/bye#frag"]) {
      expectRefused(
        await writes("post_logout_redirect_uris", ["https://app.example/bye", value]),
        "invalid_client_metadata",
        value,
      );
    }
    for (const value of ["https://app.example/bye", "http://localhost:2000/playground"]) {
      const ok = await writes("post_logout_redirect_uris", [value]);
      expect(ok.create.status, value).toBe(201);
      expect(ok.put.status, value).toBe(200);
      expect(ok.patch.status, value).toBe(200);
    }
  });

  it("redirect_uris: no script-capable scheme (invalid_redirect_uri); native app schemes still work", async () => {
    for (const value of [...HOSTILE, "https://app.example/cb\\@evil.example"]) {
      expectRefused(await writes("redirect_uris", [value]), "invalid_redirect_uri", value);
    }
    const ok = await writes("redirect_uris", ["com.example.app:/callback", "http://127.0.0.1:5555/cb"]);
    expect(ok.create.status).toBe(201);
    expect(ok.put.status).toBe(200);
    expect(ok.patch.status).toBe(200);
  });
});
