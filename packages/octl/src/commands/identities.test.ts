// octl identities and clients against a real identity core (HTTP, PostgreSQL or PGlite): the CLI
// runs as a child process, as an administrator would run it.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { startTestCore, type TestCore } from "@olympus/identity/testing";
import { Configuration, FrontendApi, type Identity } from "@olympus/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, octl, tempHome } from "../testkit.ts";

/** A Kratos pbkdf2 hash (Node's OpenSSL), as a migration from another system would bring. */
function pbkdf2Hash(password: string): string {
  const salt = randomBytes(16);
  const key = pbkdf2Sync(password, salt, 1000, 32, "sha256");
  return `$pbkdf2-sha256$i=1000,l=32$${salt.toString("base64")}$${key.toString("base64")}`;
}

let t: TestCore;
let home: string;
beforeAll(async () => {
  t = await startTestCore({ overrides: { security: { rate_limit: { enabled: false } } } });
  home = tempHome();
}, 60_000);
afterAll(async () => {
  await t?.stop();
  await cleanup();
}, 60_000);

const admin = (args: string[]) => octl(home, [...args, "--admin-url", t.adminUrl]);
const json = <T>(stdout: string) => JSON.parse(stdout) as T;

async function signIn(identifier: string, password: string): Promise<boolean> {
  const api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
  const flow = await api.createNativeLoginFlow();
  return api
    .updateLoginFlow({ flow: flow.id, updateLoginFlowBody: { method: "password", identifier, password } })
    .then(
      () => true,
      () => false,
    );
}

/** Identities whose traits.email is `email` (with or without a password to look them up by). */
async function byEmail(email: string): Promise<Identity[]> {
  const res = await fetch(`${t.adminUrl}/admin/identities?page_size=1000`);
  return ((await res.json()) as Identity[]).filter((i) => (i.traits as { email?: string }).email === email);
}

type Report = { row: number; status: string; id?: string; identifier?: string; reason?: string }[];

describe("octl identities", () => {
  it("creates, gets, lists and deletes an identity; a missing one is a one-line 404", async () => {
    const created = await admin([
      "identities",
      "create",
      "--email",
      "cli@example.com",
      "--traits",
      '{"name":{"first":"Cli"}}',
      "--verified",
      "--json",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const identity = json<Identity>(created.stdout);
    expect(identity.traits).toEqual({ email: "cli@example.com", name: { first: "Cli" } });
    expect(identity.verifiable_addresses?.[0]?.verified).toBe(true);

    const list = await admin(["identities", "list"]);
    expect(list.code, list.stderr).toBe(0);
    const line = list.stdout.split("\n").find((l) => l.startsWith(identity.id));
    expect(line).toMatch(/cli@example\.com\s+default\s+active\s+yes/);
    expect(list.stdout.split("\n")[0]).toMatch(/^ID\s+IDENTIFIER\s+SCHEMA\s+STATE\s+VERIFIED\s+CREATED$/);

    const got = await admin(["identities", "get", identity.id, "--json"]);
    expect(json<Identity>(got.stdout).id).toBe(identity.id);

    const del = await admin(["identities", "delete", identity.id]);
    expect(del.code, del.stderr).toBe(0);
    const gone = await admin(["identities", "get", identity.id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/identity admin API at .* answered 404/);
    expect(gone.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("imports a CSV with good and bad rows: the good land whole, each bad one says why", async () => {
    const hashed = pbkdf2Hash("imported hash");
    const dir = tempHome();
    const file = join(dir, "people.csv");
    writeFileSync(
      file,
      [
        "email,name.first,age,password,hashed_password,email_verified",
        "ann@example.com,Ann,41,ann's password,,true",
        "bob@example.com,Bob,not a number,,,",
        "carl@example.com,Carl,30,,",
        "not-an-email,Dee,20,,,",
        `eve@example.com,"Eve, Jr.",,,"${hashed}",false`,
        "ann@example.com,Ann again,,,,",
        "fay@example.com,Fay,200,,,",
      ].join("\n"),
    );
    const run = await admin(["identities", "import", file, "--json"]);
    expect(run.code, run.stderr).toBe(1);
    const report = json<Report>(run.stdout);
    expect(
      report.map((r) => [r.row, r.status]),
      JSON.stringify(report),
    ).toEqual([
      [2, "created"],
      [3, "failed"],
      [4, "failed"],
      [5, "failed"],
      [6, "created"],
      [7, "failed"],
      [8, "failed"],
    ]);
    const reason = (row: number) => report.find((r) => r.row === row)!.reason;
    expect(report[4]!.reason).toBeUndefined();
    expect(reason(3)).toMatch(/age: "not a number" is not an integer/);
    expect(reason(4)).toMatch(/5 fields where the header has 6/);
    expect(reason(5)).toBe('traits.email: "not-an-email" is not valid "email"');
    expect(reason(7)).toMatch(/conflicts with another identity/);
    expect(reason(8)).toBe("traits.age: must be <= 150");

    const [ann] = await byEmail("ann@example.com");
    expect(ann!.traits).toEqual({ email: "ann@example.com", name: { first: "Ann" }, age: 41 });
    expect(ann!.verifiable_addresses?.[0]).toMatchObject({ value: "ann@example.com", verified: true });
    expect(await signIn("ann@example.com", "ann's password")).toBe(true);
    const [eve] = await byEmail("eve@example.com");
    expect(eve!.traits).toEqual({ email: "eve@example.com", name: { first: "Eve, Jr." } });
    expect(await signIn("eve@example.com", "imported hash")).toBe(true);
    for (const email of ["bob@example.com", "carl@example.com", "fay@example.com"]) {
      expect(await byEmail(email)).toEqual([]);
    }

    // The table says the same, and the tally goes to stderr.
    const again = await admin(["identities", "import", file]);
    expect(again.code).toBe(1);
    expect(again.stdout.split("\n")[0]).toMatch(/^ROW\s+RESULT\s+IDENTITY\s+IDENTIFIER\s+REASON$/);
    expect(again.stderr).toMatch(/0 imported, 7 refused/);
  });

  it("imports Kratos' JSON shape (hash, addresses, metadata); a misspelt field refuses only its item", async () => {
    const dir = tempHome();
    const file = join(dir, "kratos.json");
    const salt = "c2FsdA==";
    writeFileSync(
      file,
      JSON.stringify([
        {
          schema_id: "default",
          traits: { email: "gil@example.com" },
          metadata_public: { plan: "gold" },
          metadata_admin: { crm: 7 },
          verifiable_addresses: [
            { value: "gil@example.com", verified: true, via: "email", status: "completed" },
          ],
          credentials: { password: { config: { hashed_password: pbkdf2Hash("gil pw") } } },
        },
        { schema_id: "default", traits: { email: "hal@example.com" }, metadata_publik: {} },
        {
          schema_id: "default",
          traits: { email: "ivy@example.com" },
          credentials: { password: { config: { hashed_password: `$md5$${salt}` } } },
        },
        "not an identity",
      ]),
    );
    const run = await admin(["identities", "import", file, "--json"]);
    const report = json<Report>(run.stdout);
    expect(report.map((r) => [r.row, r.status])).toEqual([
      [1, "created"],
      [2, "failed"],
      [3, "created"],
      [4, "failed"],
    ]);
    expect(report[1]!.reason).toMatch(/metadata_publik/);
    expect(report[3]!.reason).toBe("not a JSON object");
    const [gil] = await byEmail("gil@example.com");
    expect(gil).toMatchObject({ metadata_public: { plan: "gold" }, metadata_admin: { crm: 7 } });
    expect(await signIn("gil@example.com", "gil pw")).toBe(true);
    expect(await byEmail("hal@example.com")).toEqual([]);
  });

  it("exports JSON (no secrets unless asked) and CSV that import back to the same identities", async () => {
    const plain = await admin(["identities", "export"]);
    expect(plain.code, plain.stderr).toBe(0);
    const items = json<Record<string, unknown>[]>(plain.stdout);
    const gil = items.find((i) => (i.traits as { email: string }).email === "gil@example.com")!;
    expect(gil).toEqual({
      schema_id: "default",
      traits: { email: "gil@example.com" },
      state: "active",
      metadata_public: { plan: "gold" },
      metadata_admin: { crm: 7 },
      verifiable_addresses: [{ value: "gil@example.com", via: "email", verified: true, status: "completed" }],
      recovery_addresses: [{ value: "gil@example.com", via: "email" }],
    });
    expect(plain.stdout).not.toMatch(/hashed_password|\$argon2|\$pbkdf2/);

    const dir = tempHome();
    const withHashes = join(dir, "all.json");
    const full = await admin(["identities", "export", "--include-credentials", "-o", withHashes]);
    expect(full.code, full.stderr).toBe(0);
    expect(statSync(withHashes).mode & 0o777).toBe(0o600);
    const csvFile = join(dir, "all.csv");
    expect((await admin(["identities", "export", "-o", csvFile])).code).toBe(0);
    const csv = readFileSync(csvFile, "utf8");
    expect(csv.split("\n")[0]).toBe(
      "id,schema_id,state,email_verified,email,age,name.first,metadata_public,metadata_admin,created_at",
    );

    // Delete two identities; importing the export brings them back (password and all), the rest exist.
    const [ann] = await byEmail("ann@example.com");
    const [eve] = await byEmail("eve@example.com");
    await admin(["identities", "delete", ann!.id, eve!.id]);
    const back = await admin(["identities", "import", withHashes, "--json"]);
    const report = json<Report>(back.stdout);
    expect(
      report
        .filter((r) => r.status === "created")
        .map((r) => r.identifier)
        .sort(),
    ).toEqual(["ann@example.com", "eve@example.com"]);
    expect(
      report
        .filter((r) => r.status === "failed")
        .every((r) => /conflicts with another identity/.test(r.reason!)),
    ).toBe(true);
    expect(await signIn("ann@example.com", "ann's password")).toBe(true);
    const [ann2] = await byEmail("ann@example.com");
    expect(ann2!.traits).toEqual(ann!.traits);
    expect(ann2!.verifiable_addresses?.[0]?.verified).toBe(true);

    // The CSV export imports too: deleted identities come back with their traits and verification.
    await admin(["identities", "delete", ann2!.id]);
    const fromCsv = json<Report>((await admin(["identities", "import", csvFile, "--json"])).stdout);
    expect(fromCsv.filter((r) => r.status === "created").map((r) => r.identifier)).toEqual([
      "ann@example.com",
    ]);
    const [ann3] = await byEmail("ann@example.com");
    expect(ann3!.traits).toEqual(ann!.traits);
    expect(ann3!.verifiable_addresses?.[0]?.verified).toBe(true);
  });

  it("refuses bad usage with exit 2 and an unreachable core with exit 1", async () => {
    const domain = await admin(["identities", "list", "--domain", "prod"]);
    expect(domain.code).toBe(2);
    expect(domain.stderr).toMatch(/--domain must be ciam or iam/);
    const noFile = await admin(["identities", "import", "/nonexistent/file.json"]);
    expect(noFile.code).toBe(2);
    const notCsv = join(tempHome(), "empty.csv");
    writeFileSync(notCsv, "");
    expect((await admin(["identities", "import", notCsv])).stderr).toMatch(/needs a header row/);
    const down = await octl(home, ["identities", "list", "--admin-url", "http://127.0.0.1:9"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the CIAM identity admin API at http:\/\/127\.0\.0\.1:9/);
  });
});

describe("octl clients", () => {
  it("creates a client Ory's way, lists it and deletes it", async () => {
    const oauth = (args: string[]) => octl(home, [...args, "--admin-url", t.oauth2AdminUrl]);
    const created = await oauth([
      "clients",
      "create",
      "--name",
      "reporting",
      "--grant-type",
      "client_credentials",
      "--scope",
      "read,write",
      "--json",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const client = json<{ client_id: string; client_secret: string; scope: string; grant_types: string[] }>(
      created.stdout,
    );
    expect(client).toMatchObject({ scope: "read write", grant_types: ["client_credentials"] });
    expect(client.client_secret.length).toBeGreaterThan(20);

    // The secret works at the token endpoint.
    const token = await fetch(`${t.oauth2PublicUrl}/oauth2/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64")}`,
      },
      body: "grant_type=client_credentials&scope=read",
    });
    expect(token.status).toBe(200);

    const list = await oauth(["clients", "list"]);
    expect(list.stdout).toMatch(new RegExp(`${client.client_id}\\s+reporting\\s+client_credentials`));
    expect(list.stdout).not.toContain(client.client_secret);
    expect((await oauth(["clients", "delete", client.client_id])).code).toBe(0);
    const after = json<{ client_id: string }[]>((await oauth(["clients", "list", "--json"])).stdout);
    expect(after.map((c) => c.client_id)).not.toContain(client.client_id);
    const again = await oauth(["clients", "delete", client.client_id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/OAuth2 admin API at .* answered 404/);
  });
});
