import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, csrfOf, startTestCore, type TestCore } from "../testing/index.ts";
import { register } from "./testkit.ts";

/*
 * A FORGED csrf_token — present and well-formed, but not this browser's — is refused on every
 * self-service flow, not only a missing one. Each row also submits the right token, so the test would
 * notice a flow that refused everything (a test that cannot fail proves nothing).
 */

let t: TestCore;
const PW = "correct horse battery";
const EMAIL = "csrf-victim@example.com";

beforeAll(async () => {
  t = await startTestCore({ overrides: { security: { rate_limit: { enabled: false } } } });
  await register(t.publicUrl, EMAIL, PW);
});
afterAll(() => t?.stop());

const asJson = { accept: "application/json" };

async function browserFlow(jar: CookieJar, kind: string): Promise<any> {
  const res = await jar.fetch(`${t.publicUrl}/self-service/${kind}/browser`, { headers: asJson });
  expect(res.status, `${kind} init`).toBe(200);
  return res.json();
}

/** A browser signed in through a browser login flow (settings needs a session). */
async function signedIn(): Promise<CookieJar> {
  const jar = new CookieJar();
  const flow = await browserFlow(jar, "login");
  const res = await submit(jar, "login", flow.id, {
    csrf_token: csrfOf(flow),
    method: "password",
    identifier: EMAIL,
    password: PW,
  });
  expect(res.status).toBe(200);
  return jar;
}

function submit(jar: CookieJar, kind: string, flowId: string, body: Record<string, unknown>) {
  return jar.fetch(`${t.publicUrl}/self-service/${kind}?flow=${flowId}`, {
    method: "POST",
    headers: { ...asJson, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

interface Row {
  kind: "registration" | "login" | "settings" | "recovery" | "verification";
  jar: () => Promise<CookieJar>;
  body: (n: number) => Record<string, unknown>;
}

const rows: Row[] = [
  {
    kind: "registration",
    jar: async () => new CookieJar(),
    body: (n) => ({ method: "password", password: PW, traits: { email: `csrf-new-${n}@example.com` } }),
  },
  {
    kind: "login",
    jar: async () => new CookieJar(),
    body: () => ({ method: "password", identifier: EMAIL, password: PW }),
  },
  {
    kind: "settings",
    jar: signedIn,
    body: () => ({ method: "profile", traits: { email: EMAIL, name: { first: "Forged" } } }),
  },
  { kind: "recovery", jar: async () => new CookieJar(), body: () => ({ method: "code", email: EMAIL }) },
  { kind: "verification", jar: async () => new CookieJar(), body: () => ({ method: "code", email: EMAIL }) },
];

/** Forged tokens: each is what an attacker could put in a cross-site form. */
function forgeries(valid: string, attackers: string): [string, string][] {
  const raw = Buffer.from(valid, "base64");
  const flipped = Buffer.from(raw);
  flipped[flipped.length - 1]! ^= 0x01;
  return [
    ["the attacker's own valid token (another browser's cookie)", attackers],
    ["the right token with one bit flipped", flipped.toString("base64")],
    ["random bytes of the right length", randomBytes(raw.length).toString("base64")],
    ["a token of the wrong length", randomBytes(17).toString("base64")],
    ["not base64 at all", "%%%not-a-token%%%"],
  ];
}

describe("a forged csrf_token is refused on every self-service flow", () => {
  it.each(rows)("$kind", async (row) => {
    const jar = await row.jar();
    const flow = await browserFlow(jar, row.kind);
    // The attacker's token: valid for the attacker's own browser, a flow of the same kind.
    const attacker = new CookieJar();
    const attackerFlow = await browserFlow(attacker, row.kind === "settings" ? "login" : row.kind);
    let n = 0;
    for (const [what, token] of forgeries(csrfOf(flow), csrfOf(attackerFlow))) {
      const res = await submit(jar, row.kind, flow.id, { ...row.body(n++), csrf_token: token });
      expect(res.status, what).toBe(403);
      const body = (await res.json()) as any;
      expect(body.error.id, what).toBe("security_csrf_violation");
      expect(body.error.details.reject_reason, what).toBe("The CSRF token does not match the CSRF cookie.");
    }
    // The same submission with this browser's token is not a CSRF violation.
    const ok = await submit(jar, row.kind, flow.id, { ...row.body(n), csrf_token: csrfOf(flow) });
    expect(ok.status, "the right token").toBe(200);
  });
});
