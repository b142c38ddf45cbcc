import { spawn } from "node:child_process";
import {
  appendFileSync,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Listr } from "listr2";
import { describeConflict, findPortConflicts } from "../net.ts";
import { ensureLayout, type Layout } from "../paths.ts";
import { loadManifest, manifestPath, PlanError, planDeploy, type ResolvedService } from "../plan.ts";
import { isAlive, signalGroup, signalProcess, sleep, waitUntil } from "../procs.ts";
import { effectiveState, readState, runningSupervisor, type StackState } from "../state.ts";
import { DeployError, describeHealth, Supervisor } from "../supervisor.ts";
import { summary } from "../format.ts";
import { downStack } from "./down.ts";
import { ensureDatabases, redact } from "../databases.ts";
import { seedRunning } from "./seed.ts";
import { BuildError, type BuildSpec, isFresh, runBuild } from "../build.ts";

export interface DeployOptions {
  detach?: boolean;
  only?: string[];
  manifest?: string;
  port?: string[];
  timeout?: string;
  /** A PostgreSQL server for the domain databases (instead of PGlite). */
  databaseUrl?: string;
  /** Hidden, for `supervise`: stop everything when the foreground octl (this pid) is gone. */
  attach?: string;
}

interface Planned {
  services: ResolvedService[];
  source: string;
}

async function makePlan(l: Layout, opts: DeployOptions): Promise<Planned> {
  const file = manifestPath(opts.manifest);
  const manifest = await loadManifest(file, l.root);
  const timeout = opts.timeout === undefined ? undefined : Number(opts.timeout);
  if (timeout !== undefined && !(timeout > 0)) throw new PlanError(`--timeout must be a number of seconds`);
  const services = planDeploy(manifest.services, {
    layout: l,
    manifestDir: manifest.dir,
    ...(opts.only ? { only: opts.only } : {}),
    ...(opts.port ? { ports: opts.port } : {}),
    ...(timeout !== undefined ? { healthTimeoutMs: timeout * 1000 } : {}),
    ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
  });
  return { services, source: manifest.source };
}

/**
 * `octl deploy`: checks, then starts the supervisor as a process of its own and shows progress until
 * every service is healthy. With --detach it returns then; without, it stays in the foreground until
 * Ctrl-C (or `octl down`), and the supervisor stops everything when this process goes away, however
 * it goes (tsx's signal relay may SIGKILL it on a slow machine: the stack must not outlive it).
 */
export async function deployCommand(l: Layout, opts: DeployOptions): Promise<number> {
  ensureLayout(l);
  const running = runningSupervisor(l);
  if (running !== undefined) {
    console.error(
      `Olympus is already running (supervisor pid ${running}); see \`octl status\`, or stop it with \`octl down\`.`,
    );
    return 1;
  }
  const leftovers = effectiveState(l).state?.services.filter((s) => s.pid) ?? [];
  if (leftovers.length) {
    console.error(
      `Services of an earlier deploy still run without their supervisor (${leftovers.map((s) => `${s.name}: pid ${s.pid}`).join(", ")}); run \`octl down\` first.`,
    );
    return 1;
  }
  let plan: Planned;
  try {
    plan = await makePlan(l, opts);
  } catch (err) {
    if (err instanceof PlanError) {
      console.error(`octl deploy: ${err.message}`);
      return 1;
    }
    throw err;
  }
  if (plan.services.length === 0) {
    console.error("octl deploy: the manifest has no services");
    return 1;
  }
  const conflicts = await findPortConflicts(plan.services);
  if (conflicts.length) {
    console.error(
      `Cannot deploy: ${conflicts.length === 1 ? "a port is" : "ports are"} not available:\n` +
        conflicts.map((c) => `  ${describeConflict(c)}`).join("\n") +
        "\nStop whatever listens there, or move the service with --port <service>.<port>=<number>.",
    );
    return 1;
  }
  if (opts.databaseUrl) {
    try {
      const created = await ensureDatabases(opts.databaseUrl, plan.services);
      for (const name of created) console.log(`created database ${name}`);
    } catch (err) {
      console.error(
        `octl deploy: cannot prepare the databases on ${redact(opts.databaseUrl)}: ${(err as Error).message}`,
      );
      return 1;
    }
  }
  if (!(await buildApps(l, plan.services))) return 1;
  const banner = `==== ${new Date().toISOString()} octl deploy (${opts.detach ? "detached" : "foreground"}) ====\n`;
  for (const s of plan.services) appendFileSync(s.logFile, banner);
  return launch(l, plan, opts);
}

/**
 * Production builds the planned services need, each run once and only when its sources changed
 * since the last successful build. A failed build stops the deploy with the service, the cause and
 * the build log.
 */
async function buildApps(l: Layout, services: ResolvedService[]): Promise<boolean> {
  const specs = new Map<string, { spec: BuildSpec; services: string[] }>();
  for (const s of services) {
    if (!s.build) continue;
    const entry = specs.get(s.build.key) ?? { spec: s.build, services: [] };
    entry.services.push(s.name);
    specs.set(s.build.key, entry);
  }
  const stale = [...specs.values()].filter(({ spec }) => !isFresh(l, spec));
  for (const { spec } of specs.values())
    if (!stale.some((x) => x.spec === spec)) console.log(`${spec.key}: build is current`);
  if (!stale.length) return true;
  const list = new Listr(
    stale.map(({ spec, services: names }) => ({
      title: `building ${spec.key} (for ${names.join(", ")}; log: ${join(l.logs, `build-${spec.key}.log`)})`,
      task: () => runBuild(l, spec),
    })),
    {
      concurrent: false,
      exitOnError: true,
      registerSignalListeners: true,
      rendererOptions: { collapseErrors: false },
    },
  );
  try {
    await list.run();
    return true;
  } catch (err) {
    if (err instanceof BuildError) {
      const owner = stale.find((x) => err.message.includes(x.spec.key));
      console.error(
        `\noctl deploy: ${owner ? `${owner.services.join(", ")}: ` : ""}${err.message}. Last lines of ${err.logFile}:\n${tail(err.logFile, 25)}`,
      );
      return false;
    }
    throw err;
  }
}

/**
 * Progress while services come up (listr2): one line per service, done when it is healthy.
 * `current` reads the supervisor's state.json; `gone` says to stop waiting (supervisor ended,
 * interrupted, out of time).
 */
async function progress(
  services: ResolvedService[],
  current: () => StackState | undefined,
  gone: () => boolean,
): Promise<void> {
  const failures: string[] = [];
  const list = new Listr(
    services.map((svc) => ({
      title: `${svc.name}: starting`,
      task: async (_ctx: unknown, task: { title: string }) => {
        let lastTitle = "";
        for (;;) {
          const st = current();
          const s = st?.services.find((x) => x.name === svc.name);
          if (s?.status === "healthy") {
            task.title = `${svc.name}: healthy (${svc.url ?? describeHealth(svc)})`;
            return;
          }
          const failure =
            s?.status === "failed"
              ? `${svc.name}: ${s.error ?? "failed"}`
              : st?.phase === "failed" || st?.phase === "stopped" || st?.phase === "stopping" || gone()
                ? `${svc.name}: ${s?.error ?? "not started"}`
                : undefined;
          if (failure) {
            failures.push(failure);
            throw new Error(failure);
          }
          const title =
            s && s.restarts > 0
              ? `${svc.name}: starting (restart ${s.restarts}${s.error ? `; ${s.error}` : ""})`
              : s?.pid
                ? `${svc.name}: waiting for ${describeHealth(svc)}`
                : `${svc.name}: starting`;
          if (title !== lastTitle) task.title = lastTitle = title;
          await sleep(100);
        }
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      rendererOptions: { collapseErrors: false },
    },
  );
  await list.run();
  if (failures.length) throw new DeployError(failures.join("\n"));
}

function printUp(state: StackState | undefined, detached: boolean): void {
  if (!state) return;
  const n = state.services.length;
  console.log(`\nOlympus is up: ${n} service${n === 1 ? "" : "s"} healthy.\n`);
  console.log(summary(state.services));
  console.log(
    detached
      ? `\nRunning in the background (supervisor pid ${state.supervisorPid}). \`octl status\`, \`octl logs <service> -f\`, \`octl down\`.`
      : "\nPress Ctrl-C to stop everything (or run `octl down` from another terminal).\n",
  );
}

/** The last lines of a log, for failure messages. */
function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return "";
  const text = readFileSync(file, "utf8").trimEnd().split("\n");
  return text.slice(-lines).join("\n");
}

function printFailure(state: StackState | undefined, err: unknown): void {
  const failed = state?.services.filter((s) => s.status === "failed") ?? [];
  console.error(`\nDeploy failed: ${state?.error ?? (err as Error).message}`);
  for (const s of failed) {
    const last = tail(s.logFile);
    if (last) console.error(`\nLast lines of ${s.logFile}:\n${last}`);
  }
  console.error("\nEverything that had started was stopped.");
}

/** The `--import` argument that makes Node run TypeScript the way `tsx` does. */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
}

/** Arguments that make the supervisor plan exactly what this deploy planned. */
function superviseArgs(opts: DeployOptions): string[] {
  const args = ["supervise"];
  const file = manifestPath(opts.manifest);
  if (file) args.push("--manifest", file);
  for (const o of opts.only ?? []) args.push("--only", o);
  for (const p of opts.port ?? []) args.push("--port", p);
  if (opts.timeout !== undefined) args.push("--timeout", opts.timeout);
  if (opts.databaseUrl) args.push("--database-url", opts.databaseUrl);
  if (!opts.detach) args.push("--attach", String(process.pid));
  return args;
}

async function launch(l: Layout, plan: Planned, opts: DeployOptions): Promise<number> {
  rmSync(l.stateFile, { force: true });
  const out = openSync(l.supervisorLog, "a");
  const bin = fileURLToPath(new URL("../bin.ts", import.meta.url));
  // Its own session and process group: the terminal's Ctrl-C reaches this process, not the supervisor.
  const child = spawn(process.execPath, ["--import", tsxLoader(), bin, ...superviseArgs(opts)], {
    cwd: l.root,
    env: { ...process.env, OLYMPUS_HOME: l.home },
    stdio: opts.detach ? ["ignore", out, out] : ["ignore", out, out, "ipc"],
    detached: true,
  });
  closeSync(out);
  if (opts.detach) child.unref();
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const pid = child.pid!;
  const current = () => {
    const st = readState(l);
    return st?.supervisorPid === pid ? st : undefined;
  };
  const gone = () => exited || !isAlive(pid);

  // Ctrl-C (SIGINT), SIGTERM, or the terminal going away (SIGHUP). Repeats within a second are the
  // same keypress relayed twice (pnpm, tsx); a later one kills everything outright.
  let firstSignal = 0;
  let stopRequested: () => void = () => {};
  const stopSignal = new Promise<void>((resolve) => {
    stopRequested = resolve;
  });
  const onSignal = () => {
    const t = Date.now();
    if (!firstSignal) {
      firstSignal = t;
      stopRequested();
    } else if (t - firstSignal > 1_000) {
      killEverything(l, pid);
      process.exit(130);
    }
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, onSignal);

  const budget =
    Math.max(...plan.services.map((s) => s.healthTimeoutMs)) * Math.max(2, plan.services.length) + 30_000;
  const deadline = Date.now() + budget;
  try {
    await progress(plan.services, current, () => gone() || firstSignal > 0 || Date.now() > deadline);
  } catch (err) {
    if (firstSignal) {
      await downStack(l);
      console.error("\nInterrupted: everything that had started was stopped.");
      return 130;
    }
    if (Date.now() > deadline) {
      await downStack(l);
      console.error(`\nDeploy failed: services were not healthy after ${Math.round(budget / 1000)} s.`);
      return 1;
    }
    // The supervisor stops what it started when a deploy fails; wait for it, then make sure.
    await waitUntil(gone, 30_000, 100);
    const st = current();
    await downStack(l);
    printFailure(st, err);
    if (!st) {
      const last = tail(l.supervisorLog);
      if (last) console.error(`\nLast lines of ${l.supervisorLog}:\n${last}`);
    }
    return 1;
  }
  // Every service is healthy; the supervisor marks the deploy done right after.
  await waitUntil(() => current()?.phase !== "starting" || gone(), 5_000, 50);
  const seeded = await seedRunning(l, current());
  printUp(current(), !!opts.detach);
  if (!seeded)
    console.error("The platform is up, but seeding failed (see above); fix it and run `octl seed`.");
  if (opts.detach) return 0;

  // Foreground: echo the supervisor's log (crashes, restarts) until asked to stop or it stops.
  let pos = existsSync(l.supervisorLog) ? statSync(l.supervisorLog).size : 0;
  const echo = () => {
    const chunk = readFrom(l.supervisorLog, pos);
    pos += chunk.length;
    for (const line of chunk.toString("utf8").split("\n")) if (line) console.log(`[octl] ${line}`);
  };
  const watcher = setInterval(echo, 500);
  const supervisorExit = new Promise<void>((resolve) => {
    if (gone()) resolve();
    child.once("exit", () => resolve());
  });
  await Promise.race([stopSignal, supervisorExit]);
  if (!gone()) {
    if (process.stdout.isTTY) console.log("\nStopping every service …");
    signalProcess(pid, "SIGTERM");
    await supervisorExit;
  }
  clearInterval(watcher);
  echo();
  await downStack(l); // nothing should be left; make sure
  const st = readState(l);
  console.log(firstSignal ? "Stopped." : "The supervisor stopped (octl down?); everything is stopped.");
  return st?.phase === "failed" ? 1 : 0;
}

/** What was appended to a file after byte `pos` (the supervisor writes whole lines at once). */
function readFrom(file: string, pos: number): Buffer {
  if (!existsSync(file)) return Buffer.alloc(0);
  const size = statSync(file).size;
  if (size <= pos) return Buffer.alloc(0);
  const buf = Buffer.alloc(size - pos);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buf, 0, buf.length, pos);
  } finally {
    closeSync(fd);
  }
  return buf;
}

/** Second Ctrl-C: no more waiting. SIGKILL to every service's process group and to the supervisor. */
function killEverything(l: Layout, supervisorPid: number): void {
  for (const s of readState(l)?.services ?? []) if (s.pid) signalGroup(s.pid, "SIGKILL");
  signalProcess(supervisorPid, "SIGKILL");
  console.error("\nKilled every service.");
}

/** The hidden `octl supervise` command: the supervisor process `octl deploy` starts. */
export async function superviseCommand(l: Layout, opts: DeployOptions): Promise<number> {
  ensureLayout(l);
  const log = (msg: string) => appendFileSync(l.supervisorLog, `[${new Date().toISOString()}] ${msg}\n`);
  let plan: Planned;
  try {
    plan = await makePlan(l, opts);
  } catch (err) {
    log(`cannot plan the deploy: ${(err as Error).message}`);
    return 1;
  }
  const attachedTo = opts.attach ? Number(opts.attach) : undefined;
  const sup = new Supervisor({
    layout: l,
    services: plan.services,
    manifest: plan.source,
    mode: attachedTo ? "foreground" : "detached",
  });
  try {
    sup.acquire();
  } catch (err) {
    log((err as Error).message);
    return 1;
  }
  process.on("exit", () => sup.killAllSync());
  process.on("uncaughtException", (err) => {
    log(`supervisor crashed: ${err.stack ?? err.message}`);
    sup.killAllSync();
    process.exit(1);
  });
  let stopped: Promise<void> | undefined;
  const stop = (reason: string) => {
    stopped ??= sup.stop(reason);
    return stopped;
  };
  // Signals come from octl (down, the foreground deploy); repeats change nothing, the stop has its
  // own SIGKILL deadline.
  const done = new Promise<number>((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.on(sig, () => void stop(`received ${sig}`).then(() => resolve(0)));
    }
    if (attachedTo) {
      // Foreground: the stack lives as long as the octl that started it, however that one ends.
      const lost = () => void stop("the foreground octl deploy is gone").then(() => resolve(0));
      process.once("disconnect", lost);
      const timer = setInterval(() => {
        if (!isAlive(attachedTo)) lost();
      }, 500);
      timer.unref();
    }
  });
  try {
    await sup.start();
  } catch {
    await stop("deploy failed");
    return 1;
  }
  return done;
}
