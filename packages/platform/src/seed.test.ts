// The seed program (as the compose stack runs it) against stand-ins of each domain's admin APIs: it creates exactly what
// seeds/<domain>/ describes, in that domain only, changes nothing when run again, and fails loudly.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { DOMAINS } from "./index.mjs";

const script = fileURLToPath(new URL("./seed.mjs", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

interface FakeAdmin {
  url: string;
  identities: { traits: { email: string } }[];
  clients: { client_id: string }[];
  writes: string[];
  failWrites: boolean;
  server: Server;
}

/** One domain's Kratos and Hydra admin APIs, as far as the seed uses them. */
async function fakeAdmin(): Promise<FakeAdmin> {
  const fake = { identities: [], clients: [], writes: [], failWrites: false } as unknown as FakeAdmin;
  fake.server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    let body = "";
    for await (const chunk of req) body += chunk;
    const reply = (status: number, data: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(data));
    };
    if (req.method === "POST" || req.method === "PATCH") {
      fake.writes.push(`${req.method} ${url.pathname}`);
      if (fake.failWrites) return reply(500, { error: { code: 500, message: "boom" } });
    }
    const client = /^\/admin\/clients\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && url.pathname === "/admin/identities") {
      const id = url.searchParams.get("credentials_identifier");
      return reply(
        200,
        fake.identities.filter((i) => i.traits.email === id),
      );
    }
    if (req.method === "POST" && url.pathname === "/admin/identities") {
      fake.identities.push(JSON.parse(body));
      return reply(201, {});
    }
    if (req.method === "GET" && client) {
      const found = fake.clients.find((c) => c.client_id === decodeURIComponent(client[1]!));
      return found ? reply(200, found) : reply(404, { error: "not_found" });
    }
    if (req.method === "PATCH" && client) {
      // Hydra's JSON patch, as far as the seed sends it: one field set.
      const found = fake.clients.find((c) => c.client_id === decodeURIComponent(client[1]!));
      if (!found) return reply(404, { error: "not_found" });
      for (const op of JSON.parse(body) as { op: string; path: string; value: unknown }[]) {
        if (op.op !== "add" && op.op !== "replace") return reply(400, { error: "invalid_request" });
        (found as Record<string, unknown>)[op.path.slice(1)] = op.value;
      }
      return reply(200, found);
    }
    if (req.method === "POST" && url.pathname === "/admin/clients") {
      fake.clients.push(JSON.parse(body));
      return reply(201, {});
    }
    reply(404, { error: "not_found" });
  });
  await new Promise<void>((r) => fake.server.listen(0, "127.0.0.1", r));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return fake;
}

function runSeed(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script], { env: { PATH: process.env.PATH, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const WORKFORCE_SECRET = "a-secret-of-this-deployment-0123456789";

const seedFile = (d: string, f: string) =>
  JSON.parse(readFileSync(join(repoRoot, "seeds", d, f), "utf8")) as unknown[];

describe("seed program", () => {
  const fakes: FakeAdmin[] = [];
  afterEach(() => {
    for (const f of fakes.splice(0)) f.server.close();
  });

  async function stack() {
    const admins = { ciam: await fakeAdmin(), iam: await fakeAdmin() };
    fakes.push(admins.ciam, admins.iam);
    const env: Record<string, string> = {
      SEEDS_DIR: join(repoRoot, "seeds"),
      SEED_DOMAINS: "ciam,iam",
      SEED_SECRET_WORKFORCE_CLIENT: WORKFORCE_SECRET,
    };
    for (const d of DOMAINS) {
      // Kratos and Hydra admin of a domain on one stand-in; the seed tells them apart by path.
      env[`${d.toUpperCase()}_KRATOS_ADMIN_URL`] = admins[d].url;
      env[`${d.toUpperCase()}_HYDRA_ADMIN_URL`] = `${admins[d].url}/`;
    }
    return { admins, env };
  }

  it("creates each domain's identities and OAuth2 clients, as written in seeds/, in that domain only", async () => {
    const { admins, env } = await stack();
    const run = await runSeed(env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    for (const d of DOMAINS) {
      expect(admins[d].identities).toEqual(seedFile(d, "identities.json"));
      // {secret.NAME} in clients.json is the deployment's secret; the rest goes as written.
      const expected = (seedFile(d, "clients.json") as { client_secret?: string }[]).map((c) =>
        c.client_secret === "{secret.workforce-client}" ? { ...c, client_secret: WORKFORCE_SECRET } : c,
      );
      expect(admins[d].clients).toEqual(expected);
    }
    expect(admins.iam.clients.find((c) => c.client_id === "ciam-workforce")).toMatchObject({
      client_secret: WORKFORCE_SECRET,
    });
    expect(run.stdout).toMatch(/Seeded CIAM: identities: 1 created; OAuth2 clients: 2 created/);
    expect(run.stdout).toMatch(/Seeded IAM: identities: 2 created; OAuth2 clients: 5 created/);
  });

  it("refuses a client whose {secret.NAME} the deployment did not give, creating no such client", async () => {
    const { admins, env } = await stack();
    const { SEED_SECRET_WORKFORCE_CLIENT: _gone, ...without } = env;
    const run = await runSeed(without);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /Seeding IAM failed: iam\/clients\.json: client ciam-workforce needs the deployment secret workforce-client \(as a program: SEED_SECRET_WORKFORCE_CLIENT\)/,
    );
    expect(admins.iam.clients.some((c) => c.client_id === "ciam-workforce")).toBe(false);
    expect(JSON.stringify(admins.iam.clients)).not.toContain("{secret.");
  });

  it("changes nothing when run again but the secrets the deployment owns", async () => {
    const { admins, env } = await stack();
    expect((await runSeed(env)).code).toBe(0);
    const writes = DOMAINS.map((d) => admins[d].writes.length);
    const again = await runSeed(env);
    expect(again.code).toBe(0);
    expect(admins.ciam.writes.length).toBe(writes[0]);
    expect(admins.iam.writes.slice(writes[1])).toEqual(["PATCH /admin/clients/ciam-workforce"]);
    expect(again.stdout).toMatch(
      /IAM: identities: 0 created, 2 already there; OAuth2 clients: 0 created, 5 already there/,
    );
  });

  it("gives a client left by an earlier deployment this deployment's secret, keeping the admin's edits", async () => {
    const { admins, env } = await stack();
    // The same database, seeded by an earlier deployment with its own secret, then edited by an admin.
    const earlier = await runSeed({
      ...env,
      SEED_SECRET_WORKFORCE_CLIENT: "the-earlier-deployment-secret-000000",
    });
    expect(earlier.code).toBe(0);
    const workforce = () =>
      admins.iam.clients.find((c) => c.client_id === "ciam-workforce") as Record<string, unknown>;
    workforce().client_name = "Renamed by an admin";
    const run = await runSeed(env);
    expect(run.code).toBe(0);
    expect(workforce()).toMatchObject({
      client_secret: WORKFORCE_SECRET,
      client_name: "Renamed by an admin",
    });
    // Clients whose secret is written in seeds/ (or that have none) are left alone.
    expect(admins.iam.writes.filter((w) => w.startsWith("PATCH"))).toEqual([
      "PATCH /admin/clients/ciam-workforce",
    ]);
  });

  it("exits non-zero, naming the domain and the answer, when an admin API refuses", async () => {
    const { admins, env } = await stack();
    admins.iam.failWrites = true;
    const run = await runSeed(env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Seeded CIAM/);
    expect(run.stderr).toMatch(/Seeding IAM failed: creating admin@demo\.user: HTTP 500/);
  });

  it("exits non-zero when an admin API cannot be reached", async () => {
    const { env } = await stack();
    const run = await runSeed({ ...env, CIAM_KRATOS_ADMIN_URL: "http://127.0.0.1:9" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Seeding CIAM failed: GET http:\/\/127\.0\.0\.1:9\/admin\/identities/);
  });
});
