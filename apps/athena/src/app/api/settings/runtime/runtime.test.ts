import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, type IamHarness, startIam } from "@/test/iam-core";
import { DELETE, PUT } from "./[key]/route";
import { GET } from "./route";

/*
 * The typed run-time settings through Athena's API and a real core: the core types and explains each
 * key, refuses a bad value with its reason (shown as Athena's 400), applies a good one at once, and a
 * reset gives the configuration file's value back. Keys that are not run-time settings are not here.
 */

let iam: IamHarness;
const cookies: Record<string, string> = {};
const KEY = "security.brute_force.window_seconds";

beforeAll(async () => {
  iam = await startIam();
  const admin = await iam.createIdentity("ada@settings.test", { metadata_admin: { role: "admin" } });
  const viewer = await iam.createIdentity("vic@settings.test", { metadata_admin: { role: "viewer" } });
  cookies.admin = await iam.cookieFor(admin, "ada@settings.test", "admin");
  cookies.viewer = await iam.cookieFor(viewer, "vic@settings.test", "viewer");
}, 120_000);
afterAll(() => iam?.stop());

const put = (cookie: string | undefined, key: string, body: unknown) =>
  PUT(apiRequest("PUT", `/api/settings/runtime/${key}`, cookie, body), { params: Promise.resolve({ key }) });
const del = (cookie: string | undefined, key: string) =>
  DELETE(apiRequest("DELETE", `/api/settings/runtime/${key}`, cookie, undefined), {
    params: Promise.resolve({ key }),
  });
type Setting = {
  key: string;
  value: unknown;
  default: unknown;
  overridden: boolean;
  schema: { type: string };
};
const list = async (cookie: string | undefined) =>
  (
    (await (
      await GET(apiRequest("GET", "/api/settings/runtime", cookie), { params: Promise.resolve({}) })
    ).json()) as {
      settings: Setting[];
    }
  ).settings;

describe("/api/settings/runtime", () => {
  it("lists every run-time setting typed, for viewers too", async () => {
    const settings = await list(cookies.viewer);
    expect(settings.map((s) => s.key)).toContain(KEY);
    expect(settings.find((s) => s.key === KEY)).toMatchObject({
      schema: { type: "integer" },
      default: 600,
      value: 600,
      overridden: false,
    });
  });

  it("refuses a bad value with the core's reason, stores a good one, resets to the file's value", async () => {
    for (const value of [0, -1, 86_400 * 31, 1.5, "ten", true]) {
      const res = await put(cookies.admin, KEY, { value });
      expect(res.status, JSON.stringify(value)).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
        `${KEY} must be an integer from 1 to 2592000 (seconds)`,
      );
    }
    expect((await list(cookies.admin)).find((s) => s.key === KEY)!.overridden).toBe(false);

    expect((await put(cookies.admin, KEY, { value: 90 })).status).toBe(200);
    expect((await list(cookies.admin)).find((s) => s.key === KEY)).toMatchObject({
      value: 90,
      overridden: true,
    });
    const audit = (await (
      await fetch(`${iam.core.adminUrl}/admin/olympus/audit?event=admin.settings.update&target=${KEY}`)
    ).json()) as { metadata: { admin?: string } }[];
    expect(audit[0]?.metadata.admin).toBe("ada@settings.test");

    expect((await del(cookies.admin, KEY)).status).toBe(200);
    expect((await list(cookies.admin)).find((s) => s.key === KEY)).toMatchObject({
      value: 600,
      overridden: false,
    });
  });

  it("answers 404 for keys that are not run-time settings, and the viewer 403", async () => {
    expect((await put(cookies.admin, "app.free-form", { value: 1 })).status).toBe(404);
    expect((await put(cookies.admin, "__proto__", { value: 1 })).status).toBe(404);
    expect((await put(cookies.admin, KEY, { value: { nested: 1 } })).status).toBe(400);
    expect((await put(cookies.viewer, KEY, { value: 90 })).status).toBe(403);
    expect((await del(cookies.viewer, KEY)).status).toBe(403);
  });
});
