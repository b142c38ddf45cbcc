import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getClient } from "@/lib/core/oauth2-clients";
import { apiRequest, type IamHarness, startIam } from "@/test/iam-core";
import { PUT } from "./[id]/route";
import { POST } from "./route";

/*
 * The client form's token exchange grant and policy reach the real core and come back: Ory's SDK
 * model drops the Olympus fields, so Athena writes them with a JSON Patch after the create or replace
 * and reads the client raw. An edit that does not touch the policy keeps it.
 */

const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";

let iam: IamHarness;
let admin: string;

beforeAll(async () => {
  iam = await startIam();
  const id = await iam.createIdentity("ada@clients.test", { metadata_admin: { role: "admin" } });
  admin = await iam.cookieFor(id, "ada@clients.test", "admin");
}, 120_000);
afterAll(() => iam?.stop());

const form = (over: Record<string, unknown> = {}) => ({
  client_name: "report service",
  client_type: "confidential",
  grant_types: [GRANT, "client_credentials"],
  scope: "read write",
  token_exchange: {
    allowed_audiences: ["https://reports.example/api"],
    allowed_subject_clients: ["web-frontend"],
    allowed_issuers: [],
    may_impersonate: false,
  },
  ...over,
});

const coreClient = async (id: string) =>
  (await (
    await fetch(`${iam.core.oauth2AdminUrl}/admin/clients/${encodeURIComponent(id)}`)
  ).json()) as Record<string, unknown>;

const clientCount = async () =>
  ((await (await fetch(`${iam.core.oauth2AdminUrl}/admin/clients?page_size=500`)).json()) as unknown[])
    .length;

describe("OAuth2 client form: token exchange", () => {
  it("registers a client with the grant and its policy, and an edit keeps or changes the policy as sent", async () => {
    const res = await POST(
      apiRequest(
        "POST",
        "/api/clients",
        admin,
        form({ require_pushed_authorization_requests: true, dpop_bound_access_tokens: true }),
      ),
      {
        params: Promise.resolve({}),
      },
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const { client_id } = (await res.json()) as { client_id: string };
    const stored = await coreClient(client_id);
    expect(stored.grant_types).toEqual([GRANT, "client_credentials"]);
    expect(stored.token_exchange).toEqual(form().token_exchange);
    expect(stored.require_pushed_authorization_requests).toBe(true);
    expect(stored.dpop_bound_access_tokens).toBe(true);
    expect(((await getClient(client_id)) as { token_exchange?: unknown }).token_exchange).toEqual(
      form().token_exchange,
    );

    const edit = (body: Record<string, unknown>) =>
      PUT(apiRequest("PUT", `/api/clients/${client_id}`, admin, body), {
        params: Promise.resolve({ id: client_id }),
      });
    // Renamed, the same policy: kept (a plain replace through the SDK would reset it to deny-all).
    expect((await edit(form({ client_name: "renamed" }))).status).toBe(200);
    expect(await coreClient(client_id)).toMatchObject({
      client_name: "renamed",
      token_exchange: form().token_exchange,
    });
    const changed = {
      allowed_audiences: ["https://a.example", "https://b.example"],
      allowed_subject_clients: [],
      allowed_issuers: ["https://idp.example"],
      may_impersonate: true,
    };
    expect((await edit(form({ token_exchange: changed }))).status).toBe(200);
    expect((await coreClient(client_id)).token_exchange).toEqual(changed);

    // A field the form does not show (RFC 9396 authorization_details_types, set over the admin API)
    // survives an edit in Athena.
    const patched = await fetch(`${iam.core.oauth2AdminUrl}/admin/clients/${encodeURIComponent(client_id)}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        { op: "add", path: "/authorization_details_types", value: ["payment_initiation"] },
      ]),
    });
    expect(patched.status).toBe(200);
    expect((await edit(form({ client_name: "renamed again" }))).status).toBe(200);
    expect(await coreClient(client_id)).toMatchObject({
      client_name: "renamed again",
      authorization_details_types: ["payment_initiation"],
    });
  });

  it("refuses a public client with token exchange and a policy value with spaces; nothing is registered", async () => {
    const before = await clientCount();
    const publicClient = await POST(
      apiRequest("POST", "/api/clients", admin, form({ client_type: "public", grant_types: [GRANT] })),
      { params: Promise.resolve({}) },
    );
    expect(publicClient.status).toBe(400);
    expect(await publicClient.text()).toContain("token exchange");
    const spaced = await POST(
      apiRequest(
        "POST",
        "/api/clients",
        admin,
        form({ token_exchange: { allowed_audiences: ["two words"], allowed_subject_clients: [] } }),
      ),
      { params: Promise.resolve({}) },
    );
    expect(spaced.status).toBe(400);
    expect(await clientCount()).toBe(before);
  });
});
