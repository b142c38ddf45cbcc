import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  exchangeCode,
  type OAuth2TestCore,
  runAuthorization,
  startOAuth2Core,
  tokenRequest,
} from "./test-helpers.ts";

/*
 * Client secrets, authorization codes, access and refresh tokens are never stored as such: only keyed
 * hashes are (and signing keys only encrypted). This reads the tables directly, every column of every
 * row as text, and looks for the cleartext values — and for any recognisable part of them.
 */

let t: OAuth2TestCore;

beforeAll(async () => {
  t = await startOAuth2Core({ oauth2: { janitor: { enabled: false } } });
});
afterAll(() => t?.stop());

/** Every row of `table` as one JSON text per row. */
async function dump(table: string): Promise<string[]> {
  const result = (await t.core.ctx.db.execute(
    sql.raw(`select row_to_json(x)::text as j from ${table} x`),
  )) as unknown;
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { j: string }[];
  return rows.map((r) => r.j);
}

/** The parts of an opaque token that would give it away: the whole token, its key and its signature. */
function fragments(token: string): string[] {
  const body = token.replace(/^ory_(at|rt|ac)_/, "");
  return [token, ...body.split(".")].filter((f) => f.length >= 16);
}

describe("storage at rest", () => {
  it("stores no client secret, code or token in cleartext", async () => {
    const secret = "a-chosen-client-secret-that-must-not-appear-0123456789";
    const client = await createClient(t, { client_secret: secret });
    expect(client.client_secret).toBe(secret);
    const flow = await runAuthorization(t, client);
    const tokens = (await (await exchangeCode(t, client, flow)).json()) as {
      access_token: string;
      refresh_token: string;
      id_token: string;
    };
    const refreshed = (await (
      await tokenRequest(t, client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token })
    ).json()) as { access_token: string; refresh_token: string };
    const cc = await createClient(t, { grant_types: ["client_credentials"], client_secret: `${secret}-cc` });
    const machine = (await (await tokenRequest(t, cc, { grant_type: "client_credentials" })).json()) as {
      access_token: string;
    };
    for (const tok of [tokens.access_token, refreshed.access_token, machine.access_token])
      expect(tok).toMatch(/^ory_at_/);

    const clients = await dump("oauth2_clients");
    const grants = await dump("oauth2_grants");
    // The rows are there (so the test looks at real data) ...
    expect(clients.some((r) => r.includes(client.client_id))).toBe(true);
    expect(clients.some((r) => r.includes(cc.client_id))).toBe(true);
    expect(grants.length).toBeGreaterThanOrEqual(2);
    // ... with hashes where the secrets and tokens would be.
    for (const r of clients.filter((c) => c.includes(client.client_id))) {
      // An HMAC-SHA256, base64url.
      expect((JSON.parse(r) as { secret_hash: string | null }).secret_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }

    const everything = [...clients, ...grants, ...(await dump("oauth2_login_sessions"))].join("\n");
    const cleartexts = [
      secret,
      `${secret}-cc`,
      ...fragments(flow.code),
      ...fragments(tokens.access_token),
      ...fragments(tokens.refresh_token),
      ...fragments(refreshed.access_token),
      ...fragments(refreshed.refresh_token),
      ...fragments(machine.access_token),
      tokens.id_token,
    ];
    for (const c of cleartexts)
      expect(everything.includes(c), `found in storage: ${c.slice(0, 24)}…`).toBe(false);
  });

  it("stores signing keys' private parts only encrypted", async () => {
    const keys = await dump("oauth2_jwks");
    expect(keys.length).toBeGreaterThan(0);
    for (const row of keys) {
      const k = JSON.parse(row) as { private_jwk: string | null; public_jwk: Record<string, unknown> };
      expect(k.public_jwk.d).toBeUndefined();
      expect(k.private_jwk).toBeTruthy();
      // Not a JWK (or any JSON) in the clear: no private exponent / scalar to be read.
      expect(k.private_jwk!).not.toMatch(/"d"\s*:/);
      expect(() => JSON.parse(k.private_jwk!)).toThrow();
    }
  });
});
