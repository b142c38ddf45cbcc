import { Configuration, FrontendApi } from "@ory/client-fetch";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identities } from "../db/schema.ts";
import { startTestCore, type TestCore } from "../testing/index.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan, parseJson } from "./json.ts";

/**
 * Red-team finding 7: a 20,000-deep JSON body overflowed the stack in trait coercion and the jsonb
 * mapper (500). Nesting is bounded where bodies are decoded: 400 in the Ory shape, nothing written.
 */

let t: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  t = await startTestCore();
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(() => t?.stop());

const DEEP = 20_000;
const deepArray = (n: number) => `${"[".repeat(n)}1${"]".repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;

async function expectOryBadRequest(res: Response) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: { code: number; message: string; reason?: string } };
  expect(body.error.code).toBe(400);
  expect(body.error.reason).toMatch(/deeper than 64 levels/);
  expect(JSON.stringify(body)).not.toMatch(/RangeError|stack|at .*\.ts:\d+/);
}

async function identityCount(): Promise<number> {
  const [row] = await t.core.ctx.db.select({ n: sql<number>`count(*)::int` }).from(identities);
  return row!.n;
}

describe("nesting depth of request bodies", () => {
  it("finds the depth without parsing, ignoring brackets inside strings", () => {
    expect(nestsDeeperThan(deepArray(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(nestsDeeperThan(deepArray(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan(deepObject(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    // Many brackets side by side are not deep.
    expect(nestsDeeperThan(`[${"[],".repeat(1000)}[]]`, MAX_JSON_DEPTH)).toBe(false);
    // Brackets and escaped quotes inside strings do not count.
    const inString = JSON.stringify({ s: `\\"${"[{".repeat(1000)}` });
    expect(nestsDeeperThan(inString, MAX_JSON_DEPTH)).toBe(false);
    expect(parseJson(inString)).toEqual(JSON.parse(inString));
    expect(() => parseJson(deepArray(DEEP))).toThrow(/deeper than 64/);
    expect(() => parseJson("{")).toThrow(/not valid JSON/);
  });

  it("public API, JSON: a 20,000-deep trait → 400, no identity", async () => {
    const flow = await api.createNativeRegistrationFlow();
    const before = await identityCount();
    const res = await fetch(`${t.publicUrl}/self-service/registration?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"method":"password","password":"a long passphrase 42","traits":{"email":"deep@example.com","name":${deepObject(DEEP)}}}`,
    });
    await expectOryBadRequest(res);
    expect(await identityCount()).toBe(before);
  });

  it("public API, JSON: a 20,000-deep transient_payload on login → 400", async () => {
    const flow = await api.createNativeLoginFlow();
    const res = await fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"method":"password","identifier":"x@example.com","password":"y","transient_payload":${deepArray(DEEP)}}`,
    });
    await expectOryBadRequest(res);
  });

  it("public API, form: a field name with 20,000 dots → 400, no identity", async () => {
    const flow = await api.createNativeRegistrationFlow();
    const before = await identityCount();
    const form = new URLSearchParams({
      method: "password",
      password: "a long passphrase 42",
      "traits.email": "deepform@example.com",
      [`traits.name${".a".repeat(DEEP)}`]: "x",
    });
    const res = await fetch(`${t.publicUrl}/self-service/registration?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form.toString(),
    });
    await expectOryBadRequest(res);
    expect(await identityCount()).toBe(before);
  });

  it("admin API: a 20,000-deep metadata_public → 400, no identity; 10 levels still fine", async () => {
    const before = await identityCount();
    const res = await fetch(`${t.adminUrl}/admin/identities`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"schema_id":"default","traits":{"email":"deepadmin@example.com"},"metadata_public":${deepObject(DEEP)}}`,
    });
    await expectOryBadRequest(res);
    expect(await identityCount()).toBe(before);

    const ok = await fetch(`${t.adminUrl}/admin/identities`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"schema_id":"default","traits":{"email":"shallow@example.com"},"metadata_public":${deepObject(10)}}`,
    });
    expect(ok.status).toBe(201);
    const created = (await ok.json()) as { id: string; metadata_public: unknown };
    expect(JSON.stringify(created.metadata_public)).toBe(deepObject(10));

    const patch = await fetch(`${t.adminUrl}/admin/identities/${created.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: `[{"op":"replace","path":"/metadata_public","value":${deepArray(DEEP)}}]`,
    });
    await expectOryBadRequest(patch);
  });

  it("OAuth2 admin API: a 20,000-deep client document → 400 (create and JSON patch)", async () => {
    const res = await fetch(`${t.oauth2AdminUrl}/admin/clients`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"client_name":"deep","metadata":${deepObject(DEEP)}}`,
    });
    await expectOryBadRequest(res);

    const created = await fetch(`${t.oauth2AdminUrl}/admin/clients`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "shallow", redirect_uris: ["https://app.example/cb"] }),
    });
    expect(created.status).toBe(201);
    const { client_id } = (await created.json()) as { client_id: string };
    const patch = await fetch(`${t.oauth2AdminUrl}/admin/clients/${client_id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: `[{"op":"replace","path":"/metadata","value":${deepArray(DEEP)}}]`,
    });
    await expectOryBadRequest(patch);
  });
});
