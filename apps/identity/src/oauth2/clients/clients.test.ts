import { Configuration, OAuth2Api } from "@ory/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OAuth2TestCore, startOAuth2Core, tokenRequest } from "../test-helpers.ts";

let t: OAuth2TestCore;
let api: OAuth2Api;

beforeAll(async () => {
  t = await startOAuth2Core();
  api = new OAuth2Api(new Configuration({ basePath: t.oauth2AdminUrl }));
});
afterAll(() => t?.stop());

const status = (e: unknown) => (e as { response?: { status: number } }).response?.status;
const bodyOf = (e: unknown) =>
  (e as { response?: { data: unknown } }).response?.data as Record<string, unknown>;

describe("OAuth2 clients (admin API)", () => {
  it("creates a client with Hydra's defaults and echoes the generated secret once", async () => {
    const created = (await api.createOAuth2Client({ oAuth2Client: { client_name: "Defaults" } })).data;
    expect(created.client_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.client_secret).toMatch(/^[A-Za-z0-9]{26}$/);
    expect(created).toMatchObject({
      client_name: "Defaults",
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "offline_access offline openid",
      redirect_uris: [],
      audience: [],
      skip_consent: false,
      subject_type: "public",
      metadata: {},
    });
    const fetched = (await api.getOAuth2Client({ id: created.client_id! })).data;
    expect(fetched.client_secret).toBeUndefined();
    expect(fetched.created_at).toBeTruthy();
  });

  it("keeps a given client_id and secret; a taken id is 409", async () => {
    const body = {
      client_id: "my-app",
      client_secret: "given-secret-123",
      grant_types: ["client_credentials"],
    };
    const created = (await api.createOAuth2Client({ oAuth2Client: body })).data;
    expect(created).toMatchObject({ client_id: "my-app", client_secret: "given-secret-123" });
    const again = await api.createOAuth2Client({ oAuth2Client: body }).catch((e) => e);
    expect(status(again)).toBe(409);
    const token = await tokenRequest(
      t,
      { client_id: "my-app", client_secret: "given-secret-123", redirect_uris: [] },
      {
        grant_type: "client_credentials",
      },
    );
    expect(token.status).toBe(200);
  });

  it("public clients have no secret", async () => {
    const created = (
      await api.createOAuth2Client({
        oAuth2Client: {
          token_endpoint_auth_method: "none",
          client_secret: "ignored-secret",
          redirect_uris: ["http://localhost/cb"],
        },
      })
    ).data;
    expect(created.client_secret).toBeUndefined();
  });

  it("rejects invalid metadata with 400 invalid_client_metadata", async () => {
    const cases = [
      { grant_types: ["password"] },
      { token_endpoint_auth_method: "magic" },
      { client_secret: "short" },
      { post_logout_redirect_uris: ["not a url"] },
      { access_token_strategy: "paseto" },
      { subject_type: "pairwise" },
      { redirect_uris: "http://a" },
    ];
    for (const c of cases) {
      const err = await api.createOAuth2Client({ oAuth2Client: c as never }).catch((e) => e);
      expect(status(err), JSON.stringify(c)).toBe(400);
      expect(bodyOf(err).error).toBe("invalid_client_metadata");
    }
    for (const uri of ["http://a/#frag", "javascript:alert(1)", "relative/path"]) {
      const badRedirect = await api
        .createOAuth2Client({ oAuth2Client: { redirect_uris: [uri] } })
        .catch((e) => e);
      expect(bodyOf(badRedirect).error, uri).toBe("invalid_redirect_uri");
    }
    const native = await api.createOAuth2Client({
      oAuth2Client: { redirect_uris: ["com.example.app:/callback"] },
    });
    expect(native.status).toBe(201);
    const notJson = await t.admin("/admin/clients", { method: "POST", body: "{" });
    expect(notJson.status).toBe(400);
  });

  it("PUT replaces fields and keeps the secret unless a new one is given; PATCH applies JSON patches", async () => {
    const created = (
      await api.createOAuth2Client({
        oAuth2Client: { client_name: "Before", grant_types: ["client_credentials"], scope: "a" },
      })
    ).data;
    const id = created.client_id!;
    const put = (
      await api.setOAuth2Client({
        id,
        oAuth2Client: { client_name: "After", grant_types: ["client_credentials"], scope: "a b" },
      })
    ).data;
    expect(put).toMatchObject({ client_name: "After", scope: "a b" });
    expect(put.client_secret).toBeUndefined();
    const client = { client_id: id, client_secret: created.client_secret!, redirect_uris: [] };
    expect((await tokenRequest(t, client, { grant_type: "client_credentials", scope: "b" })).status).toBe(
      200,
    );

    const patched = (
      await api.patchOAuth2Client({
        id,
        jsonPatch: [
          { op: "replace", path: "/client_name", value: "Patched" },
          { op: "add", path: "/audience/-", value: "https://api.example.com" },
        ],
      })
    ).data;
    expect(patched).toMatchObject({
      client_name: "Patched",
      audience: ["https://api.example.com"],
      scope: "a b",
    });
    const badPatch = await api
      .patchOAuth2Client({ id, jsonPatch: [{ op: "replace", path: "/client_id", value: "other" }] })
      .catch((e) => e);
    expect(status(badPatch)).toBe(400);

    const withSecret = (
      await api.setOAuth2Client({
        id,
        oAuth2Client: { client_secret: "brand-new-secret", grant_types: ["client_credentials"], scope: "a" },
      })
    ).data;
    expect(withSecret.client_secret).toBe("brand-new-secret");
    expect((await tokenRequest(t, client, { grant_type: "client_credentials" })).status).toBe(401);
  });

  it("rotates a secret (Olympus endpoint): the new one works, the old one does not", async () => {
    const created = (await api.createOAuth2Client({ oAuth2Client: { grant_types: ["client_credentials"] } }))
      .data;
    const res = await t.admin(`/admin/clients/${created.client_id}/secrets/rotate`, { method: "POST" });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as { client_id: string; client_secret: string };
    expect(rotated.client_id).toBe(created.client_id);
    expect(rotated.client_secret).not.toBe(created.client_secret);
    const old = { client_id: created.client_id!, client_secret: created.client_secret!, redirect_uris: [] };
    expect((await tokenRequest(t, old, { grant_type: "client_credentials" })).status).toBe(401);
    expect(
      (
        await tokenRequest(
          t,
          { ...old, client_secret: rotated.client_secret },
          { grant_type: "client_credentials" },
        )
      ).status,
    ).toBe(200);

    // The older path is an alias: it rotates again, and the previous secret stops working.
    const alias = await t.admin(`/admin/clients/${created.client_id}/secret/rotate`, { method: "POST" });
    expect(alias.status).toBe(200);
    const again = (await alias.json()) as { client_secret: string };
    expect(again.client_secret).not.toBe(rotated.client_secret);
    const previous = { ...old, client_secret: rotated.client_secret };
    expect((await tokenRequest(t, previous, { grant_type: "client_credentials" })).status).toBe(401);

    // A public client has no secret to rotate; an unknown client is 404 (Ory error shape).
    const pub = (
      await api.createOAuth2Client({
        oAuth2Client: { token_endpoint_auth_method: "none", grant_types: ["authorization_code"] },
      })
    ).data;
    const refused = await t.admin(`/admin/clients/${pub.client_id}/secrets/rotate`, { method: "POST" });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: number } }).error.code).toBe(400);
    expect((await t.admin("/admin/clients/no-such-client/secrets/rotate", { method: "POST" })).status).toBe(
      404,
    );
  });

  it("lists with page_size/page_token, filters by client_name and owner, and sets Link", async () => {
    for (const i of [1, 2, 3]) {
      await api.createOAuth2Client({
        oAuth2Client: { client_name: "listed", owner: i === 3 ? "team-b" : "team-a" },
      });
    }
    const first = await api.listOAuth2Clients({ pageSize: 2, clientName: "listed" });
    expect(first.data).toHaveLength(2);
    const link = String(first.headers.link);
    expect(link).toContain('rel="first"');
    const next = /<([^>]+)>; rel="next"/.exec(link)![1]!;
    const token = new URL(next, t.oauth2AdminUrl).searchParams.get("page_token")!;
    const second = await api.listOAuth2Clients({ pageSize: 2, pageToken: token, clientName: "listed" });
    expect(second.data).toHaveLength(1);
    expect(String(second.headers.link)).not.toContain('rel="next"');
    const owned = await api.listOAuth2Clients({ owner: "team-b" });
    expect(owned.data.map((c) => c.owner)).toEqual(["team-b"]);
  });

  it("deletes a client (204), then it is 404 in the Ory error shape; paths work without /admin", async () => {
    const created = (await api.createOAuth2Client({ oAuth2Client: {} })).data;
    expect((await fetch(`${t.oauth2AdminUrl}/clients/${created.client_id}`)).status).toBe(200);
    expect((await api.deleteOAuth2Client({ id: created.client_id! })).status).toBe(204);
    const gone = await api.getOAuth2Client({ id: created.client_id! }).catch((e) => e);
    expect(status(gone)).toBe(404);
    expect((bodyOf(gone).error as { code: number }).code).toBe(404);
  });
});
