import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  exchangeCode,
  type OAuth2TestCore,
  runAuthorization,
  startOAuth2Core,
  tokenRequest,
} from "../test-helpers.ts";
import { formatDuration, parseDuration } from "./model.ts";

/*
 * Hydra's per-grant token lifespans: set on the client (create, PUT, PATCH, or PUT
 * /admin/clients/{id}/lifespans), read back as Go durations, and applied to the tokens each grant
 * issues; a lifespan not set follows the server's oauth2.ttl.
 */

let t: OAuth2TestCore;

beforeAll(async () => {
  t = await startOAuth2Core({ security: { rate_limit: { enabled: false } } });
}, 60_000);
afterAll(() => t?.stop());

const setLifespans = (id: string, body: unknown) =>
  t.admin(`/admin/clients/${encodeURIComponent(id)}/lifespans`, {
    method: "PUT",
    body: JSON.stringify(body),
  });

describe("client token lifespans", () => {
  it("client_credentials: the access token lives as long as the client says, read back as a Go duration", async () => {
    const client = await createClient(t, {
      grant_types: ["client_credentials"],
      scope: "read",
      redirect_uris: [],
    });
    const defaults = (await (await tokenRequest(t, client, { grant_type: "client_credentials" })).json()) as {
      expires_in: number;
    };
    const res = await setLifespans(client.client_id, {
      client_credentials_grant_access_token_lifespan: "30m",
    });
    expect(res.status).toBe(200);
    const wire = (await res.json()) as Record<string, unknown>;
    expect(wire.client_credentials_grant_access_token_lifespan).toBe("30m0s");
    expect(wire.authorization_code_grant_access_token_lifespan).toBeNull();
    const tokens = (await (await tokenRequest(t, client, { grant_type: "client_credentials" })).json()) as {
      expires_in: number;
    };
    expect(tokens.expires_in).toBe(1800);
    expect(defaults.expires_in).not.toBe(1800);

    // The whole set is replaced: an empty body returns the client to the server's lifespans.
    expect((await setLifespans(client.client_id, {})).status).toBe(200);
    const back = (await (await tokenRequest(t, client, { grant_type: "client_credentials" })).json()) as {
      expires_in: number;
    };
    expect(back.expires_in).toBe(defaults.expires_in);
  });

  it("authorization_code and refresh_token: access, ID and refresh tokens per grant", async () => {
    const client = await createClient(t, {
      authorization_code_grant_access_token_lifespan: "10m",
      authorization_code_grant_id_token_lifespan: "2h",
      authorization_code_grant_refresh_token_lifespan: "48h",
      refresh_token_grant_access_token_lifespan: "5m",
      refresh_token_grant_id_token_lifespan: "90s",
    });
    const flow = await runAuthorization(t, client, { subject: "lifespan-user" });
    const res = await exchangeCode(t, client, flow);
    expect(res.status).toBe(200);
    const first = (await res.json()) as { expires_in: number; id_token: string; refresh_token: string };
    expect(first.expires_in).toBe(600);
    const id = decodeJwt(first.id_token);
    expect(id.exp! - id.iat!).toBe(7200);
    const introspected = (await (
      await fetch(`${t.oauth2AdminUrl}/admin/oauth2/introspect`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: first.refresh_token }),
      })
    ).json()) as { exp: number; iat: number };
    expect(introspected.exp - introspected.iat).toBe(48 * 3600);

    const refreshed = (await (
      await tokenRequest(t, client, { grant_type: "refresh_token", refresh_token: first.refresh_token })
    ).json()) as { expires_in: number; id_token: string };
    expect(refreshed.expires_in).toBe(300);
    const id2 = decodeJwt(refreshed.id_token);
    expect(id2.exp! - id2.iat!).toBe(90);
  });

  it("a PATCH keeps the lifespans; a PUT without them returns to the server's", async () => {
    const client = await createClient(t, {
      client_credentials_grant_access_token_lifespan: "1h",
      grant_types: ["client_credentials"],
    });
    const patched = await t.admin(`/admin/clients/${client.client_id}`, {
      method: "PATCH",
      body: JSON.stringify([{ op: "replace", path: "/client_name", value: "patched" }]),
    });
    expect(
      ((await patched.json()) as Record<string, unknown>).client_credentials_grant_access_token_lifespan,
    ).toBe("1h0m0s");
    const put = await t.admin(`/admin/clients/${client.client_id}`, {
      method: "PUT",
      body: JSON.stringify({ grant_types: ["client_credentials"] }),
    });
    expect(
      ((await put.json()) as Record<string, unknown>).client_credentials_grant_access_token_lifespan,
    ).toBeNull();
  });

  it("refuses what is not a duration, or longer than ten years, changing nothing", async () => {
    const client = await createClient(t, { grant_types: ["client_credentials"] });
    for (const value of ["1 hour", "1d", "-5m", "87601h", 3600, "h"]) {
      const res = await setLifespans(client.client_id, {
        client_credentials_grant_access_token_lifespan: value,
      });
      expect(res.status, String(value)).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_client_metadata" });
    }
    const created = await t.admin("/admin/clients", {
      method: "POST",
      body: JSON.stringify({ refresh_token_grant_refresh_token_lifespan: "forever" }),
    });
    expect(created.status).toBe(400);
    const read = (await (await t.admin(`/admin/clients/${client.client_id}`)).json()) as Record<
      string,
      unknown
    >;
    expect(read.client_credentials_grant_access_token_lifespan).toBeNull();
    expect((await setLifespans("no-such-client", {})).status).toBe(404);
  });

  it("parses and prints Go durations", () => {
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("")).toBeUndefined();
    expect(parseDuration("10")).toBeUndefined();
    expect(formatDuration(3_600_000)).toBe("1h0m0s");
    expect(formatDuration(90_000)).toBe("1m30s");
    expect(formatDuration(45_000)).toBe("45s");
    expect(formatDuration(1500)).toBe("1.5s");
    expect(formatDuration(500)).toBe("500ms");
    expect(parseDuration(formatDuration(5_400_000))).toBe(5_400_000);
  });
});
