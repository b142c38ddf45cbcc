import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type MailCatcher, testConfig } from "../testing/index.ts";

/*
 * The real identity core as a child process (`tsx src/main.ts serve`), for the reliability tests
 * that need signals (SIGTERM, SIGKILL) and restarts. Ports are 0 (the OS picks); the real ones are
 * read from the core's "identity core listening" log line.
 */

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Writes a config file (JSON is YAML) for a child core on `dsn`, logging at info. */
export function writeChildConfig(opts: {
  dsn: string;
  mail?: MailCatcher;
  overrides?: Record<string, unknown>;
}): string {
  const config = testConfig({ ...opts, overrides: { log: { level: "info" }, ...(opts.overrides ?? {}) } });
  const file = join(mkdtempSync(join(tmpdir(), "olympus-reliability-")), "identity.yml");
  writeFileSync(file, JSON.stringify(config));
  return file;
}

export interface ChildCore {
  proc: ChildProcess;
  publicUrl: string;
  adminUrl: string;
  oauth2PublicUrl: string;
  oauth2AdminUrl: string;
  /** Every JSON log line the child wrote to stderr so far (and any other stderr text as `{ raw }`). */
  logs: Record<string, unknown>[];
  /** Resolves with the exit code (null when a signal ended it) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ends the child if it still runs (SIGKILL) and waits for it. */
  kill(): Promise<void>;
}

/** Spawns `tsx src/main.ts serve --config <file> [...args]`; `ready` waits for the listening line. */
export function spawnCore(
  configFile: string,
  opts: { args?: string[]; env?: Record<string, string>; waitReady?: boolean; timeoutMs?: number } = {},
): Promise<ChildCore> {
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", "src/main.ts", "serve", "--config", configFile, ...(opts.args ?? [])],
    { cwd: root, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...(opts.env ?? {}) } },
  );
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const child: ChildCore = {
    proc,
    publicUrl: "",
    adminUrl: "",
    oauth2PublicUrl: "",
    oauth2AdminUrl: "",
    logs,
    exited,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    let buffered = "";
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      proc.kill("SIGKILL");
      reject(new Error(`the child core did not start within ${opts.timeoutMs ?? 45_000} ms`));
    }, opts.timeoutMs ?? 45_000);
    proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      let nl = buffered.indexOf("\n");
      while (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf("\n");
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          entry = { raw: line };
        }
        logs.push(entry);
        if (entry.msg === "identity core listening" && !settled) {
          const port = (u: unknown) => new URL(String(u)).port;
          child.publicUrl = `http://127.0.0.1:${port(entry.public)}`;
          child.adminUrl = `http://127.0.0.1:${port(entry.admin)}`;
          child.oauth2PublicUrl = `http://127.0.0.1:${port(entry.oauth2_public)}`;
          child.oauth2AdminUrl = `http://127.0.0.1:${port(entry.oauth2_admin)}`;
          settled = true;
          clearTimeout(timer);
          resolve(child);
        }
      }
    });
    void exited.then(() => {
      if (settled) return;
      if (opts.waitReady === false) {
        settled = true;
        clearTimeout(timer);
        resolve(child);
        return;
      }
      settled = true;
      clearTimeout(timer);
      reject(new Error(`the child core exited before listening: ${JSON.stringify(logs.slice(-5))}`));
    });
  });
}

/** Polls `probe` until it returns true, for at most `ms`; returns whether it did. */
export async function within(ms: number, probe: () => Promise<boolean>, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Writes a reliability summary to .reports/reliability-<name>.json and prints its one line. */
export async function writeSummary(
  name: string,
  stats: { requests: number; faults: number; errors: number; lost: number },
  extra: Record<string, unknown> = {},
): Promise<void> {
  const { mkdirSync, writeFileSync: write } = await import("node:fs");
  const summary = {
    name,
    requests_sent: stats.requests,
    faults_injected: stats.faults,
    errors_seen: stats.errors,
    data_lost: stats.lost,
    ...extra,
  };
  mkdirSync(new URL("../../.reports/", import.meta.url), { recursive: true });
  write(
    new URL(`../../.reports/reliability-${name}.json`, import.meta.url),
    JSON.stringify(summary, null, 2),
  );
  console.log(`reliability ${name}: ${JSON.stringify(summary)}`);
}
