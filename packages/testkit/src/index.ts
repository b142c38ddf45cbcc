// Process and port helpers for tests that run real components: the e2e stacks, octl's tests, the
// identity core's mail catcher, the benchmarks. One copy, so a fix (a process group left behind,
// a port probed on the wrong address) reaches every suite.
import { accessSync, constants, createWriteStream, mkdirSync } from "node:fs";
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

/** A TCP port that was free on `host` a moment ago (the kernel's pick). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Whether `port` can be listened on at `host` now. */
export function portFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

export interface StartOptions {
  cwd: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** The child's stdout and stderr go to <logDir>/<name>.log. */
  logDir: string;
}

/**
 * Starts a child in its own process group (so stopping it also stops what pnpm, tsx or next
 * spawned), its output in <logDir>/<name>.log.
 */
export function startLogged(name: string, cmd: string, args: string[], opts: StartOptions): ChildProcess {
  mkdirSync(opts.logDir, { recursive: true });
  const log = createWriteStream(join(opts.logDir, `${name}.log`));
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

/** SIGTERM to the child's process group, SIGKILL after `graceMs`; resolves once the child exited. */
export async function stopGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {}
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

export interface WaitOptions {
  /** Named in the error. */
  what: string;
  /** Fail at once when this child exits first. */
  child?: ChildProcess;
  timeoutMs: number;
  /** What counts as ready (default: any answer below 500). */
  ok?: (res: Response) => boolean;
  /** Where the logs are, for the error message. */
  logDir?: string;
}

/** Polls `url` (redirects not followed) until `ok`; returns that answer, or throws naming `what`. */
export async function waitForHttp(url: string, opts: WaitOptions): Promise<Response> {
  const ok = opts.ok ?? ((r: Response) => r.status < 500);
  const see = opts.logDir ? `; see ${opts.logDir}` : "";
  const deadline = Date.now() + opts.timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (opts.child && opts.child.exitCode !== null)
      throw new Error(`${opts.what} exited with code ${opts.child.exitCode} before it was ready${see}`);
    try {
      const res = await fetch(url, { redirect: "manual" });
      if (ok(res)) return res;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${opts.what} was not ready at ${url} within ${opts.timeoutMs / 1000}s (${last})${see}`);
}

/** Debian's Chromium (CHROMIUM_PATH overrides): Playwright's own browser builds cannot be downloaded here. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`No Chromium at ${path}: install Debian's chromium package or set CHROMIUM_PATH.`);
  }
  return path;
}
