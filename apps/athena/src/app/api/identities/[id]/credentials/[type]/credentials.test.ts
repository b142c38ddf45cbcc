import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, type IamHarness, startIam } from "@/test/iam-core";
import { DELETE } from "./route";

/*
 * DELETE /api/identities/{id}/credentials/{type} against a real IAM core: the viewer is refused, a
 * provider link is named by its identifier (required, bounded), a link the identity does not have is
 * the core's 404, and the password is never removed here.
 */

let iam: IamHarness;
const ids: Record<string, string> = {};
const cookies: Record<string, string> = {};

beforeAll(async () => {
  iam = await startIam();
  ids.admin = await iam.createIdentity("ada@creds.test", { metadata_admin: { role: "admin" } });
  ids.viewer = await iam.createIdentity("vic@creds.test", { metadata_admin: { role: "viewer" } });
  ids.user = await iam.createIdentity("una@creds.test");
  cookies.admin = await iam.cookieFor(ids.admin, "ada@creds.test", "admin");
  cookies.viewer = await iam.cookieFor(ids.viewer, "vic@creds.test", "viewer");
}, 120_000);
afterAll(() => iam?.stop());

const remove = (cookie: string, type: string, query = "") =>
  DELETE(apiRequest("DELETE", `/api/identities/${ids.user}/credentials/${type}${query}`, cookie), {
    params: Promise.resolve({ id: ids.user!, type }),
  });

const errorOf = async (res: Response) => ((await res.json()) as { error: { id: string } }).error.id;

describe("DELETE /api/identities/{id}/credentials/{type}", () => {
  it("refuses the viewer", async () => {
    const res = await remove(cookies.viewer!, "oidc", "?identifier=google%3A1");
    expect(res.status).toBe(403);
  });

  it("needs the provider link's identifier, bounded, and answers 404 for a link the identity does not have", async () => {
    const missing = await remove(cookies.admin!, "oidc");
    expect(missing.status).toBe(400);
    expect(await errorOf(missing)).toBe("identifier_required");
    const long = await remove(cookies.admin!, "oidc", `?identifier=${"g".repeat(1025)}`);
    expect(long.status).toBe(400);
    expect(await errorOf(long)).toBe("invalid_identifier");
    const absent = await remove(cookies.admin!, "oidc", "?identifier=google%3Anobody");
    expect(absent.status).toBe(404);
  });

  it("never removes the password, and the identity keeps it", async () => {
    const res = await remove(cookies.admin!, "password");
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe("credential_not_deletable");
    const after = (await iam.identity(ids.user!)) as { credentials?: Record<string, unknown> };
    expect(Object.keys(after.credentials ?? {})).toEqual(["password"]);
  });
});
