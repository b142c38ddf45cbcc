// One command, one run: every figure is measured here next to its baseline, on this machine, now.
// Load goes to 127.0.0.1 only and every loop is bounded in time.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { hash, verify } from "@node-rs/argon2";
import { createDomainClients, localEndpoints } from "@olympus/sdk";
import { createTestDatabase } from "@olympus/testdb";
import { freePort } from "@olympus/testkit";
import postgres from "postgres";
import { authorizationCodeFlow } from "./authcode.ts";
import { closedLoop, hammer, type LoadResult, loadGenerator } from "./load.ts";
import { peakRss, rssMb, startProcess, stop, waitReady } from "./proc.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const loginConcurrency = Number(process.env.BENCH_LOGIN_CONCURRENCY ?? 4);
const flowConcurrency = Number(process.env.BENCH_FLOW_CONCURRENCY ?? 8);

if (!process.env.TEST_DATABASE_URL) {
  process.env.TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
}

interface Row {
  figure: string;
  value: string;
  baseline: string;
  ratio: number | undefined;
  target: string;
  met: boolean | undefined;
}
const rows: Row[] = [];
const record = (r: Row) => {
  rows.push(r);
  console.log(
    `  ${r.figure}: ${r.value}${r.ratio !== undefined ? ` (ratio ${r.ratio.toFixed(2)})` : ""} — target ${r.target}: ${r.met === undefined ? "n/a" : r.met ? "met" : "NOT met"}`,
  );
};

const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);

/**
 * Every figure and its baseline get the same warm-up first (JIT, connection pools, caches): what is
 * measured is the steady state, not the first seconds of a process.
 */
async function measured(url: string, opts: Parameters<typeof hammer>[1]): Promise<LoadResult> {
  if (warmupSeconds > 0) await hammer(url, { ...opts, seconds: warmupSeconds });
  return hammer(url, opts);
}

async function warmedLoop(concurrency: number, task: () => Promise<void>): Promise<void> {
  if (warmupSeconds > 0) await closedLoop(concurrency, warmupSeconds, task);
}

function coreConfig(dsn: string, ports: { pub: number; adm: number; opub: number; oadm: number }): string {
  const dir = mkdtempSync(join(tmpdir(), "olympus-bench-"));
  const file = join(dir, "identity.yml");
  writeFileSync(
    file,
    [
      "domain: bench",
      `dsn: ${dsn}`,
      "serve:",
      `  public: { port: ${ports.pub} }`,
      `  admin: { port: ${ports.adm} }`,
      "selfservice:",
      "  default_browser_return_url: http://localhost:4455/",
      "  flows:",
      "    registration: { after: { password: { hooks: [ { hook: session } ] } } }",
      "    verification: { enabled: false }",
      "  methods: { password: { config: { haveibeenpwned_enabled: false } } }",
      "identity:",
      "  default_schema_id: default",
      "  schemas:",
      `    - { id: default, url: ${join(root, "seeds/ciam/schemas/default.schema.json")} }`,
      "courier: { worker: { enabled: false } }",
      "oauth2:",
      "  serve:",
      `    public: { port: ${ports.opub} }`,
      `    admin: { port: ${ports.oadm} }`,
      "secrets: { cipher: [ 'bench-cipher-key-0123456789abcde' ], cookie: [ 'bench-cookie-secret-0123456789' ] }",
      // One client hammering logins would meet the per-address rate limit; the bench measures throughput.
      "security: { rate_limit: { enabled: false } }",
      "log: { level: error }",
      "",
    ].join("\n"),
  );
  return file;
}

/** The core as deployed: its production bundle, built here first (about a second). */
function buildCore(): void {
  execFileSync(process.execPath, ["build.mjs"], { cwd: join(root, "apps/identity"), stdio: "inherit" });
}

/** Started as octl and the image start it: apps/identity/runtime.json's Node flags and environment. */
const runtime = JSON.parse(readFileSync(join(root, "apps/identity/runtime.json"), "utf8")) as {
  nodeArgs: string[];
  env: Record<string, string>;
};

function startCoreProcess(config: string) {
  return startProcess(
    process.execPath,
    [...runtime.nodeArgs, join(root, "apps/identity/dist/main.mjs"), "serve", "--config", config],
    runtime.env,
  );
}

async function main() {
  console.log(`Olympus identity core benchmark — ${new Date().toISOString()}`);
  console.log(
    `machine: ${availableParallelism()} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );

  console.log(
    `load generator: ${loadGenerator}${loadGenerator === "wrk" ? " (1 thread)" : " (in this process)"}`,
  );

  // Baseline: bare hono.
  const basePort = await freePort();
  const baseline = startProcess(process.execPath, [
    "--import",
    "tsx",
    join(root, "bench/src/baseline.ts"),
    String(basePort),
  ]);
  await waitReady(`http://127.0.0.1:${basePort}/json`);
  console.log("\nbaseline: bare hono JSON endpoint, 50 connections");
  const base = await measured(`http://127.0.0.1:${basePort}/json`, { connections: 50, seconds });
  console.log(`  ${base.rps.toFixed(0)} req/s, p99 ${base.p99} ms`);
  await stop(baseline);

  // Start to ready, on an empty database (migrations applied) and on a migrated one.
  const db = await createTestDatabase("olympus_bench");
  const ports = {
    pub: await freePort(),
    adm: await freePort(),
    opub: await freePort(),
    oadm: await freePort(),
  };
  const config = coreConfig(db.dsn, ports);
  const pubUrl = `http://127.0.0.1:${ports.pub}`;
  console.log("\nstart to ready (the production bundle, apps/identity/dist/main.mjs)");
  buildCore();
  let core = startCoreProcess(config);
  const coldMs = await waitReady(`${pubUrl}/health/ready`);
  await stop(core);
  core = startCoreProcess(config);
  const warmMs = await waitReady(`${pubUrl}/health/ready`);
  record({
    figure: "start to ready, empty database (migrations applied)",
    value: `${coldMs.toFixed(0)} ms`,
    baseline: "-",
    ratio: undefined,
    target: "≤ 1000 ms",
    met: coldMs <= 1000,
  });
  record({
    figure: "start to ready, migrated database",
    value: `${warmMs.toFixed(0)} ms`,
    baseline: "-",
    ratio: undefined,
    target: "≤ 1000 ms",
    met: warmMs <= 1000,
  });

  const pid = core.pid!;
  await new Promise((r) => setTimeout(r, 1000));
  const idleRss = rssMb(pid);

  // A user with a session.
  const sdk = createDomainClients({
    ...localEndpoints.ciam,
    publicUrl: pubUrl,
    adminUrl: `http://127.0.0.1:${ports.adm}`,
  });
  const password = "bench passphrase 2026";
  const flow = await sdk.frontend.createNativeRegistrationFlow();
  const reg = await sdk.frontend.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password, traits: { email: "bench@example.com" } },
  });
  const token = reg.session_token!;

  console.log("\n/sessions/whoami with a cookie session, 50 connections");
  const who = await peakRss(
    pid,
    measured(`${pubUrl}/sessions/whoami`, {
      connections: 50,
      seconds,
      headers: { cookie: `olympus_bench_session=${token}` },
    }),
  );
  const w: LoadResult = who.value;
  if (w.non2xx || w.errors) console.log(`  warning: ${w.non2xx} non-2xx, ${w.errors} errors`);
  record({
    figure: "whoami req/s",
    value: `${w.rps.toFixed(0)} req/s`,
    baseline: `${base.rps.toFixed(0)} req/s`,
    ratio: w.rps / base.rps,
    target: "≥ 0.5",
    met: w.rps / base.rps >= 0.5,
  });
  record({
    figure: "whoami p99",
    value: `${w.p99} ms`,
    baseline: `${base.p99} ms`,
    ratio: undefined,
    target: "< 20 ms",
    met: w.p99 < 20,
  });

  console.log(`\npassword logins vs raw argon2id verifies, concurrency ${loginConcurrency}`);
  const stored = await hash(password, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const rawVerify = async () => {
    if (!(await verify(stored, password))) throw new Error("verify failed");
  };
  const login = async () => {
    const f = await sdk.frontend.createNativeLoginFlow();
    await sdk.frontend.updateLoginFlow({
      flow: f.id,
      updateLoginFlowBody: { method: "password", identifier: "bench@example.com", password },
    });
  };
  await warmedLoop(loginConcurrency, rawVerify);
  const raw = await closedLoop(loginConcurrency, seconds, rawVerify);
  const logins = await peakRss(
    pid,
    warmedLoop(loginConcurrency, login).then(() => closedLoop(loginConcurrency, seconds, login)),
  );
  if (logins.value.failed) console.log(`  warning: ${logins.value.failed} failed logins`);
  const loginRatio = logins.value.perSecond / raw.perSecond;
  record({
    figure: "password logins/s",
    value: `${logins.value.perSecond.toFixed(1)}/s`,
    baseline: `${raw.perSecond.toFixed(1)} verifies/s`,
    ratio: loginRatio,
    target: "≥ 0.8",
    met: loginRatio >= 0.8,
  });

  console.log("\nOAuth2: client_credentials tokens and introspection, 50 connections");
  const oauthPublic = `http://127.0.0.1:${ports.opub}`;
  const oauthAdmin = `http://127.0.0.1:${ports.oadm}`;
  const created = await fetch(`${oauthAdmin}/admin/clients`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "bench",
      grant_types: ["client_credentials"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "read",
    }),
  });
  if (!created.ok)
    throw new Error(`creating the bench client: HTTP ${created.status} ${await created.text()}`);
  const client = (await created.json()) as { client_id: string; client_secret: string };
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString("base64")}`;
  const ccHeaders = { authorization: basic, "content-type": "application/x-www-form-urlencoded" };
  const cc = await peakRss(
    pid,
    measured(`${oauthPublic}/oauth2/token`, {
      method: "POST",
      headers: ccHeaders,
      body: "grant_type=client_credentials&scope=read",
      seconds,
    }),
  );
  if (cc.value.non2xx || cc.value.errors)
    console.log(`  warning: ${cc.value.non2xx} non-2xx, ${cc.value.errors} errors`);
  record({
    figure: "client_credentials tokens/s",
    value: `${cc.value.rps.toFixed(0)}/s`,
    baseline: `${base.rps.toFixed(0)} req/s`,
    ratio: cc.value.rps / base.rps,
    target: "≥ 0.15",
    met: cc.value.rps / base.rps >= 0.15,
  });
  const ccToken = (await (
    await fetch(`${oauthPublic}/oauth2/token`, {
      method: "POST",
      headers: ccHeaders,
      body: "grant_type=client_credentials&scope=read",
    })
  ).json()) as { access_token: string };
  const intro = await peakRss(
    pid,
    measured(`${oauthAdmin}/admin/oauth2/introspect`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `token=${encodeURIComponent(ccToken.access_token)}`,
      seconds,
    }),
  );
  if (intro.value.non2xx || intro.value.errors)
    console.log(`  warning: ${intro.value.non2xx} non-2xx, ${intro.value.errors} errors`);
  record({
    figure: "introspection req/s",
    value: `${intro.value.rps.toFixed(0)} req/s`,
    baseline: `${base.rps.toFixed(0)} req/s`,
    ratio: intro.value.rps / base.rps,
    target: "≥ 0.2",
    met: intro.value.rps / base.rps >= 0.2,
  });

  console.log(`\nOAuth2: full authorization-code flows with PKCE, concurrency ${flowConcurrency}`);
  const rp = await fetch(`${oauthAdmin}/admin/clients`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "bench relying party",
      grant_types: ["authorization_code"],
      response_types: ["code"],
      redirect_uris: ["http://127.0.0.1:5555/callback"],
      scope: "openid",
      token_endpoint_auth_method: "client_secret_basic",
    }),
  });
  if (!rp.ok) throw new Error(`creating the bench relying party: HTTP ${rp.status} ${await rp.text()}`);
  const rpClient = (await rp.json()) as { client_id: string; client_secret: string };
  const target = {
    oauth2PublicUrl: oauthPublic,
    oauth2AdminUrl: oauthAdmin,
    clientId: rpClient.client_id,
    clientSecret: rpClient.client_secret,
    redirectUri: "http://127.0.0.1:5555/callback",
  };
  await authorizationCodeFlow(target, "bench-user"); // fails loudly before measuring if the flow is broken
  const stats = postgres(db.dsn, { max: 1, onnotice: () => {} });
  const rowsWritten = async () =>
    Number(
      (
        await stats`select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint as n from pg_stat_user_tables`
      )[0]!.n,
    );
  const writesBefore = await rowsWritten();
  let flowErrors = 0;
  const flows = await peakRss(
    pid,
    closedLoop(flowConcurrency, seconds, async () => {
      try {
        await authorizationCodeFlow(target, "bench-user");
      } catch (e) {
        if (flowErrors++ === 0) console.log(`  first failure: ${String(e)}`);
        throw e;
      }
    }),
  );
  if (flows.value.failed) console.log(`  warning: ${flows.value.failed} failed flows`);
  record({
    figure: "authorization-code flows/s",
    value: `${flows.value.perSecond.toFixed(1)}/s`,
    baseline: "-",
    ratio: undefined,
    target: "-",
    met: undefined,
  });

  const peak = Math.max(who.peakMb, logins.peakMb, cc.peakMb, intro.peakMb, flows.peakMb);
  console.log(
    `  RSS peak by phase: whoami ${who.peakMb.toFixed(0)} MB, logins ${logins.peakMb.toFixed(0)} MB, client_credentials ${cc.peakMb.toFixed(0)} MB, introspection ${intro.peakMb.toFixed(0)} MB, authorization-code flows ${flows.peakMb.toFixed(0)} MB`,
  );
  record({
    figure: "RSS idle",
    value: `${idleRss.toFixed(0)} MB`,
    baseline: "-",
    ratio: undefined,
    target: "-",
    met: undefined,
  });
  record({
    figure: "RSS under load (peak)",
    value: `${peak.toFixed(0)} MB`,
    baseline: "-",
    ratio: undefined,
    target: "≤ 150 MB",
    met: peak <= 150,
  });

  // A backend flushes its table statistics when it exits: stop the core, then count the rows the
  // flows wrote (every INSERT, UPDATE and DELETE, by PostgreSQL's own statistics).
  await stop(core);
  await new Promise((r) => setTimeout(r, 500));
  const perFlow = (await rowsWritten()) - writesBefore;
  await stats.end();
  const flowsDone = flows.value.done + flows.value.failed;
  record({
    figure: "database rows written per authorization-code flow",
    value: flowsDone ? (perFlow / flowsDone).toFixed(2) : "-",
    baseline: "-",
    ratio: undefined,
    target: "≤ 4",
    met: flowsDone ? perFlow / flowsDone <= 4 : undefined,
  });
  await db.drop();

  // BENCH_RESULTS_FILE: the smoke test's own file, so it never overwrites a real run's results.
  const resultsFile = process.env.BENCH_RESULTS_FILE ?? join(root, "bench/results/latest.json");
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(
    resultsFile,
    JSON.stringify({ date: new Date().toISOString(), seconds, loadGenerator, rows }, null, 2),
  );
  console.log("\n| figure | value | baseline (same run) | ratio | target | met |\n|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.figure} | ${r.value} | ${r.baseline} | ${r.ratio === undefined ? "-" : r.ratio.toFixed(2)} | ${r.target} | ${r.met === undefined ? "-" : r.met ? "yes" : "no"} |`,
    );
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
