// Test helpers: run the real octl CLI as a child process against a temporary OLYMPUS_HOME, fake
// services (tiny Node scripts), free ports, and a cleanup that leaves no process behind.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ServiceManifest } from "./manifest.ts";
import { groupMembers, isAlive, signalGroup, signalProcess } from "./procs.ts";
import type { StackState } from "./state.ts";

const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Env for octl runs: no manifest or port overrides leaking in from the caller's shell. */
function cleanEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OLYMPUS_HOME: home, ...extra };
  for (const k of ["OLYMPUS_MANIFEST", "OLYMPUS_PORTS"]) if (!(k in extra)) delete env[k];
  return env;
}

/** Starts `octl ...args` (node --import tsx src/bin.ts); the caller waits or signals it. */
export function startOctl(home: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", TSX, BIN, ...args], {
    env: cleanEnv(home, env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const done = new Promise<RunResult>((resolve) => {
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done, output: () => stdout + stderr };
}

/** Runs `octl ...args` to completion (killed after timeoutMs). */
export async function octl(
  home: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 90_000,
): Promise<RunResult> {
  const run = startOctl(home, args, env);
  const timer = setTimeout(() => run.child.kill("SIGKILL"), timeoutMs);
  try {
    return await run.done;
  } finally {
    clearTimeout(timer);
  }
}

export { freePort } from "@olympus/testkit";

const homes: string[] = [];
const extraPids: number[] = [];

/** Every path under `dir` (itself included) that is not private: folders 0700, files 0600. */
export function notPrivate(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    const st = statSync(path);
    const mode = st.mode & 0o777;
    if (st.isDirectory()) {
      if (mode !== 0o700) out.push(`${path} ${mode.toString(8)}`);
      for (const e of readdirSync(path)) walk(join(path, e));
    } else if (mode !== 0o600) out.push(`${path} ${mode.toString(8)}`);
  };
  walk(dir);
  return out;
}

/** A fresh OLYMPUS_HOME, cleaned up by `cleanup()`. */
export function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), "octl-test-"));
  homes.push(dir);
  return dir;
}

/** Remember a pid that must be gone after the tests (killed with its group by `cleanup()`). */
export function track(pid: number | null | undefined): void {
  if (pid) extraPids.push(pid);
}

export function readStateFile(home: string): StackState | undefined {
  try {
    return JSON.parse(readFileSync(join(home, "state.json"), "utf8")) as StackState;
  } catch {
    return undefined;
  }
}

/** Every pid a home's state knows about (supervisor and services). */
export function statePids(home: string): number[] {
  const st = readStateFile(home);
  if (!st) return [];
  return [st.supervisorPid, ...st.services.map((s) => s.pid)].filter((p): p is number => !!p);
}

/** `octl down` in every temp home, then SIGKILL to anything still alive; removes the homes. */
export async function cleanup(): Promise<void> {
  for (const home of homes.splice(0)) {
    const pids = statePids(home);
    if (existsSync(join(home, "supervisor.pid")) || pids.some((p) => isAlive(p) || groupMembers(p).length)) {
      await octl(home, ["down", "--timeout", "10"], {}, 30_000).catch(() => undefined);
    }
    for (const pid of pids) {
      if (groupMembers(pid).length) signalGroup(pid, "SIGKILL");
      if (isAlive(pid)) signalProcess(pid, "SIGKILL");
    }
    rmSync(home, { recursive: true, force: true });
  }
  for (const pid of extraPids.splice(0)) {
    signalGroup(pid, "SIGKILL");
    signalProcess(pid, "SIGKILL");
  }
}

/** Polls until `fn` returns a truthy value; throws with `what` after timeoutMs. */
export async function eventually<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 20_000,
): Promise<Exclude<T, undefined | null | false | "" | 0>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as Exclude<T, undefined | null | false | "" | 0>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Fake services. `http.mjs` answers every request with 200 on $PORT (and exits 1
 * $CRASH_AFTER_MS after listening, when set); `crash.mjs` exits 1 at once; `family.mjs` starts a grandchild that
 * ignores SIGTERM, writes its pid to $GRANDCHILD_PIDFILE and listens on $PORT (TCP only).
 */
export function writeFakeServices(dir: string): { http: string; crash: string; family: string } {
  const http = join(dir, "http.mjs");
  writeFileSync(
    http,
    `import { createServer } from "node:http";
const port = Number(process.env.PORT);
createServer((req, res) => res.end("ok")).listen(port, "127.0.0.1", () => {
  console.log("listening on " + port);
  if (process.env.CRASH_AFTER_MS) {
    setTimeout(() => { console.error("fake service: crashing on purpose"); process.exit(1); }, Number(process.env.CRASH_AFTER_MS));
  }
});
process.on("SIGTERM", () => process.exit(0));
`,
  );
  const crash = join(dir, "crash.mjs");
  writeFileSync(crash, `console.error("fake service: exiting with 1"); process.exit(1);\n`);
  const family = join(dir, "family.mjs");
  writeFileSync(
    family,
    `import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
const grandchild = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);"], { stdio: "ignore" });
writeFileSync(process.env.GRANDCHILD_PIDFILE, String(grandchild.pid));
createServer((s) => s.end()).listen(Number(process.env.PORT), "127.0.0.1");
`,
  );
  return { http, crash, family };
}

/** Writes a JSON manifest into `dir` and returns its path. */
export function writeManifest(dir: string, services: ServiceManifest[]): string {
  const file = join(dir, "manifest.json");
  writeFileSync(file, JSON.stringify({ services }, null, 2));
  return file;
}

/** A fake HTTP service entry. */
export function httpService(
  name: string,
  script: string,
  port: number,
  extra: Partial<ServiceManifest> = {},
): ServiceManifest {
  return {
    name,
    description: `fake ${name}`,
    command: ["{node}", script],
    env: { PORT: "{port.http}", ...(extra.env ?? {}) },
    ports: [{ name: "http", port }],
    health: { url: "http://127.0.0.1:{port.http}/health" },
    dependsOn: [],
    urls: [{ label: name, url: "http://127.0.0.1:{port.http}" }],
    ...extra,
    ...(extra.env ? { env: { PORT: "{port.http}", ...extra.env } } : {}),
  };
}
