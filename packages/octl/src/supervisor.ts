// The process supervisor: starts the planned services in dependency order as child processes (each
// in its own process group, output appended to .olympus/logs/<service>.log), waits for their health
// checks, restarts crashed ones with exponential backoff, keeps .olympus/state.json up to date, and
// stops everything (SIGTERM to each process group, SIGKILL after a deadline).
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { describeConflict, findPortConflicts, probe } from "./net.ts";
import { ensurePrivateDir, type Layout, restrictUmask } from "./paths.ts";
import type { ResolvedService } from "./plan.ts";
import { signalGroup, sleep, startToken, terminateGroup } from "./procs.ts";
import {
  type Phase,
  removePidFile,
  runningSupervisor,
  type ServiceState,
  type StackState,
  writePidFile,
  writeState,
} from "./state.ts";

export interface SupervisorEvent {
  kind: "starting" | "healthy" | "unhealthy" | "crashed" | "failed" | "stopped" | "info";
  service?: string;
  message: string;
}

export interface SupervisorOptions {
  layout: Layout;
  services: ResolvedService[];
  /** Where the manifest came from (recorded in state.json). */
  manifest: string;
  mode: "foreground" | "detached";
  onEvent?: (e: SupervisorEvent) => void;
  /** Health probe interval once a service is healthy (default 2 s). */
  monitorIntervalMs?: number;
}

export class DeployError extends Error {}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
  settled: boolean;
}

function deferred(): Deferred {
  const d = { settled: false } as Deferred;
  d.promise = new Promise<void>((resolve, reject) => {
    d.resolve = () => {
      d.settled = true;
      resolve();
    };
    d.reject = (err) => {
      d.settled = true;
      reject(err);
    };
  });
  d.promise.catch(() => {}); // a rejection nobody waits for is not an error here
  return d;
}

interface Runtime {
  svc: ResolvedService;
  state: ServiceState;
  child: ChildProcess | undefined;
  /** Bumped on every spawn; loops and handlers of an older spawn stop when it changes. */
  generation: number;
  spawnedAt: number;
  quickCrashes: number;
  restartTimer: NodeJS.Timeout | undefined;
  /** Settles when the current child has exited. */
  exited: Promise<void>;
  /** First time healthy (resolves) or given up on (rejects). */
  ready: Deferred;
  stopping: boolean;
}

const now = () => new Date().toISOString();

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by ${signal}`;
  return `exited with code ${code}`;
}

export class Supervisor {
  readonly layout: Layout;
  private readonly opts: SupervisorOptions;
  private readonly runtimes: Runtime[];
  private phase: Phase = "starting";
  private error: string | null = null;
  private readonly startedAt = now();
  private stopping = false;
  private stopPromise: Promise<void> | undefined;
  private readonly token = startToken(process.pid) ?? null;

  constructor(opts: SupervisorOptions) {
    this.opts = opts;
    this.layout = opts.layout;
    this.runtimes = opts.services.map((svc) => ({
      svc,
      state: {
        name: svc.name,
        description: svc.description,
        status: "stopped",
        pid: null,
        pidToken: null,
        ports: svc.ports,
        url: svc.url,
        urls: svc.urls,
        credentials: svc.credentials,
        restarts: 0,
        lastExitCode: null,
        lastSignal: null,
        error: null,
        startedAt: null,
        healthyAt: null,
        logFile: svc.logFile,
      },
      child: undefined,
      generation: 0,
      spawnedAt: 0,
      quickCrashes: 0,
      restartTimer: undefined,
      exited: Promise.resolve(),
      ready: deferred(),
      stopping: false,
    }));
  }

  /** Claims the state directory (supervisor.pid); fails when another supervisor runs there. */
  acquire(): void {
    const other = runningSupervisor(this.layout);
    if (other !== undefined && other !== process.pid) {
      throw new DeployError(`Olympus is already running (supervisor pid ${other}); run \`octl down\` first`);
    }
    // Services inherit the umask: their databases, mail and logs are created private (paths.ts).
    restrictUmask();
    mkdirSync(this.layout.logs, { recursive: true, mode: 0o700 });
    writePidFile(this.layout, process.pid, this.token ?? undefined);
    this.log(
      `supervisor ${process.pid} (${this.opts.mode}) deploying: ${this.runtimes.map((r) => r.svc.name).join(", ")}`,
    );
    this.persist();
  }

  snapshot(): StackState {
    return {
      version: 1,
      supervisorPid: process.pid,
      supervisorToken: this.token,
      mode: this.opts.mode,
      phase: this.phase,
      error: this.error,
      manifest: this.opts.manifest,
      startedAt: this.startedAt,
      updatedAt: now(),
      services: this.runtimes.map((r) => ({ ...r.state })),
    };
  }

  private persist(): void {
    try {
      writeState(this.layout, this.snapshot());
    } catch (err) {
      this.log(`cannot write ${this.layout.stateFile}: ${(err as Error).message}`);
    }
  }

  /** A line in the supervisor log (and in the service's log when it is about one service). */
  private log(message: string, service?: Runtime, kind: SupervisorEvent["kind"] = "info"): void {
    const ts = now();
    try {
      appendFileSync(
        this.layout.supervisorLog,
        `[${ts}] ${service ? `${service.svc.name}: ` : ""}${message}\n`,
      );
      if (service) appendFileSync(service.svc.logFile, `[${ts}] [octl] ${message}\n`);
    } catch {
      // the log directory was removed under us; state.json still tells the story
    }
    this.opts.onEvent?.({ kind, ...(service ? { service: service.svc.name } : {}), message });
  }

  /**
   * Starts every service once its dependencies are healthy and resolves when all are healthy.
   * Throws DeployError (phase "failed") as soon as one fails; the caller then calls stop().
   */
  async start(): Promise<void> {
    const byName = new Map(this.runtimes.map((r) => [r.svc.name, r]));
    const tasks = new Map<string, Promise<void>>();
    for (const rt of this.runtimes) {
      const deps = rt.svc.dependsOn.map((d) => byName.get(d)).filter((d): d is Runtime => d !== undefined);
      const task = (async () => {
        try {
          await Promise.all(deps.map((d) => tasks.get(d.svc.name)));
        } catch {
          rt.state.error = "not started: a service it depends on failed";
          throw new DeployError(rt.state.error);
        }
        if (this.stopping) throw new DeployError("deploy cancelled");
        const conflicts = await findPortConflicts([rt.svc]);
        if (conflicts.length) {
          const msg = conflicts.map(describeConflict).join("; ");
          this.fail(rt, msg);
          throw new DeployError(msg);
        }
        if (this.stopping) throw new DeployError("deploy cancelled");
        this.spawn(rt);
        await rt.ready.promise;
      })();
      task.catch(() => {});
      tasks.set(rt.svc.name, task);
    }
    let firstError: Error | undefined;
    await new Promise<void>((resolve) => {
      let pending = tasks.size;
      if (pending === 0) resolve();
      for (const [name, task] of tasks) {
        task.then(
          () => {
            if (--pending === 0) resolve();
          },
          (err: Error) => {
            const rt = byName.get(name)!;
            if (!firstError && rt.state.status === "failed")
              firstError = new DeployError(`${name}: ${err.message}`);
            if (--pending === 0) resolve();
            if (firstError) resolve();
          },
        );
      }
    });
    if (firstError) {
      this.phase = "failed";
      this.error = firstError.message;
      this.log(`deploy failed: ${this.error}`);
      this.persist();
      throw firstError;
    }
    if (this.stopping) throw new DeployError("deploy cancelled");
    this.phase = "running";
    this.log("every service is healthy");
    this.persist();
  }

  private spawn(rt: Runtime): void {
    const { svc } = rt;
    const gen = ++rt.generation;
    const attempt = rt.state.restarts > 0 ? ` (restart ${rt.state.restarts})` : "";
    ensurePrivateDir(svc.dataDir);
    const fd = openSync(svc.logFile, "a", 0o600);
    let child: ChildProcess;
    try {
      writeSync(fd, `[${now()}] [octl] starting ${svc.name}${attempt}: ${svc.command.join(" ")}\n`);
      child = spawn(svc.command[0]!, svc.command.slice(1), {
        cwd: svc.cwd,
        env: { ...process.env, ...svc.env, OLYMPUS_HOME: this.layout.home, OLYMPUS_SERVICE: svc.name },
        stdio: ["ignore", fd, fd],
        detached: true, // own process group: stopping signals the whole group
      });
    } finally {
      closeSync(fd);
    }
    rt.child = child;
    rt.spawnedAt = Date.now();
    rt.state.pid = child.pid ?? null;
    rt.state.pidToken = child.pid ? (startToken(child.pid) ?? null) : null;
    rt.state.status = "starting";
    rt.state.startedAt = now();
    rt.state.healthyAt = null;
    this.log(`started${attempt}, pid ${child.pid ?? "-"}`, rt, "starting");
    this.persist();
    let ended = false;
    rt.exited = new Promise<void>((resolve) => {
      const end = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
        if (ended) return;
        ended = true;
        resolve();
        this.onExit(rt, gen, code, signal, spawnError);
      };
      child.once("error", (err) => end(null, null, err));
      child.once("exit", (code, signal) => end(code, signal));
    });
    void this.watchHealth(rt, gen);
  }

  private onExit(
    rt: Runtime,
    gen: number,
    code: number | null,
    signal: NodeJS.Signals | null,
    spawnError?: Error,
  ): void {
    if (gen !== rt.generation) return;
    const pgid = rt.state.pid;
    rt.child = undefined;
    rt.state.pid = null;
    rt.state.pidToken = null;
    rt.state.lastExitCode = code;
    rt.state.lastSignal = signal;
    if (rt.stopping || this.stopping) {
      if (rt.state.status !== "failed") rt.state.status = "stopped";
      this.persist();
      return;
    }
    // What the crashed process left behind in its group (grandchildren) goes too.
    if (pgid) signalGroup(pgid, "SIGKILL");
    const uptime = Date.now() - rt.spawnedAt;
    const what = spawnError ? `could not be started: ${spawnError.message}` : describeExit(code, signal);
    const policy = rt.svc.restart;
    if (uptime >= policy.minUptimeMs) rt.quickCrashes = 0;
    rt.quickCrashes++;
    if (rt.quickCrashes >= policy.maxQuickCrashes) {
      const msg = `${what} after ${uptime} ms; crashed ${rt.quickCrashes} times in a row, giving up`;
      this.fail(rt, msg);
      return;
    }
    const delay = Math.min(policy.initialDelayMs * 2 ** (rt.quickCrashes - 1), policy.maxDelayMs);
    rt.state.status = "starting";
    rt.state.error = `${what} after ${uptime} ms`;
    this.log(`crashed: ${what} after ${uptime} ms; restarting in ${delay} ms`, rt, "crashed");
    this.persist();
    rt.restartTimer = setTimeout(() => {
      rt.restartTimer = undefined;
      if (this.stopping || rt.stopping) return;
      rt.state.restarts++;
      this.spawn(rt);
    }, delay);
  }

  /** Marks a service failed (no more restarts) and stops what is left of it. */
  private fail(rt: Runtime, message: string): void {
    rt.state.status = "failed";
    rt.state.error = message;
    rt.ready.reject(new DeployError(message));
    this.log(`failed: ${message}`, rt, "failed");
    this.persist();
    const pid = rt.state.pid;
    if (pid) {
      rt.stopping = true;
      void terminateGroup(pid, rt.svc.stopTimeoutMs);
    }
  }

  private async watchHealth(rt: Runtime, gen: number): Promise<void> {
    const current = () => gen === rt.generation && !this.stopping && !rt.stopping;
    const deadline = Date.now() + rt.svc.healthTimeoutMs;
    // Until healthy: probe often.
    for (;;) {
      if (!current()) return;
      const ok = await probe(rt.svc.health);
      if (!current()) return;
      if (ok) {
        rt.state.status = "healthy";
        rt.state.error = null;
        rt.state.healthyAt = now();
        this.log(`healthy after ${Date.now() - rt.spawnedAt} ms`, rt, "healthy");
        this.persist();
        rt.ready.resolve();
        break;
      }
      if (Date.now() >= deadline) {
        const secs = Math.round(rt.svc.healthTimeoutMs / 1000);
        const msg = `not healthy ${secs} s after start (${describeHealth(rt.svc)}); see ${rt.svc.logFile}`;
        if (this.phase === "starting") {
          this.fail(rt, msg);
          return;
        }
        rt.state.status = "unhealthy";
        rt.state.error = msg;
        this.log(msg, rt, "unhealthy");
        this.persist();
        break;
      }
      await sleep(200);
    }
    // Then: keep an eye on it. Two failed probes in a row make it unhealthy; one success heals it.
    let failures = 0;
    const interval = this.opts.monitorIntervalMs ?? 2_000;
    for (;;) {
      await sleep(interval);
      if (!current()) return;
      const ok = await probe(rt.svc.health);
      if (!current()) return;
      if (ok) {
        failures = 0;
        if (rt.state.status !== "healthy") {
          rt.state.status = "healthy";
          rt.state.error = null;
          rt.state.healthyAt = now();
          this.log("healthy again", rt, "healthy");
          this.persist();
          rt.ready.resolve();
        }
      } else if (++failures >= 2 && rt.state.status === "healthy") {
        rt.state.status = "unhealthy";
        rt.state.error = `health check failing (${describeHealth(rt.svc)})`;
        this.log(rt.state.error, rt, "unhealthy");
        this.persist();
      }
    }
  }

  /**
   * Stops every service, dependents before what they depend on: SIGTERM to each process group,
   * SIGKILL after the service's stop timeout. Idempotent.
   */
  stop(reason = "stop requested"): Promise<void> {
    this.stopPromise ??= this.doStop(reason);
    return this.stopPromise;
  }

  private async doStop(reason: string): Promise<void> {
    this.stopping = true;
    if (this.phase !== "failed") this.phase = "stopping";
    this.log(`stopping (${reason})`);
    this.persist();
    for (const rt of this.runtimes) {
      if (rt.restartTimer) clearTimeout(rt.restartTimer);
      rt.restartTimer = undefined;
      rt.ready.reject(new DeployError("stopped"));
    }
    const remaining = new Set(this.runtimes);
    while (remaining.size) {
      // A wave: services nothing still running depends on.
      const wave = [...remaining].filter(
        (rt) => ![...remaining].some((other) => other !== rt && other.svc.dependsOn.includes(rt.svc.name)),
      );
      const batch = wave.length ? wave : [...remaining];
      await Promise.all(batch.map((rt) => this.stopOne(rt)));
      for (const rt of batch) remaining.delete(rt);
    }
    if (this.phase !== "failed") this.phase = "stopped";
    this.log("stopped every service");
    this.persist();
    removePidFile(this.layout);
  }

  private async stopOne(rt: Runtime): Promise<void> {
    rt.stopping = true;
    const pid = rt.state.pid;
    if (pid) {
      const how = await terminateGroup(pid, rt.svc.stopTimeoutMs);
      await Promise.race([rt.exited, sleep(1_000)]);
      if (how === "killed") this.log(`did not stop within ${rt.svc.stopTimeoutMs} ms: killed`, rt);
    }
    if (rt.state.status !== "failed") rt.state.status = "stopped";
    rt.state.pid = null;
    rt.state.pidToken = null;
    this.log("stopped", rt, "stopped");
    this.persist();
  }

  /** Last resort when the supervisor itself is going down hard: SIGKILL every process group. */
  killAllSync(): void {
    for (const rt of this.runtimes) {
      if (rt.state.pid) signalGroup(rt.state.pid, "SIGKILL");
    }
  }
}

export function describeHealth(svc: ResolvedService): string {
  return svc.health.kind === "http" ? `GET ${svc.health.url}` : `TCP port ${svc.health.port}`;
}
