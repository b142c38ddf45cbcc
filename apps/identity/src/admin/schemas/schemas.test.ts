import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../../testing/index.ts";

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore({ overrides: { security: { rate_limit: { enabled: false } } } });
}, 60_000);
afterAll(() => t?.stop());

const base = JSON.parse(
  readFileSync(new URL("../../testing/fixtures/default.schema.json", import.meta.url), "utf8"),
) as Record<string, any>;

/** A second version of the default schema: a required display name added. */
function v2(): Record<string, any> {
  const s = structuredClone(base);
  s.properties.traits.properties.nickname = { type: "string", title: "Nickname", maxLength: 40 };
  s.properties.traits.required = [...(s.properties.traits.required ?? []), "nickname"];
  return s;
}

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${t.adminUrl}/admin/olympus/identity-schemas${path}`, {
    ...init,
    headers: { "content-type": "application/json", "x-olympus-actor": "ada@schemas.test", ...init.headers },
  });
const add = (id: string, schema: unknown) =>
  admin("", { method: "POST", body: JSON.stringify({ id, schema }) });
const reason = async (res: Response) => ((await res.json()) as { error: { reason: string } }).error.reason;

describe("identity schemas at run time", () => {
  it("adds a version, serves it at /schemas, sets it as default; existing identities keep theirs; audited", async () => {
    const before = await fetch(`${t.adminUrl}/admin/identities`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ schema_id: "default", traits: { email: "old@schemas.test" } }),
    });
    expect(before.status).toBe(201);
    const oldId = ((await before.json()) as { id: string }).id;

    const res = await add("default-v2", v2());
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id: "default-v2", default: false, source: "api" });
    const list = (await (await admin("")).json()) as { id: string; default: boolean; source: string }[];
    expect(list.map((s) => [s.id, s.default, s.source])).toEqual([
      ["default", true, "config"],
      ["default-v2", false, "api"],
    ]);
    // Kratos' public schema endpoints serve it (by id and by base64url id).
    const pub = (await (await fetch(`${t.publicUrl}/schemas`)).json()) as { id: string }[];
    expect(pub.map((s) => s.id)).toContain("default-v2");
    const one = await fetch(`${t.publicUrl}/schemas/default-v2`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as any).properties.traits.properties.nickname.title).toBe("Nickname");

    const set = await admin("/default", { method: "PUT", body: JSON.stringify({ id: "default-v2" }) });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ id: "default-v2", default: true });
    // Self-service registration now validates against the new default: the nickname is required.
    const flow = (await (await fetch(`${t.publicUrl}/self-service/registration/api`)).json()) as any;
    expect(flow.ui.nodes.map((n: any) => n.attributes.name)).toContain("traits.nickname");
    // Identities of the new version are validated by it; the old one keeps its schema_id.
    const create = (traits: Record<string, unknown>) =>
      fetch(`${t.adminUrl}/admin/identities`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ schema_id: "default-v2", traits }),
      });
    expect((await create({ email: "new@schemas.test" })).status).toBe(400);
    const fresh = await create({ email: "new@schemas.test", nickname: "Neo" });
    expect(fresh.status).toBe(201);
    expect(((await fresh.json()) as { schema_id: string }).schema_id).toBe("default-v2");
    const old = (await (await fetch(`${t.adminUrl}/admin/identities/${oldId}`)).json()) as {
      schema_id: string;
    };
    expect(old.schema_id).toBe("default");

    const events = (await (
      await fetch(`${t.adminUrl}/admin/olympus/audit?event=admin.identity_schemas.*`)
    ).json()) as { event: string; target: string; metadata: Record<string, unknown> }[];
    expect(events.map((e) => `${e.event} ${e.target}`).sort()).toEqual([
      "admin.identity_schemas.create default-v2",
      "admin.identity_schemas.default default-v2",
    ]);
    expect(events.every((e) => e.metadata.admin === "ada@schemas.test")).toBe(true);

    // Back to the configuration's default for the rest of the file.
    expect((await admin("/default", { method: "PUT", body: JSON.stringify({ id: "default" }) })).status).toBe(
      200,
    );
  });

  it("refuses a schema that is not a valid identity schema with a 400 naming where, storing nothing", async () => {
    const withExt = (ext: unknown, type = "string") => {
      const s = structuredClone(base);
      s.properties.traits.properties.extra = { type, "ory.sh/kratos": ext };
      return s;
    };
    const misplaced = structuredClone(base);
    misplaced.properties.traits["ory.sh/kratos"] = { credentials: { password: { identifier: true } } };
    const atRoot = { ...structuredClone(base), "ory.sh/kratos": { verification: { via: "email" } } };
    const inDefinitions = structuredClone(base);
    inDefinitions.definitions = { x: { type: "string", "ory.sh/kratos": { recovery: { via: "email" } } } };
    const cases: [string, unknown, string][] = [
      ["not-json-schema", { type: "objekt" }, "/type"],
      ["bad-draft", { ...base, $schema: "http://json-schema.org/draft-04/schema#" }, "/$schema"],
      ["no-traits", { type: "object", properties: {} }, "/properties/traits"],
      [
        "traits-not-object",
        { type: "object", properties: { traits: { type: "string" } } },
        "/properties/traits",
      ],
      [
        "unknown-method",
        withExt({ credentials: { magic: { identifier: true } } }),
        "unknown credentials method",
      ],
      [
        "unknown-key",
        withExt({ credentials: { password: { identifer: true } } }),
        "/properties/traits/properties/extra/ory.sh~1kratos/credentials/password/identifer",
      ],
      ["bad-via", withExt({ verification: { via: "pigeon" } }), '"email" or "sms"'],
      ["not-boolean", withExt({ credentials: { password: { identifier: "yes" } } }), "must be a boolean"],
      [
        "identifier-on-number",
        withExt({ credentials: { password: { identifier: true } } }, "integer"),
        "string property",
      ],
      [
        "misplaced-extension",
        misplaced,
        "/properties/traits/ory.sh~1kratos: the ory.sh/kratos extension is only allowed",
      ],
      ["extension-at-root", atRoot, "only allowed on properties of traits"],
      ["extension-in-definitions", inDefinitions, "/definitions/x/ory.sh~1kratos"],
      ["bad-pattern", withExt({}, "string"), ""],
    ];
    // The last one is valid (an empty extension): it shows the check is not refusing everything.
    for (const [id, schema, where] of cases.slice(0, -1)) {
      const res = await add(id, schema);
      expect(res.status, id).toBe(400);
      expect(await reason(res), id).toContain(where);
    }
    const bad = structuredClone(base);
    bad.properties.traits.properties.email.pattern = "([";
    const res = await add("bad-regex", bad);
    expect(res.status).toBe(400);
    const list = (await (await admin("")).json()) as { id: string }[];
    expect(list.map((s) => s.id)).toEqual(["default", "default-v2"]);
    expect((await add("bad-pattern", cases.at(-1)![1])).status).toBe(201);
  });

  it("refuses bad ids, taken ids, unknown defaults and writes around the API", async () => {
    expect((await add("default", v2())).status).toBe(409);
    expect((await add("default-v2", v2())).status).toBe(409);
    for (const id of ["", "UPPER", "../x", "a".repeat(65), "x y"])
      expect((await add(id, v2())).status, id).toBe(400);
    expect((await admin("", { method: "POST", body: "not json" })).status).toBe(400);
    expect((await add("huge", { ...v2(), description: "x".repeat(70_000) })).status).toBe(400);
    expect((await admin("/default", { method: "PUT", body: JSON.stringify({ id: "nope" }) })).status).toBe(
      404,
    );
    expect((await admin("/default", { method: "PUT", body: JSON.stringify({}) })).status).toBe(400);
    // The settings API cannot write or delete the schemas' keys (only this API checks them).
    const put = await fetch(`${t.adminUrl}/admin/olympus/settings/identity.default_schema_id`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ value: "nope" }),
    });
    expect(put.status).toBe(400);
    const del = await fetch(`${t.adminUrl}/admin/olympus/settings/identity.schemas.default-v2`, {
      method: "DELETE",
    });
    expect(del.status).toBe(400);
  });
});
