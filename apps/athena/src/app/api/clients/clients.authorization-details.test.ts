import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, type IamHarness, startIam } from "@/test/iam-core";
import { PUT } from "./[id]/route";
import { POST } from "./route";

/*
 * The client form's RFC 9396 authorization details types reach the real core (a JSON Patch after the
 * create or replace, as Ory's SDK model drops the field), an edit sets or clears them as sent, a
 * caller that does not send the field keeps them, and a hostile type is refused with nothing written.
 */

let iam: IamHarness;
let admin: string;

beforeAll(async () => {
  iam = await startIam();
  const id = await iam.createIdentity("ada@details.test", { metadata_admin: { role: "admin" } });
  admin = await iam.cookieFor(id, "ada@details.test", "admin");
}, 120_000);
afterAll(() => iam?.stop());

const form = (over: Record<string, unknown> = {}) => ({
  client_name: "payments app",
  client_type: "confidential",
  grant_types: ["authorization_code"],
  redirect_uris: ["https://pay.example/cb"],
  scope: "openid",
  authorization_details_types: ["payment_initiation", "account_information"],
  ...over,
});

const coreClient = async (id: string) =>
  (await (
    await fetch(`${iam.core.oauth2AdminUrl}/admin/clients/${encodeURIComponent(id)}`)
  ).json()) as Record<string, unknown>;

const clientCount = async () =>
  ((await (await fetch(`${iam.core.oauth2AdminUrl}/admin/clients?page_size=500`)).json()) as unknown[])
    .length;

const create = (body: Record<string, unknown>) =>
  POST(apiRequest("POST", "/api/clients", admin, body), { params: Promise.resolve({}) });

describe("OAuth2 client form: authorization details types", () => {
  it("registers the types, and an edit changes, keeps (field absent) or clears them", async () => {
    const res = await create(form());
    expect(res.status, await res.clone().text()).toBe(201);
    const { client_id } = (await res.json()) as { client_id: string };
    expect((await coreClient(client_id)).authorization_details_types).toEqual([
      "payment_initiation",
      "account_information",
    ]);
    // The core's discovery lists what clients registered.
    const discovery = (await (
      await fetch(`${iam.core.oauth2PublicUrl}/.well-known/openid-configuration`)
    ).json()) as { authorization_details_types_supported?: string[] };
    expect(discovery.authorization_details_types_supported).toEqual(
      expect.arrayContaining(["payment_initiation", "account_information"]),
    );

    const edit = (body: Record<string, unknown>) =>
      PUT(apiRequest("PUT", `/api/clients/${client_id}`, admin, body), {
        params: Promise.resolve({ id: client_id }),
      });
    // Changed (a duplicate line counts once).
    expect((await edit(form({ authorization_details_types: ["tax_filing", "tax_filing"] }))).status).toBe(
      200,
    );
    expect((await coreClient(client_id)).authorization_details_types).toEqual(["tax_filing"]);
    // Not sent at all: kept.
    const { authorization_details_types: _t, ...withoutTypes } = form({ client_name: "renamed" });
    expect((await edit(withoutTypes)).status).toBe(200);
    expect(await coreClient(client_id)).toMatchObject({
      client_name: "renamed",
      authorization_details_types: ["tax_filing"],
    });
    // Sent empty: cleared.
    expect((await edit(form({ authorization_details_types: [] }))).status).toBe(200);
    expect((await coreClient(client_id)).authorization_details_types).toEqual([]);

    // A hostile edit is refused on the field, and the stored client is unchanged.
    const before = await coreClient(client_id);
    const bad = await edit(form({ client_name: "hijacked", authorization_details_types: ["two words"] }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("authorization_details_types");
    expect(await coreClient(client_id)).toEqual(before);
  });

  it("refuses hostile types with a 400 naming the field; nothing is registered", async () => {
    const before = await clientCount();
    for (const types of [
      ["two words"],
      ["tab\there"],
      ["nul\u0000byte"],
      [""],
      ["x".repeat(257)],
      Array.from({ length: 51 }, (_, i) => `t${i}`),
      "payment_initiation",
      [42],
    ]) {
      const res = await create(form({ authorization_details_types: types }));
      expect(res.status, JSON.stringify(types).slice(0, 80)).toBe(400);
      expect(await res.text()).toContain("authorization_details_types");
    }
    expect(await clientCount()).toBe(before);
  });
});
