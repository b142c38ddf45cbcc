import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, type IamHarness, startIam } from "@/test/iam-core";

/*
 * Every Athena API route that changes something refuses the viewer role (issue 16). The routes are
 * found on disk, not listed by hand: a new route file with a POST, PUT, PATCH or DELETE handler is
 * called here with a viewer's session and must answer 403 `forbidden` — a write route guarded as
 * `read` (or not at all) fails this test. The role comes from a real IAM core's metadata_admin, so
 * a viewer whose cookie was sealed as admin is refused too; an administrator's identical request
 * gets past the guard (whatever the handler then says), which shows the 403 is the role's.
 */

const API_DIR = fileURLToPath(new URL(".", import.meta.url));
const WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"] as const;
/** Write handlers any signed-in person may call, and why. */
const OPEN_TO_VIEWERS: Record<string, string> = {
  "POST /api/auth/logout": "signing out is not a change to the domain's data",
};

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return routeFiles(p);
    return e.name === "route.ts" ? [p] : [];
  });
}

/** `/api/identities/[id]/credentials/[type]` with values that pass every route's own checks. */
function concrete(pattern: string): { path: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const path = pattern.replace(/\[(\w+)\]/g, (_m, name: string) => {
    const value =
      name === "type"
        ? "totp"
        : name === "identifier"
          ? "someone@example.com"
          : "00000000-0000-4000-8000-000000000001";
    params[name] = value;
    return encodeURIComponent(value);
  });
  return { path, params };
}

const endpoints: { name: string; path: string; params: Record<string, string>; handler: Handler }[] = [];
let iam: IamHarness;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  iam = await startIam();
  const viewer = await iam.createIdentity("viewer@routes.test", { metadata_admin: { role: "viewer" } });
  const admin = await iam.createIdentity("admin@routes.test", { metadata_admin: { role: "admin" } });
  cookies.viewer = await iam.cookieFor(viewer, "viewer@routes.test", "viewer");
  // A viewer holding a cookie that says admin (an old sign-in, a promotion since revoked…).
  cookies.staleAdmin = await iam.cookieFor(viewer, "viewer@routes.test", "admin");
  cookies.admin = await iam.cookieFor(admin, "admin@routes.test", "admin");
  for (const file of routeFiles(API_DIR).sort()) {
    const pattern = `/api/${relative(API_DIR, file).split(sep).slice(0, -1).join("/")}`;
    const mod = (await import(file)) as Record<string, unknown>;
    for (const method of WRITE_METHODS) {
      if (typeof mod[method] !== "function") continue;
      const name = `${method} ${pattern}`;
      if (OPEN_TO_VIEWERS[name]) continue;
      endpoints.push({ name, ...concrete(pattern), handler: mod[method] as Handler });
    }
  }
}, 120_000);
afterAll(() => iam?.stop());

const call = (e: (typeof endpoints)[number], cookie: string) =>
  e.handler(apiRequest(e.name.split(" ")[0]!, e.path, cookie, {}), { params: Promise.resolve(e.params) });

describe("every write route refuses the viewer role", () => {
  it("finds the write routes on disk", () => {
    const names = endpoints.map((e) => e.name);
    // A few that must be among them, so a broken scan cannot pass with an empty table.
    for (const known of [
      "POST /api/identities",
      "PUT /api/identities/[id]/role",
      "DELETE /api/identities/[id]",
      "POST /api/identities/bulk",
      "PUT /api/settings/vault",
      "PUT /api/settings/runtime/[key]",
      "DELETE /api/settings/runtime/[key]",
      "POST /api/schemas",
      "PUT /api/schemas/default",
      "DELETE /api/security/lockouts/[identifier]",
    ]) {
      expect(names).toContain(known);
    }
    expect(endpoints.length).toBeGreaterThanOrEqual(15);
  });

  it("answers 403 forbidden to a viewer, and to a viewer whose cookie says admin, on every one", async () => {
    const wrong: string[] = [];
    for (const e of endpoints) {
      for (const who of ["viewer", "staleAdmin"] as const) {
        const res = await call(e, cookies[who]!);
        const body = (await res.json().catch(() => ({}))) as { error?: { id?: string } };
        if (res.status !== 403 || body.error?.id !== "forbidden") {
          wrong.push(`${e.name} as ${who}: HTTP ${res.status} ${body.error?.id ?? ""}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("lets an administrator's identical request past the guard", async () => {
    const refused: string[] = [];
    for (const e of endpoints) {
      const res = await call(e, cookies.admin!);
      if (res.status === 401 || res.status === 403) refused.push(`${e.name}: HTTP ${res.status}`);
    }
    expect(refused).toEqual([]);
  });
});
