import { createHash, pbkdf2Sync, randomBytes } from "node:crypto";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import { Configuration, FrontendApi, IdentityApi, ResponseError } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../../testing/index.ts";

let t: TestCore;
let api: FrontendApi;
let admin: IdentityApi;

beforeAll(async () => {
  t = await startTestCore();
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
  admin = new IdentityApi(new Configuration({ basePath: t.adminUrl }));
});
afterAll(() => t?.stop());

async function login(identifier: string, password: string) {
  const flow = await api.createNativeLoginFlow();
  return api.updateLoginFlow({
    flow: flow.id,
    updateLoginFlowBody: { method: "password", identifier, password },
  });
}

async function storedHash(id: string): Promise<string> {
  const identity = await admin.getIdentity({ id, includeCredential: ["password"] });
  return (identity.credentials!.password!.config as { hashed_password: string }).hashed_password;
}

async function importWith(email: string, config: Record<string, unknown>) {
  return admin.createIdentity({
    createIdentityBody: {
      schema_id: "default",
      traits: { email },
      credentials: { password: { config } },
    },
  });
}

async function rejection(p: Promise<unknown>): Promise<{ status: number; reason: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResponseError);
  const res = (err as ResponseError).response;
  const body = (await res.json()) as { error: { reason: string } };
  return { status: res.status, reason: body.error.reason };
}

describe("password import", () => {
  it("imports a bcrypt hash; native login works and rehashes it to argon2id", async () => {
    const hashed = await bcryptHash("legacy bcrypt password", { cost: 4 });
    expect(hashed).toMatch(/^\$2[aby]\$04\$/);
    const identity = await importWith("bcrypt@example.com", { hashed_password: hashed });
    // The import stores the hash as given.
    expect(await storedHash(identity.id)).toBe(hashed);

    const res = await login("bcrypt@example.com", "legacy bcrypt password");
    expect(res.session.identity?.id).toBe(identity.id);
    const rehashed = await storedHash(identity.id);
    expect(rehashed).toMatch(/^\$argon2id\$v=19\$/);
    // The new hash still verifies, and a wrong password still fails.
    await login("bcrypt@example.com", "legacy bcrypt password");
    await expect(login("bcrypt@example.com", "not the password")).rejects.toBeInstanceOf(ResponseError);
  });

  it("imports a cleartext password by hashing it, without the password policy", async () => {
    // Too short and equal to the identifier: the policy would refuse it, an import must not.
    const identity = await importWith("short@example.com", { password: "short" });
    expect(await storedHash(identity.id)).toMatch(/^\$argon2id\$/);
    const res = await login("short@example.com", "short");
    expect(res.session.identity?.id).toBe(identity.id);
  });

  it("imports other supported formats (pbkdf2, salted sha)", async () => {
    const salt = randomBytes(16);
    const key = pbkdf2Sync("pbkdf2 password", salt, 1000, 32, "sha256");
    await importWith("pbkdf2@example.com", {
      hashed_password: `$pbkdf2-sha256$i=1000,l=32$${salt.toString("base64")}$${key.toString("base64")}`,
    });
    await login("pbkdf2@example.com", "pbkdf2 password");

    const ssha = createHash("sha1").update("ssha password").update(salt).digest();
    await importWith("ssha@example.com", {
      hashed_password: `{SSHA}${Buffer.concat([ssha, salt]).toString("base64")}`,
    });
    await login("ssha@example.com", "ssha password");
  });

  it("refuses unknown formats, unparsable hashes and excessive cost parameters with 400", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ hashed_password: "5f4dcc3b5aa765d61d8327deb882cf99" }, /does not match any known hash format/],
      [{ hashed_password: "$2b$10$tooshort" }, /could not be parsed/],
      [
        { hashed_password: await bcryptHash("x", { cost: 4 }).then((h) => h.replace("$04$", "$16$")) },
        /bounds/,
      ],
      [{ hashed_password: "$argon2id$v=19$m=4194304,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g" }, /bounds/],
      [{ hashed_password: "$pbkdf2-sha256$i=99999999,l=32$c2FsdA$aGFzaA" }, /bounds/],
      [{ hashed_password: "$scrypt$ln=20,r=8,p=1$c2FsdA$aGFzaA" }, /bounds/],
      [{ use_password_migration_hook: true }, /migration hook/],
      [{}, /one of password or hashed_password/],
      [{ hashed_password: 42 }, /hashed_password/],
    ];
    for (const [config, reason] of cases) {
      const res = await rejection(importWith("never@example.com", config));
      expect(res.status, JSON.stringify(config)).toBe(400);
      expect(res.reason, JSON.stringify(config)).toMatch(reason);
    }
    expect(await admin.listIdentities({ credentialsIdentifier: "never@example.com" })).toEqual([]);
  });
});
