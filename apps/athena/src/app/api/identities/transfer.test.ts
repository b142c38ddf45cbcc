import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { ATHENA, apiRequest, type IamHarness, startIam } from "@/test/iam-core";
import { SESSION_COOKIE } from "@/lib/session/seal";
import { GET as exportRoute } from "./export/route";
import { POST as importRoute } from "./import/route";

/*
 * Athena's Import and Export against a real IAM core: a CSV upload lands its good rows and reports
 * the bad ones, the export downloads what is there, and viewers may do neither.
 */

let iam: IamHarness;
let admin: string;
let viewer: string;

beforeAll(async () => {
  iam = await startIam();
  const a = await iam.createIdentity("ada@iam.test", { metadata_admin: { role: "admin" } });
  const v = await iam.createIdentity("vic@iam.test", { metadata_admin: { role: "viewer" } });
  admin = await iam.cookieFor(a, "ada@iam.test", "admin");
  viewer = await iam.cookieFor(v, "vic@iam.test", "viewer");
}, 120_000);
afterAll(() => iam?.stop());

function upload(cookie: string, name: string, content: string): NextRequest {
  const form = new FormData();
  form.set("file", new File([content], name));
  return new NextRequest(`${ATHENA}/api/identities/import`, {
    method: "POST",
    headers: { origin: ATHENA, cookie: `${SESSION_COOKIE}=${cookie}` },
    body: form,
  });
}
const params = { params: Promise.resolve({}) };

describe("identity import and export in Athena", () => {
  it("imports a CSV: good rows land, bad rows come back with their reason", async () => {
    const res = await importRoute(
      upload(
        admin,
        "staff.csv",
        "email,password\nnew1@iam.test,a-long-test-password-1\nnot-an-email,\nnew1@iam.test,\n",
      ),
      params,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      created: number;
      failed: number;
      results: { row: number; status: string; reason?: string }[];
    };
    expect(body.created).toBe(1);
    expect(body.failed).toBe(2);
    expect(body.results.map((r) => [r.row, r.status])).toEqual([
      [2, "created"],
      [3, "failed"],
      [4, "failed"],
    ]);
    expect(body.results[1]!.reason).toMatch(/traits.email/);
    expect(body.results[2]!.reason).toMatch(/conflicts with another identity/);
    const found = await fetch(`${iam.core.adminUrl}/admin/identities?credentials_identifier=new1@iam.test`);
    expect(((await found.json()) as unknown[]).length).toBe(1);
  });

  it("refuses an unreadable file and a viewer, and writes nothing", async () => {
    const bad = await importRoute(upload(admin, "x.json", "{not json"), params);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/x.json: not JSON/);
    const denied = await importRoute(upload(viewer, "v.csv", "email\nviewer-made@iam.test\n"), params);
    expect(denied.status).toBe(403);
    const found = await fetch(`${iam.core.adminUrl}/admin/identities?page_size=500`);
    const emails = ((await found.json()) as { traits: { email: string } }[]).map((i) => i.traits.email);
    expect(emails).not.toContain("viewer-made@iam.test");
  });

  it("exports JSON and CSV downloads without credentials; viewers may not", async () => {
    const json = await exportRoute(apiRequest("GET", "/api/identities/export", admin), params);
    expect(json.status).toBe(200);
    expect(json.headers.get("content-disposition")).toMatch(/attachment; filename="identities-.*\.json"/);
    const text = await json.text();
    const items = JSON.parse(text) as { traits: { email: string } }[];
    expect(items.map((i) => i.traits.email).sort()).toEqual([
      "ada@iam.test",
      "new1@iam.test",
      "vic@iam.test",
    ]);
    expect(text).not.toMatch(/hashed_password|argon2/);
    const csv = await exportRoute(apiRequest("GET", "/api/identities/export?format=csv", admin), params);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect((await csv.text()).split("\n")[0]).toMatch(/^id,schema_id,state,.*email/);
    const denied = await exportRoute(apiRequest("GET", "/api/identities/export", viewer), params);
    expect(denied.status).toBe(403);
  });
});
