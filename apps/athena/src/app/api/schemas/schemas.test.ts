import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, type IamHarness, startIam } from "@/test/iam-core";
import { PUT as setDefault } from "./default/route";
import { POST } from "./route";

/*
 * Identity schema versions through Athena and a real core: an administrator adds a version (checked
 * by the core, its refusal passed on as a 400 with where it is wrong) and makes it the default; a
 * viewer is refused both.
 */

let iam: IamHarness;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  iam = await startIam();
  const admin = await iam.createIdentity("ada@schemas.test", { metadata_admin: { role: "admin" } });
  const viewer = await iam.createIdentity("vic@schemas.test", { metadata_admin: { role: "viewer" } });
  cookies.admin = await iam.cookieFor(admin, "ada@schemas.test", "admin");
  cookies.viewer = await iam.cookieFor(viewer, "vic@schemas.test", "viewer");
}, 120_000);
afterAll(() => iam?.stop());

const add = (cookie: string | undefined, body: unknown) =>
  POST(apiRequest("POST", "/api/schemas", cookie, body), { params: Promise.resolve({}) });
const makeDefault = (cookie: string | undefined, id: string) =>
  setDefault(apiRequest("PUT", "/api/schemas/default", cookie, { id }), { params: Promise.resolve({}) });
const schemas = async () =>
  (await (await fetch(`${iam.core.adminUrl}/admin/olympus/identity-schemas`)).json()) as {
    id: string;
    default: boolean;
  }[];

function version(): Record<string, unknown> {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    properties: {
      traits: {
        type: "object",
        properties: {
          email: {
            type: "string",
            format: "email",
            "ory.sh/kratos": { credentials: { password: { identifier: true } } },
          },
          team: { type: "string", title: "Team" },
        },
        required: ["email"],
      },
    },
  };
}

describe("/api/schemas", () => {
  it("adds a version and makes it the default, audited with the administrator", async () => {
    const res = await add(cookies.admin, { id: "admin-v2", schema: version() });
    expect(res.status).toBe(201);
    expect((await makeDefault(cookies.admin, "admin-v2")).status).toBe(200);
    expect((await schemas()).find((s) => s.id === "admin-v2")?.default).toBe(true);
    const audit = (await (
      await fetch(`${iam.core.adminUrl}/admin/olympus/audit?event=admin.identity_schemas.*`)
    ).json()) as { event: string; metadata: { admin?: string } }[];
    expect(audit.map((e) => e.event).sort()).toEqual([
      "admin.identity_schemas.create",
      "admin.identity_schemas.default",
    ]);
    expect(audit.every((e) => e.metadata.admin === "ada@schemas.test")).toBe(true);
  });

  it("passes the core's refusal on with where the schema is wrong; nothing is added", async () => {
    const bad = version();
    (bad.properties as any).traits.properties.team["ory.sh/kratos"] = { credentials: { sms: {} } };
    const res = await add(cookies.admin, { id: "broken", schema: bad });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain("/properties/traits/properties/team/ory.sh~1kratos/credentials/sms");
    expect((await add(cookies.admin, { id: "Bad Id", schema: version() })).status).toBe(400);
    expect((await add(cookies.admin, { id: "admin-v2", schema: version() })).status).toBe(409);
    expect((await makeDefault(cookies.admin, "missing")).status).toBe(404);
    expect((await schemas()).map((s) => s.id)).not.toContain("broken");
  });

  it("refuses the viewer both", async () => {
    expect((await add(cookies.viewer, { id: "viewer-v", schema: version() })).status).toBe(403);
    expect((await makeDefault(cookies.viewer, "admin-v2")).status).toBe(403);
    expect((await schemas()).map((s) => s.id)).not.toContain("viewer-v");
  });
});
