import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, type IamHarness, startIam } from "@/test/iam-core";
import { PUT as resetPassword } from "./[id]/password/route";
import { POST as create } from "./route";

/*
 * One password policy, the core's (issue 16, finding 6): Athena used its own 12-character minimum and
 * no strength check, the core 8 and (now) zxcvbn. Passwords an administrator sets go through the
 * core's POST /admin/olympus/password-policy/check, against a real IAM core.
 */

let iam: IamHarness;
let cookie: string;
let target: string;

beforeAll(async () => {
  iam = await startIam();
  const admin = await iam.createIdentity("ada@iam.test", { metadata_admin: { role: "admin" } });
  target = await iam.createIdentity("tom@iam.test", { metadata_admin: { role: "viewer" } });
  cookie = await iam.cookieFor(admin, "ada@iam.test", "admin");
}, 120_000);
afterAll(() => iam?.stop());

const createWith = (email: string, password: string) =>
  create(apiRequest("POST", "/api/identities", cookie, { schema_id: "admin", traits: { email }, password }), {
    params: Promise.resolve({}),
  });
const reset = (password: string) =>
  resetPassword(apiRequest("PUT", `/api/identities/${target}/password`, cookie, { password }), {
    params: Promise.resolve({ id: target }),
  });

async function errorOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: { message: string } }).error.message;
}

describe("Athena applies the core's password policy", () => {
  it("refuses a common password on create, with the core's reason, and creates nothing", async () => {
    for (const [i, password] of ["password", "12345678", "aaaaaaaa"].entries()) {
      const res = await createWith(`weak${i}@iam.test`, password);
      expect(res.status, password).toBe(400);
      expect(await errorOf(res)).toMatch(
        /password: The password can not be used because it is too easy to guess/,
      );
    }
    const found = await fetch(`${iam.core.adminUrl}/admin/identities?credentials_identifier=weak0@iam.test`);
    expect(await found.json()).toEqual([]);
  });

  it("accepts what the core accepts: an 11-character strong password (Athena's old rule wanted 12)", async () => {
    const res = await createWith("strong@iam.test", "Kv9#tq-Lm2x");
    expect(res.status).toBe(201);
    const short = await createWith("short@iam.test", "Kv9#tq");
    expect(short.status).toBe(400);
    expect(await errorOf(short)).toMatch(/at least 8 characters/);
  });

  it("refuses a weak password on reset, and sets a strong one", async () => {
    const weak = await reset("12345678");
    expect(weak.status).toBe(400);
    expect(await errorOf(weak)).toMatch(/too easy to guess/);
    expect((await reset("CustomerTest123!")).status).toBe(200);
  });
});
