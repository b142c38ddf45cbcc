// Kratos' migration hash formats (crypt(3) MD5/SHA-256/SHA-512, Firebase scrypt, MD5, HMAC): an
// imported hash signs its user in once and is then replaced by argon2id; a wrong password fails.
// Hashes come from OpenSSL (`openssl passwd`, Node's crypto) and from published test vectors.
import { execFileSync } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { Configuration, FrontendApi, IdentityApi, ResponseError } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../../testing/index.ts";

let t: TestCore;
let api: FrontendApi;
let admin: IdentityApi;

beforeAll(async () => {
  t = await startTestCore({ overrides: { security: { rate_limit: { enabled: false } } } });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
  admin = new IdentityApi(new Configuration({ basePath: t.adminUrl }));
}, 60_000);
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

let n = 0;
/** Imports `hashed` and checks: stored as given, wrong password refused, right one signs in and rehashes. */
async function importAndSignIn(hashed: string, password: string): Promise<void> {
  const email = `legacy-${++n}@example.com`;
  const identity = await admin.createIdentity({
    createIdentityBody: {
      schema_id: "default",
      traits: { email },
      credentials: { password: { config: { hashed_password: hashed } } },
    },
  });
  expect(await storedHash(identity.id)).toBe(hashed);
  await expect(login(email, `${password}x`)).rejects.toBeInstanceOf(ResponseError);
  expect(await storedHash(identity.id)).toBe(hashed);
  const res = await login(email, password);
  expect(res.session.identity?.id).toBe(identity.id);
  expect(await storedHash(identity.id)).toMatch(/^\$argon2id\$v=19\$/);
  await login(email, password);
}

async function refusal(hashed: string): Promise<{ status: number; reason: string }> {
  const err = await admin
    .createIdentity({
      createIdentityBody: {
        schema_id: "default",
        traits: { email: "never-legacy@example.com" },
        credentials: { password: { config: { hashed_password: hashed } } },
      },
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err, hashed).toBeInstanceOf(ResponseError);
  const res = (err as ResponseError).response;
  return { status: res.status, reason: ((await res.json()) as { error: { reason: string } }).error.reason };
}

const opensslPasswd = (alg: "1" | "5" | "6", salt: string, password: string) =>
  execFileSync("openssl", ["passwd", `-${alg}`, "-salt", salt, "-stdin"], { input: password })
    .toString()
    .trim();

/** Kratos names crypt(3) hashes by algorithm: `$md5-crypt$`, `$sha256-crypt$`, `$sha512-crypt$`. */
const kratosCrypt = (crypt: string) =>
  crypt
    .replace(/^\$1\$/, "$md5-crypt$")
    .replace(/^\$5\$/, "$sha256-crypt$")
    .replace(/^\$6\$/, "$sha512-crypt$");

describe("legacy hash import", () => {
  it("md5-crypt, sha256-crypt and sha512-crypt made by openssl passwd (non-ASCII password too)", async () => {
    for (const alg of ["1", "5", "6"] as const) {
      const password = `pässwörd ${randomBytes(4).toString("hex")}`;
      const salt = randomBytes(6).toString("base64").replace(/[+/]/g, ".");
      await importAndSignIn(kratosCrypt(opensslPasswd(alg, salt, password)), password);
    }
    // The crypt(3) form itself is accepted as well.
    await importAndSignIn(opensslPasswd("6", "rawcrypt", "raw crypt password"), "raw crypt password");
  });

  it("sha-crypt with explicit rounds (Drepper's published vectors, reproduced by glibc)", async () => {
    await importAndSignIn(
      "$sha512-crypt$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.",
      "Hello world!",
    );
    await importAndSignIn(
      "$sha256-crypt$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5",
      "Hello world!",
    );
  });

  it("Firebase scrypt (the sample hash of Firebase's scrypt documentation)", async () => {
    await importAndSignIn(
      "$firescrypt$ln=14,r=8,p=1$42xEC+ixf3L2lw==$lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==$Bw==$jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==",
      "user1password",
    );
  });

  it("md5, plain and with a salting format", async () => {
    const plain = createHash("md5").update("md5 password").digest("base64");
    await importAndSignIn(`$md5$${plain}`, "md5 password");
    const salt = "s4lt";
    const salted = createHash("md5").update(`${salt}:salted md5`).digest("base64");
    const pf = Buffer.from("{SALT}:{PASSWORD}").toString("base64");
    await importAndSignIn(`$md5$pf=${pf}$${Buffer.from(salt).toString("base64")}$${salted}`, "salted md5");
  });

  it("hmac-sha256 and hmac-sha1", async () => {
    for (const alg of ["sha256", "sha1"]) {
      const key = randomBytes(16);
      const mac = createHmac(alg, key).update("hmac password").digest("hex");
      await importAndSignIn(
        `$hmac-${alg}$${Buffer.from(mac).toString("base64")}$${key.toString("base64")}`,
        "hmac password",
      );
    }
  });

  it("refuses malformed legacy hashes, too many sha-crypt rounds and hmac-md4 with 400", async () => {
    const cases: [string, RegExp][] = [
      ["$md5-crypt$saltsalt$tooshort", /could not be parsed/],
      ["$sha512-crypt$rounds=999999999$salt$" + "a".repeat(86), /bounds/],
      [`$sha256-crypt$rounds=20001$salt$${"a".repeat(43)}`, /bounds/],
      ["$firescrypt$ln=30,r=8,p=1$c2FsdA==$aGFzaA==$Bw==$a2V5", /bounds/],
      ["$firescrypt$ln=14,r=8$c2FsdA==$aGFzaA==", /could not be parsed/],
      ["$md5$not base64!", /could not be parsed/],
      ["$hmac-md4$YWJj$a2V5", /hmac-md4/],
      ["$hmac-sha256$onlyonepart", /could not be parsed/],
    ];
    for (const [hashed, reason] of cases) {
      const res = await refusal(hashed);
      expect(res.status, hashed).toBe(400);
      expect(res.reason, hashed).toMatch(reason);
    }
    expect(await admin.listIdentities({ credentialsIdentifier: "never-legacy@example.com" })).toEqual([]);
  });
});
