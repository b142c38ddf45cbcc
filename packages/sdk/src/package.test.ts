import { execFile, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestCore, type TestCore } from "@olympus/identity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * The SDK as a developer gets it: built with tsc, packed as it would be published (publishConfig
 * points `exports` at dist), unpacked into a fresh node_modules and imported by name from plain Node
 * (no tsx, no loader) and type-checked by tsc as a consumer would. The script talks to a real core.
 */

const pkgDir = fileURLToPath(new URL("..", import.meta.url));
// Inside the package, so the unpacked copy finds its dependencies the way an installed one would.
const cacheDir = join(pkgDir, "node_modules", ".cache");
let work: string;
let t: TestCore;

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const { NODE_OPTIONS: _ignored, ...rest } = process.env;
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...rest, ...env }, timeout: 240_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Runs a child without blocking this process, whose event loop serves the core the child calls. */
function runAsync(cmd: string, args: string[], cwd: string): Promise<string> {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env, encoding: "utf8", timeout: 60_000 }, (err, stdout, stderr) =>
      err
        ? reject(new Error(`${cmd} ${args.join(" ")}: ${err.message}\n${stdout}\n${stderr}`))
        : resolve(stdout),
    );
  });
}

beforeAll(async () => {
  t = await startTestCore({ overrides: { security: { rate_limit: { enabled: false } } } });
  mkdirSync(cacheDir, { recursive: true });
  work = mkdtempSync(join(cacheDir, "sdk-pack-"));
  run("pnpm", ["run", "build"], pkgDir);
  run("pnpm", ["pack", "--pack-destination", work], pkgDir);
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"))!;
  const into = join(work, "node_modules", "@olympus");
  mkdirSync(into, { recursive: true });
  run("tar", ["-xzf", join(work, tarball), "-C", into], work);
  rmSync(join(into, "sdk"), { recursive: true, force: true });
  run("mv", [join(into, "package"), join(into, "sdk")], work);
}, 300_000);
afterAll(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
  await t?.stop();
});

describe("@olympus/sdk as a package", () => {
  it("ships dist with types, exports types/default, and no sources or tests", () => {
    const manifest = JSON.parse(readFileSync(join(work, "node_modules/@olympus/sdk/package.json"), "utf8"));
    expect(manifest.exports).toEqual({ ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } });
    expect(manifest.dependencies["@olympus/platform"]).not.toContain("workspace:");
    const files = readdirSync(join(work, "node_modules/@olympus/sdk"), { recursive: true }).map(String);
    expect(files).toContain("README.md");
    expect(files).toContain(join("dist", "index.js"));
    expect(files).toContain(join("dist", "index.d.ts"));
    expect(files.filter((f) => f.startsWith("src") || f.includes(".test."))).toEqual([]);
  });

  it("runs from plain Node against a real core: Ory clients, Olympus pages and Ory-shaped errors", async () => {
    writeFileSync(
      join(work, "app.mjs"),
      `import { Configuration, IdentityApi, OlympusAdminApi, OlympusApiError, ResponseError, FetchError } from "@olympus/sdk";
const [adminUrl] = process.argv.slice(2);
const identity = new IdentityApi(new Configuration({ basePath: adminUrl }));
const created = [];
for (const n of [1, 2, 3]) {
  const i = await identity.createIdentity({ createIdentityBody: { schema_id: "default", traits: { email: "node-" + n + "@example.com" } } });
  created.push(i.id);
}
const olympus = new OlympusAdminApi(adminUrl);
const first = await olympus.auditPage({ event: "admin.identities.create", page_size: 2 });
const second = await olympus.auditPage({ event: "admin.identities.create", page_size: 2, page_token: first.next });
let refused;
try {
  await olympus.putSetting("security.brute_force.max_attempts", { value: 0 });
} catch (e) {
  refused = { ory: e instanceof ResponseError, olympus: e instanceof OlympusApiError, status: e.response.status, body: await e.response.json(), same: JSON.stringify(e.body) };
}
let unreachable;
try {
  await new OlympusAdminApi("http://127.0.0.1:9").stats();
} catch (e) {
  unreachable = e instanceof FetchError;
}
console.log(JSON.stringify({ created, first: first.items.length, next: Boolean(first.next), second: second.items.length, refused, unreachable }));
`,
    );
    const out = JSON.parse(await runAsync(process.execPath, ["app.mjs", t.adminUrl], work));
    expect(out.created).toHaveLength(3);
    expect(out.first).toBe(2);
    expect(out.next).toBe(true);
    expect(out.second).toBe(1);
    expect(out.refused).toMatchObject({ ory: true, olympus: true, status: 400 });
    expect(out.refused.body.error).toMatchObject({ code: 400, status: "Bad Request" });
    expect(out.refused.body.error.reason).toContain("security.brute_force.max_attempts must be an integer");
    expect(JSON.parse(out.refused.same)).toEqual(out.refused.body);
    expect(out.unreachable).toBe(true);
  });

  it("type-checks a TypeScript consumer against the shipped declarations", () => {
    writeFileSync(
      join(work, "package.json"),
      JSON.stringify({ name: "consumer", type: "module", private: true }),
    );
    writeFileSync(
      join(work, "consumer.ts"),
      `import { OlympusAdminApi, type OlympusRuntimeSetting, createDomainClients, localEndpoints } from "@olympus/sdk";
const api: OlympusAdminApi = createDomainClients(localEndpoints.ciam).olympus;
export async function keys(): Promise<string[]> {
  const all: OlympusRuntimeSetting[] = await api.runtimeSettings();
  return all.map((s) => s.key);
}
// @ts-expect-error runtimeSettings takes no argument: the declarations are real, not any.
api.runtimeSettings("x");
`,
    );
    writeFileSync(
      join(work, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          lib: ["ES2023", "DOM"],
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ["consumer.ts"],
      }),
    );
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    run(process.execPath, [tsc, "-p", "tsconfig.json"], work);
  });
});
