// .olympus/state.json: what the supervisor runs, written by the supervisor on every change and read
// by `octl status`, `octl down`, `octl logs` and by `octl deploy --detach` while it waits.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { isSameProcess } from "./procs.ts";
import type { Layout } from "./paths.ts";
import type { PortSpec } from "./manifest.ts";

export type ServiceStatus = "healthy" | "starting" | "unhealthy" | "stopped" | "failed";

export interface ServiceState {
  name: string;
  description: string;
  status: ServiceStatus;
  /** Pid of the service's main process (also its process group id), while it runs. */
  pid: number | null;
  /** Start token of `pid` (guards against pid reuse). */
  pidToken: string | null;
  ports: PortSpec[];
  url: string | null;
  urls: { label: string; url: string }[];
  credentials: { label: string; value: string }[];
  restarts: number;
  lastExitCode: number | null;
  lastSignal: string | null;
  /** Why the service is failed or unhealthy, when known. */
  error: string | null;
  startedAt: string | null;
  healthyAt: string | null;
  logFile: string;
}

export type Phase = "starting" | "running" | "stopping" | "stopped" | "failed";

export interface StackState {
  version: 1;
  supervisorPid: number;
  supervisorToken: string | null;
  mode: "foreground" | "detached";
  phase: Phase;
  /** Why the deploy failed (phase "failed"). */
  error: string | null;
  manifest: string;
  startedAt: string;
  updatedAt: string;
  services: ServiceState[];
}

export function readState(l: Layout): StackState | undefined {
  if (!existsSync(l.stateFile)) return undefined;
  try {
    return JSON.parse(readFileSync(l.stateFile, "utf8")) as StackState;
  } catch {
    return undefined;
  }
}

/** Atomic write: readers never see half a file. */
export function writeState(l: Layout, state: StackState): void {
  const tmp = `${l.stateFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, l.stateFile);
}

export interface PidFile {
  pid: number;
  token: string | null;
}

export function readPidFile(l: Layout): PidFile | undefined {
  try {
    const [pid, token] = readFileSync(l.pidFile, "utf8").trim().split(/\s+/);
    const n = Number(pid);
    return Number.isInteger(n) && n > 1 ? { pid: n, token: token || null } : undefined;
  } catch {
    return undefined;
  }
}

export function writePidFile(l: Layout, pid: number, token: string | undefined): void {
  writeFileSync(l.pidFile, `${pid}${token ? ` ${token}` : ""}\n`);
}

export function removePidFile(l: Layout): void {
  rmSync(l.pidFile, { force: true });
}

/** The running supervisor's pid, if one runs for this state directory. */
export function runningSupervisor(l: Layout): number | undefined {
  const pf = readPidFile(l);
  if (pf && isSameProcess(pf.pid, pf.token)) return pf.pid;
  const st = readState(l);
  if (
    st &&
    st.phase !== "stopped" &&
    st.phase !== "failed" &&
    isSameProcess(st.supervisorPid, st.supervisorToken)
  ) {
    return st.supervisorPid;
  }
  return undefined;
}

/**
 * The state as `octl status` shows it: when no supervisor runs, services are "stopped" — or
 * "unhealthy" when their process outlived the supervisor (`octl down` cleans that up).
 */
export function effectiveState(l: Layout): { state: StackState | undefined; supervisor: number | undefined } {
  const state = readState(l);
  const supervisor = runningSupervisor(l);
  if (!state || supervisor !== undefined) return { state, supervisor };
  const services = state.services.map((s): ServiceState => {
    if (s.pid && isSameProcess(s.pid, s.pidToken)) {
      return { ...s, status: "unhealthy", error: "its supervisor is gone; run octl down" };
    }
    return { ...s, status: s.status === "failed" ? "failed" : "stopped", pid: null, pidToken: null };
  });
  return { state: { ...state, services }, supervisor };
}
